"""Adopting a plan on 28 February 2028 in the browser: the term starts on the leap day and ends on
28 February 2031 (issue 11, findings 1 and 2; the 500 of finding 1 was fixed in portal.dates).

The portal runs on its own database with the clock moved to February 2028 (time-machine patches the clock of
the whole process, the server thread included)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from werkzeug.serving import make_server

DECIDED = datetime(2028, 2, 28, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def leap_server(tmp_path_factory, seal_config):
    """The demo, loaded a week before the decision; Hana's plan drafted, waiting to be adopted."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from portal import create_app
    from portal.auth.models import User
    from portal.cases.models import Case
    from portal.demo import _complete, load_demo
    from portal.extensions import db
    from portal.tasks.models import HumanTask

    db_file = tmp_path_factory.mktemp("leap") / "leap.sqlite3"
    app = create_app({**seal_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}", "SECRET_KEY": "e2e",
                      "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False,
                      "TWO_FACTOR_ROLES": ()})
    with app.app_context(), time_machine.travel(datetime(2028, 2, 21, 9, tzinfo=UTC), tick=False):
        upgrade()
        load_demo()
        case = db.session.scalar(select(Case).where(Case.v_number == "1000000008"))  # Hana, at the PIP
        regisseur = db.session.scalar(select(User).where(User.username == "regisseur"))
        _complete(case, "pip_opstellen", regisseur)
        task_id = db.session.scalar(select(HumanTask.id).where(HumanTask.case_id == case.id,
                                                               HumanTask.bpmn_id == "pip_vaststellen",
                                                               HumanTask.status == HumanTask.OPEN))
        case_id = case.id
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", task_id, case_id
    server.shutdown()
    with app.app_context():
        from portal.extensions import db

        db.engine.dispose()


def test_a_plan_adopted_on_28_february_2028_has_its_term_from_the_leap_day(page, leap_server, axe_check):
    url, task_id, case_id = leap_server
    with time_machine.travel(DECIDED, tick=True):
        page.goto(f"{url}/login")
        page.get_by_label("Gebruikersnaam").fill("regisseur")
        page.get_by_label("Wachtwoord").fill("demo-wachtwoord")
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url("**/tasks/")
        page.goto(f"{url}/tasks/{task_id}")
        # the term stands above the form, read-only: it follows from this decision
        panel = page.get_by_text("Begint de dag na de datum van dit besluit en duurt drie jaar")
        assert panel.count() == 1
        assert page.locator("input[name=pip_datum]").count() == 0
        page.locator("input[name=besluitdatum]").fill("28-02-2028")
        page.locator("input[name=ondertekend_namens_college]").fill("J. de Boer, teamleider inburgering")
        if not page.locator("input[name=bezwaartermijn_weken]").input_value():
            page.locator("input[name=bezwaartermijn_weken]").fill("6")
        page.locator("input[name=bevestiging]").check()
        page.get_by_role("button", name="Afronden").click()
        page.wait_for_load_state()
        assert page.locator("[role=alert]").count() == 0, page.locator("[role=alert]").first.inner_text()
        page.wait_for_url(f"**/cases/{case_id}")  # adopted: no error, back on the case page
        page.goto(f"{url}/cases/{case_id}/plan/")
        term = page.locator("section[aria-labelledby=termijn]")
        text = term.inner_text()
        assert "29-02-2028" in text and "28-02-2031" in text
        assert "Beschikking van 28-02-2028" in text
        axe_check("plan page with the term")
