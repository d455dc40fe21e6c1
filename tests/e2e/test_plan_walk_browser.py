"""Issue 10, "Done when", walked in a real browser – once with JavaScript and once with form posts only.

The regisseur drafts a PIP with three goals in three life domains ("Nog een doel toevoegen"), decides it; the
newcomer (Arabic) signs version 1. At the first progress meeting (a status for all three goals, no exam result)
a signal about childcare comes up; following it up, the regisseur changes the plan: the form opens with the plan
in force, one goal is changed and one added, the change is decided, and the newcomer reads the change list in
Arabic, right to left, before she signs version 2. The next meeting, on version 2, records a status for all four
goals and no exam result.

Every step the issue names is done in the browser. Factories and the clock only bring the case to the PIP stage
(the intake) and move time to a meeting (the timers, the newcomer's self-assessment, the worker's PDFs)."""

from __future__ import annotations

import os
import re
import threading
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from werkzeug.serving import make_server

from tests.e2e.test_screenshots_browser import save_screenshot

#: The walk starts here (after the machine's real date, so cookies the server dates are not already expired).
START = datetime(2027, 3, 1, 9, tzinfo=UTC)
PASSWORD = "geheim-wandeling-1"
GOALS = [("taal_en_leerbaarheid", "B1 halen", "Taalles vier ochtenden per week", "taalschool"),
         ("opleiding_en_werk", "Werkervaring in de zorg", "Stage zoeken bij het verpleeghuis", "werkplein"),
         ("financien", "Vaste lasten op tijd betalen", "Budgetcursus volgen", "regisseur")]
CHANGED_AIM = "A2 halen en daarna verder naar B1"
SHOTS = os.environ.get("PORTAL_SCREENSHOTS_DIR")  # see tests/e2e/test_screenshots_browser.py
ADDED = ("gezin_en_kinderopvang", "Kinderopvang voor Sara", "Aanmelden bij de opvang", "inburgeraar")


@pytest.fixture(scope="module")
def walk_app(tmp_path_factory, seal_config):
    """An app on a database of its own: the processes deployed, one municipality, a regisseur."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.auth.models import Municipality, User
    from portal.extensions import db
    from portal.processes.services import deploy
    from portal.security import hash_password

    db_file = tmp_path_factory.mktemp("walk") / "walk.sqlite3"
    app = create_app({**seal_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}", "SECRET_KEY": "e2e-walk",
                      "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False,
                      "TWO_FACTOR_ROLES": ()})
    with app.app_context(), time_machine.travel(START, tick=False):
        upgrade()
        deploy()
        utrecht = Municipality(code="0344", name="Utrecht")
        db.session.add(utrecht)
        db.session.add(User(username="ria", display_name="Ria de Vries", role="regisseur", locale="nl",
                            municipality=utrecht, password_hash=hash_password(PASSWORD)))
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    worker = threading.Thread(target=produce_documents_until, args=(app, stop), daemon=True)
    worker.start()  # the worker renders and seals the PDFs while the people go on, as it does in production
    yield app, f"http://127.0.0.1:{server.server_port}"
    stop.set()
    worker.join(timeout=30)
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@contextmanager
def unit_of_work(app):
    """What the factories do between two browser steps, committed so the server sees it."""
    from portal.extensions import db

    with app.app_context():
        yield db.session
        db.session.commit()
        db.session.remove()


def case_at_the_pip(app, first: str, v_number: str) -> tuple[int, str]:
    """A case whose intake is done (factories): its pip_opstellen step is open; its newcomer reads Arabic."""
    from portal.auth.models import Municipality, User
    from portal.casefile.services import open_case
    from portal.cases.services import KoppelingData
    from portal.db import local_today
    from portal.security import hash_password
    from tests.factories import INTAKE_STEPS, complete, open_steps

    with unit_of_work(app) as session:
        utrecht = session.query(Municipality).filter_by(code="0344").one()
        ria = session.query(User).filter_by(username="ria").one()
        username = first.lower()
        newcomer = User(username=username, display_name=f"{first} Haddad", role="inburgeraar", locale="ar",
                        municipality=utrecht, password_hash=hash_password(PASSWORD))
        session.add(newcomer)
        session.flush()
        case = open_case(KoppelingData(v_nummer=v_number, voornaam=first, achternaam="Haddad",
                                       geboortedatum=date(1994, 3, 12), land_van_herkomst="Syrië", taal="arabisch",
                                       huishoudgrootte=3, koppelingsdatum=local_today()), utrecht, ria.id, None, "test")
        case.newcomer_user_id = newcomer.id
        for step in INTAKE_STEPS:
            complete(case, step, ria, day=local_today())
        assert open_steps(case) == ["pip_opstellen"]
        return case.id, username


def move_to_next_meeting(app, case_id: int, clock) -> None:
    """Time passes to the next meeting: the self-assessment timer fires, the newcomer rates her goals (a factory:
    the issue does not name this step), then the meeting opens for the regisseur."""
    from portal.cases.models import Case
    from portal.db import local_today
    from portal.progress.services import plan_goals
    from tests.factories import complete, fire_next_timer, open_steps

    with unit_of_work(app) as session:
        case = session.get(Case, case_id)
        fire_next_timer(case, clock)
        assert "zelfbeoordeling" in open_steps(case)
        goals = plan_goals(case)
        complete(case, "zelfbeoordeling", case.newcomer_user, day=local_today(), algemeen="redelijk",
                 doelen=[{"nummer": number, "oordeel": "goed"} for number in range(1, len(goals) + 1)])
        if "voortgangsgesprek" not in open_steps(case):
            fire_next_timer(case, clock)
        assert "voortgangsgesprek" in open_steps(case), open_steps(case)


def produce_documents_until(app, stop: threading.Event) -> None:
    from portal.extensions import db
    from portal.worker import produce_due_documents

    while not stop.wait(0.2):
        with app.app_context():
            produce_due_documents()
            db.session.remove()


def wait_for_the_plan_pdf(app, case_id: int) -> None:
    """The newcomer signs the PDF the worker made; wait (at most 60 s) until it is there."""
    from portal.cases.models import Case
    from portal.plans.documents import document_for
    from portal.plans.models import PlanDocument
    from portal.plans.services import current_version

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with unit_of_work(app) as session:
            document = document_for(current_version(session.get(Case, case_id)), PlanDocument.PLAN)
            if document is not None and document.is_ready:
                return
        time.sleep(0.2)
    raise AssertionError("the worker did not make the plan's PDF")


# --- browser helpers ------------------------------------------------------------------------------------------

def fill_date(field, day: date) -> None:
    """A date field as the user types it: ISO in a browser date picker, dd-mm-jjjj in a text field."""
    if field.get_attribute("type") == "date":
        field.fill(day.isoformat())
    else:
        field.fill(day.strftime("%d-%m-%Y"))


def log_in(page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/(tasks|mijn)/$"))


def open_step(page, url: str, case_id: int, name: str) -> None:
    """From the case page, follow the link to the open step (as the regisseur would)."""
    page.goto(f"{url}/cases/{case_id}")
    page.locator(f"a[href^='/tasks/']:has-text('{name}')").first.click()
    page.wait_for_url(re.compile(r".*/tasks/\d+$"))


def submit(page, name: str = "Afronden") -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()
    alerts = page.locator("[data-error-summary]")
    assert alerts.count() == 0, alerts.first.inner_text()


def add_goal(page, index: int) -> None:
    """"Nog een doel toevoegen": with JavaScript a row appears in place, without it the form posts and returns."""
    page.get_by_role("button", name="Nog een doel toevoegen").click()
    page.locator(f"#doelen-{index}-doel").wait_for()


def fill_goal(page, index: int, goal: tuple[str, str, str, str]) -> None:
    domain, aim, action, who = goal
    page.locator(f"#doelen-{index}-leefgebied").select_option(domain)
    page.locator(f"#doelen-{index}-doel").fill(aim)
    page.locator(f"#doelen-{index}-actie").fill(action)
    page.locator(f"#doelen-{index}-wie").select_option(who)


def goal_rows(page):
    return page.locator("[data-rows='doelen'] > [data-row]")


def today() -> date:
    from portal.db import local_today

    return local_today()


def decide(page, url: str, case_id: int) -> None:
    open_step(page, url, case_id, "Beschikking PIP vaststellen")
    fill_date(page.locator("[name=besluitdatum]"), today())
    page.locator("[name=ondertekend_namens_college]").fill("J. de Boer, teamleider inburgering")
    if not page.locator("[name=bezwaartermijn_weken]").input_value():
        page.locator("[name=bezwaartermijn_weken]").fill("6")
    page.locator("[name=bevestiging]").check()
    submit(page)


def sign(page, url: str, full_name: str) -> str:
    """The newcomer (logged in) signs the plan waiting for her, in Arabic; returns the signing page's text."""
    page.goto(f"{url}/mijn/plan/ondertekenen")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    text = page.locator("main").inner_text()
    page.locator("[name=consent]").check()
    page.locator("[name=typed_name]").fill(full_name)
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{url}/mijn/")
    return text


def hold_meeting(page, url: str, case_id: int, statuses: list[str], signal: str | None = None) -> None:
    """The progress meeting: a status for every goal the form lists, the exam row left empty."""
    open_step(page, url, case_id, "Voortgangsgesprek voeren")
    rows = page.locator("select[name^='doelen-'][name$='-status']")
    assert rows.count() == len(statuses)  # every goal of the plan in force, one row each
    fill_date(page.locator("[name='gesprek-datum']"), today())
    page.locator("[name='gesprek-vorm'][value=kantoor]").check()
    fill_date(page.locator("[name='aanwezigheid-peildatum']"), today())
    page.locator("[name='aanwezigheid-uren_aangeboden']").fill("120")
    page.locator("[name='aanwezigheid-uren_gevolgd']").fill("112")
    page.locator("[name='map_pvt-map_status']").select_option("bezig")
    page.locator("[name='map_pvt-pvt_status']").select_option("bezig")
    for index, status in enumerate(statuses):
        page.locator(f"[name='doelen-{index}-status']").select_option(status)
    page.locator("[name='participatie-trede'][value='3']").check()
    if signal:
        page.locator(f"[name='signalen-leefgebieden'][value={signal}]").check()
        page.locator("[name='signalen-toelichting']").fill("Geen opvang voor Sara: de les in de ochtend lukt niet.")
    page.locator("[name='medewerking-oordeel'][value=ja]").check()
    page.locator("[name='afspraken-vervolg'][value=doorgaan]").check()
    page.locator("[name='afspraken-volgende_stappen']").fill("Doorgaan met de les.")
    page.locator("[name='afspraken-samenvatting']").fill("Het gaat goed met de taal.")
    assert page.locator("[name='examens-0-onderdeel']").input_value() == ""  # no exam since the last meeting
    submit(page)


def stored_meetings(app, case_id: int):
    from sqlalchemy import select

    from portal.progress.models import ProgressMeeting

    with unit_of_work(app) as session:
        return [(meeting.goals, meeting.exams) for meeting in session.scalars(
            select(ProgressMeeting).where(ProgressMeeting.case_id == case_id).order_by(ProgressMeeting.id))]


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "form-posts-only"])
def test_a_plan_with_three_goals_decided_changed_and_signed_again(browser, walk_app, javascript):
    app, url = walk_app
    first, v_number = ("Amina", "3000000001") if javascript else ("Samira", "3000000002")
    with time_machine.travel(START, tick=True) as clock:
        case_id, username = case_at_the_pip(app, first, v_number)
        context = browser.new_context(java_script_enabled=javascript, locale="nl-NL",
                                      viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)

        # 1. The regisseur drafts the PIP: three goals in three life domains, two of them added as rows.
        log_in(page, url, "ria")
        open_step(page, url, case_id, "PIP opstellen")
        assert goal_rows(page).count() == 1
        page.locator("[name='leerroute-route'][value=b1_route]").check()
        page.locator("[name='leerroute-motivering']").fill(
            "De leerbaarheidstoets wijst B1 als haalbaar aan en de onderwijsroute is besproken.")
        page.locator("[name='leerroute-looptijd_maanden']").fill("36")
        page.locator("[name='map_pvt-map_uren']").fill("40")
        page.locator("[name='map_pvt-pvt_periode']").fill("Eerste half jaar")
        page.locator("[name='begeleiding-begeleiding']").fill("Elke maand een gesprek met de regisseur.")
        page.locator("[name='voortgang-interval'][value=P3M]").check()
        fill_goal(page, 0, GOALS[0])
        for index in (1, 2):
            add_goal(page, index)
            fill_goal(page, index, GOALS[index])
        assert goal_rows(page).count() == 3
        assert page.locator("#doelen-0-doel").input_value() == GOALS[0][1]  # nothing typed is lost
        submit(page)

        # 2. It is decided (beschikking); the worker makes the PDFs; the newcomer signs version 1 in Arabic.
        decide(page, url, case_id)
        log_in(page, url, username)
        wait_for_the_plan_pdf(app, case_id)
        first_sign = sign(page, url, f"{first} Haddad")
        assert "change-list" not in page.content()
        assert GOALS[0][1] in first_sign  # her plan, with its three goals, above the signature

        # 3. Three months on: the first meeting. A status for each of the three goals, no exam; a signal.
        move_to_next_meeting(app, case_id, clock)
        log_in(page, url, "ria")
        hold_meeting(page, url, case_id, ["op_schema", "vertraagd", "op_schema"], signal="gezin")

        # 4. The signal is followed up with a plan change: the form opens with the plan in force.
        open_step(page, url, case_id, "Signaal opvolgen")
        page.locator("[name=ondersteuning][value=plan_aanpassen]").check()
        if page.locator("[name=uitkomst][value=ingezet]").count():
            page.locator("[name=uitkomst][value=ingezet]").check()
        page.locator("[name=toelichting]").fill("We nemen kinderopvang op in het plan.")
        submit(page)
        open_step(page, url, case_id, "PIP opstellen")
        assert goal_rows(page).count() == 3
        for index, (domain, aim, action, who) in enumerate(GOALS):  # prefilled: every goal of version 1
            assert page.locator(f"#doelen-{index}-leefgebied").input_value() == domain
            assert page.locator(f"#doelen-{index}-doel").input_value() == aim
            assert page.locator(f"#doelen-{index}-actie").input_value() == action
            assert page.locator(f"#doelen-{index}-wie").input_value() == who
        assert page.locator("[name='leerroute-motivering']").input_value().startswith("De leerbaarheidstoets")
        assert page.locator("[name='voortgang-interval'][value=P3M]").is_checked()
        page.locator("#doelen-0-doel").fill(CHANGED_AIM)  # one goal changed
        add_goal(page, 3)  # one added
        fill_goal(page, 3, ADDED)
        submit(page)
        decide(page, url, case_id)

        # 5. The newcomer reads what changed, in Arabic and right to left, before signing version 2.
        log_in(page, url, username)
        wait_for_the_plan_pdf(app, case_id)
        page.goto(f"{url}/mijn/plan/ondertekenen")
        assert page.locator("html").get_attribute("dir") == "rtl"
        changes = page.locator("ul.change-list > li > .change-text")
        shown = [changes.nth(i).inner_text() for i in range(changes.count())]
        expected, family = arabic_change_list(app, case_id)
        assert len(shown) == 2 and [" ".join(text.split()) for text in shown] == expected, (shown, expected)
        assert family in shown[1] and family != "Gezin en kinderopvang"  # the life domain in Arabic
        assert not any(re.search(r"Doel|leefgebied|gezin_en|doelen/", text) for text in shown)  # no Dutch, no codes
        heading = page.locator("#changes")
        assert heading.evaluate("el => getComputedStyle(el).direction") == "rtl"
        position = page.evaluate("""() => [document.getElementById('changes').getBoundingClientRect().top,
                                    document.querySelector('[name=typed_name]').getBoundingClientRect().top]""")
        assert position[0] < position[1]  # the change list comes before the signature
        aim = page.locator("ul.change-list > li").first.locator("dd")  # the changed aim: what it was, what it is
        assert [aim.nth(0).inner_text(), aim.nth(1).inner_text()] == [GOALS[0][1], CHANGED_AIM]
        if SHOTS and javascript:  # for the README: what she reads before signing version 2, on a phone
            page.set_viewport_size({"width": 390, "height": 844})
            save_screenshot(page, Path(SHOTS) / "plan-changes-ar-phone.png", 2400)
        sign(page, url, f"{first} Haddad")

        # 6. The next meeting, on version 2: a status for all four goals, no exam result.
        move_to_next_meeting(app, case_id, clock)
        log_in(page, url, "ria")
        hold_meeting(page, url, case_id, ["vertraagd", "op_schema", "behaald", "op_schema"])
        context.close()

    first_meeting, second_meeting = stored_meetings(app, case_id)
    assert [(goal["nummer"], goal["status"]) for goal in first_meeting[0]] == [
        (1, "op_schema"), (2, "vertraagd"), (3, "op_schema")]
    assert [(goal["nummer"], goal["status"]) for goal in second_meeting[0]] == [
        (1, "vertraagd"), (2, "op_schema"), (3, "behaald"), (4, "op_schema")]
    assert first_meeting[1] == [] and second_meeting[1] == []  # no exam result invented


def arabic_change_list(app, case_id: int) -> tuple[list[str], str]:
    """The change list of the version waiting for a signature, as the plans room words it in Arabic."""
    from flask_babel import force_locale, gettext

    from portal.cases.models import Case
    from portal.plans.services import changes_since_previous, current_version

    with unit_of_work(app) as session, app.test_request_context(), force_locale("ar"):
        case = session.get(Case, case_id)
        _before, changes = changes_since_previous(case, current_version(case))
        return [" ".join(change.text.split()) for change in changes], gettext("Gezin en kinderopvang")
