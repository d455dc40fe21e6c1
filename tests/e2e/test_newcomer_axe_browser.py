"""axe (WCAG 2.2 AA) on every newcomer page in all seven languages at phone width, and on the staff pages of the
plan walk (issue 10) in Dutch and English: 0 violations, and no page scrolls sideways on a phone.

The newcomer pages are the newcomer blueprint's GET pages (taken from the URL map, so a new page fails this test
until it is listed here) and the account pages a newcomer reaches. Two newcomers show the states a page can be in:
Amina has a plan waiting for her signature; Yusuf signed his, had a meeting and is asked how it goes. One browser;
one context per language."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
import time_machine
from werkzeug.serving import make_server

#: After the machine's real date, so cookies the server dates are not already expired.
START = datetime(2027, 3, 1, 9, tzinfo=UTC)
PASSWORD = "amina-geheim-1"  # the password tests.factories.sign_plan signs with
PHONE = {"width": 375, "height": 812}
LANGUAGES = ["nl", "en", "ar", "fa", "ti", "uk", "tr"]
#: Every GET page of the newcomer blueprint a newcomer (or a visitor) opens; the PDF and the data copy are files.
NEWCOMER_PAGES = {"/mijn/", "/mijn/plan/nl", "/mijn/plan/ondertekenen", "/mijn/voortgang/hoe-gaat-het",
                  "/mijn/voortgang", "/mijn/zorgen", "/mijn/inzage", "/mijn/gegevens", "/activeren", "/verify"}
FILES = {"/mijn/plan.pdf", "/mijn/gegevens/<int:copy_id>/download"}
#: Pages outside the blueprint that a newcomer reaches: signing in and the account.
ACCOUNT_PAGES = ["/account", "/account/wachtwoord"]
PUBLIC_PAGES = ["/login", "/activeren", "/verify"]
#: Pages whose state differs per newcomer (a task open or not): Yusuf's are checked too.
STATEFUL_PAGES = ["/mijn/", "/mijn/plan/ondertekenen", "/mijn/voortgang/hoe-gaat-het", "/mijn/voortgang"]
GOALS = [{"leefgebied": "taal_en_leerbaarheid", "doel": "B1 halen", "actie": "Taalles", "wie": "taalschool"},
         {"leefgebied": "opleiding_en_werk", "doel": "Werkervaring in de zorg", "actie": "Stage zoeken",
          "wie": "werkplein"},
         {"leefgebied": "financien", "doel": "Vaste lasten op tijd betalen", "actie": "Budgetcursus",
          "wie": "regisseur"}]


@pytest.fixture(scope="module")
def axe_world(tmp_path_factory, seal_config):
    """An app on its own database with cases in the states the pages show (made by factories)."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.auth.models import Municipality, User
    from portal.casefile.services import open_case
    from portal.cases.services import KoppelingData
    from portal.concerns.services import raise_concern
    from portal.db import local_today
    from portal.extensions import db
    from portal.processes.services import deploy
    from portal.security import hash_password
    from tests.factories import (
        complete,
        fire_next_timer,
        hold_next_meeting,
        open_steps,
        sign_plan,
        walk_intake,
        walk_to_signing,
    )

    db_file = tmp_path_factory.mktemp("axe") / "axe.sqlite3"
    app = create_app({**seal_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}", "SECRET_KEY": "e2e-axe",
                      "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False,
                      "TWO_FACTOR_ROLES": ()})
    with app.app_context(), time_machine.travel(START, tick=False) as clock:
        upgrade()
        deploy()
        utrecht = Municipality(code="0344", name="Utrecht")
        db.session.add(utrecht)

        def user(username: str, role: str, locale: str, name: str) -> User:
            made = User(username=username, display_name=name, role=role, locale=locale, municipality=utrecht,
                        password_hash=hash_password(PASSWORD))
            db.session.add(made)
            db.session.flush()
            return made

        ria = user("ria", "regisseur", "nl", "Ria de Vries")
        amina, yusuf = user("amina", "inburgeraar", "ar", "Amina Haddad"), user("yusuf", "inburgeraar", "fa",
                                                                                  "Yusuf Ahmadi")
        numbers = iter(range(3000000101, 3000000200))

        def case(first: str, last: str):
            return open_case(KoppelingData(v_nummer=str(next(numbers)), voornaam=first, achternaam=last,
                                           geboortedatum=date(1990, 5, 1), land_van_herkomst="Syrië",
                                           taal="arabisch", huishoudgrootte=3, koppelingsdatum=local_today()),
                             utrecht, ria.id, None, "test")

        today = local_today().isoformat()
        amina_case = case("Amina", "Haddad")  # plan decided, waiting for her signature
        walk_to_signing(amina_case, ria, amina, decided_on=today, doelen=GOALS)
        amina_case, amina, ria = db.session.merge(amina_case), db.session.merge(amina), db.session.merge(ria)
        raise_concern(amina_case, amina, "hulp_nodig", "Ik begrijp doel 2 niet goed.")
        yusuf_case = case("Yusuf", "Ahmadi")  # signed, one meeting held, asked how it goes before the next
        walk_to_signing(yusuf_case, ria, yusuf, decided_on=today, doelen=GOALS)
        yusuf_case, yusuf, ria = db.session.merge(yusuf_case), db.session.merge(yusuf), db.session.merge(ria)
        sign_plan(yusuf_case, yusuf)
        yusuf_case, yusuf, ria = db.session.merge(yusuf_case), db.session.merge(yusuf), db.session.merge(ria)
        hold_next_meeting(yusuf_case, ria, yusuf, clock)
        yusuf_case = db.session.merge(yusuf_case)
        fire_next_timer(yusuf_case, clock)
        assert "zelfbeoordeling" in open_steps(yusuf_case)
        drafting = case("Hana", "Tesfay")  # the PIP form
        walk_intake(drafting, ria)
        deciding = case("Omar", "Farah")  # the decision form
        walk_intake(deciding, ria)
        complete(deciding, "pip_opstellen", ria, day=local_today(), doelen=GOALS)
        now = datetime.now(UTC)
        db.session.commit()
        ids = {"amina": amina_case.id, "yusuf": yusuf_case.id, "drafting": drafting.id, "deciding": deciding.id}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, f"http://127.0.0.1:{server.server_port}", ids, now
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def set_locale(app, username: str, locale: str) -> None:
    from portal.auth.models import User
    from portal.extensions import db

    with app.app_context():
        db.session.query(User).filter_by(username=username).one().locale = locale
        db.session.commit()
        db.session.remove()


def log_in(page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def check(page, url: str, path: str, language: str, axe_check_page) -> None:
    """Open ``path``; it answers 200 in ``language`` (and its direction), axe finds nothing, no sideways scroll."""
    response = page.goto(f"{url}{path}")
    context = f"{path} ({language})"
    assert response is not None and response.status == 200, f"{context}: {response and response.status}"
    html = page.locator("html")
    assert html.get_attribute("lang") == language, context
    assert html.get_attribute("dir") == ("rtl" if language in ("ar", "fa") else "ltr"), context
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{context}: scrolls sideways on a phone ({widths[0]} px > {widths[1]} px)"
    axe_check_page(page, context)


def test_the_list_of_newcomer_pages_is_complete(axe_world):
    """Every GET page of the newcomer blueprint is checked below (or is a file download)."""
    app = axe_world[0]
    rules = {rule.rule for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("newcomer.") and "GET" in rule.methods and not rule.rule.startswith("/cases/")}
    assert rules == NEWCOMER_PAGES | FILES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_newcomer_page_at_phone_width(browser, axe_world, axe_check_page, language):
    app, url, _ids, now = axe_world
    with time_machine.travel(now, tick=True):
        context = browser.new_context(locale=language, viewport=PHONE)
        page = context.new_page()
        for path in PUBLIC_PAGES:
            check(page, url, path, language, axe_check_page)
        for username, paths in (("amina", sorted(NEWCOMER_PAGES - set(PUBLIC_PAGES)) + ACCOUNT_PAGES),
                                ("yusuf", STATEFUL_PAGES)):
            set_locale(app, username, language)
            log_in(page, url, username)
            for path in paths:
                check(page, url, path, language, axe_check_page)
        context.close()
    set_locale(app, "amina", "ar")
    set_locale(app, "yusuf", "fa")


def staff_pages(app, ids) -> list[tuple[str, str]]:
    """The staff pages of the walk: worklist, case list, case page, plan page and each step's form."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.tasks.models import HumanTask

    with app.app_context():
        tasks = {bpmn_id: task_id for bpmn_id, task_id in db.session.execute(
            select(HumanTask.bpmn_id, HumanTask.id).where(HumanTask.status == HumanTask.OPEN))}
        db.session.remove()
    return [("worklist", "/tasks/"), ("case list", "/cases/"), ("case page", f"/cases/{ids['yusuf']}"),
            ("case page at signing", f"/cases/{ids['amina']}"), ("plan page", f"/cases/{ids['yusuf']}/plan/"),
            ("PIP form", f"/tasks/{tasks['pip_opstellen']}"), ("decision form", f"/tasks/{tasks['pip_vaststellen']}")]


def move_yusuf_to(app, ids, step: str, now: datetime) -> str:
    """Yusuf's case moves on (factories): his self-assessment, the meeting, a signal that is followed up.
    Returns the page of the open step."""
    from portal.cases.models import Case
    from portal.db import local_today
    from portal.extensions import db
    from tests.factories import complete, fire_next_timer, open_steps, open_task

    with app.app_context(), time_machine.travel(now, tick=False) as clock:
        case = db.session.get(Case, ids["yusuf"])
        if "zelfbeoordeling" in open_steps(case):
            complete(case, "zelfbeoordeling", case.newcomer_user, day=local_today())
        if "voortgangsgesprek" not in open_steps(case) and "signaal_opvolgen" not in open_steps(case):
            fire_next_timer(case, clock)
        if step == "signaal_opvolgen" and step not in open_steps(case):
            complete(case, "voortgangsgesprek", case.regisseur, day=local_today(),
                     signalen={"leefgebieden": ["gezin"], "toelichting": "Geen kinderopvang voor de kinderen."})
        task_id = open_task(case, step).id
        db.session.commit()
        db.session.remove()
    return f"/tasks/{task_id}"


def test_the_staff_pages_of_the_plan_walk(browser, axe_world, axe_check_page):
    """In Dutch and English; Yusuf's case is moved on to the meeting and the signal's follow-up on the way."""
    app, url, ids, now = axe_world
    contexts = {}
    with time_machine.travel(now, tick=True):
        for language in ("nl", "en"):
            contexts[language] = browser.new_context(locale=language, viewport={"width": 1280, "height": 900})
            page = contexts[language].new_page()
            set_locale(app, "ria", language)
            log_in(page, url, "ria")
        pages = staff_pages(app, ids)
    for step, name in (("voortgangsgesprek", "meeting form"), ("signaal_opvolgen", "signal follow-up form"), ):
        pages.append((name, step))
    with time_machine.travel(now, tick=True):
        for name, path in pages:
            if not path.startswith("/"):
                path = move_yusuf_to(app, ids, path, now)
            for language, context in contexts.items():
                page = context.pages[0]
                set_locale(app, "ria", language)  # the saved choice wins over the session's: one user, two tabs
                response = page.goto(f"{url}{path}")
                assert response is not None and response.status == 200, name
                assert page.locator("html").get_attribute("lang") == language, name
                axe_check_page(page, f"{name} ({language})")
    for context in contexts.values():
        context.close()
