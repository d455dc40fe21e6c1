"""As ontwerper in the browser: deploy a draft with a note, dry-run moving the running cases, move them,
watch the progress finish (the page polls and reloads itself), and roll back; axe clean on every page.

The worker does not run beside the live server: the test plays it (``run_due_migrations``) in a thread
while the page waits.
"""

import threading
import time

from sqlalchemy import select

from portal.auth.models import User
from portal.designer.drafts import create_draft, source_name
from portal.designer.services import workdir_files
from portal.extensions import db
from portal.worker import run_due_migrations
from tests.e2e.conftest import LIVE_APPS


def play_the_worker(app) -> threading.Thread:
    def work() -> None:
        time.sleep(1.5)  # the page is showing its progress by now
        with app.app_context():
            while run_due_migrations():
                pass

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_deploy_a_draft_dry_run_migrate_watch_progress_and_roll_back(page, live_server, axe_check_page):
    app = LIVE_APPS[live_server]
    with app.app_context():
        designer = db.session.scalar(select(User).where(User.username == "ontwerper"))
        files = workdir_files()
        files["bpmn/pip.bpmn"] = files["bpmn/pip.bpmn"].replace('"P14D"</bpmn:timeDuration>',
                                                                '"P10D"</bpmn:timeDuration>')
        source = source_name(create_draft("Herinnering na 10 dagen", files, user_id=designer.id))
        db.session.commit()
        old = db.session.scalar(db.text("SELECT max(id) FROM process_version"))

    page.goto(f"{live_server}/login")
    page.get_by_label("Gebruikersnaam").fill("ontwerper")
    page.get_by_label("Wachtwoord").fill("demo-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/ontwerp/")

    # deploy: pick the draft, see lint and diff, a note is required
    page.get_by_role("link", name="In gebruik nemen").click()
    axe_check_page(page, "deploy: choose")
    page.get_by_label("Wat wil je in gebruik nemen?").select_option(source)
    page.get_by_role("button", name="Bekijken").click()
    assert page.get_by_text("Geen fouten").is_visible()
    assert page.locator(".designer-changes").get_by_text("P10D").first.is_visible()
    axe_check_page(page, "deploy: checked")
    page.get_by_role("button", name="In gebruik nemen").click()
    assert page.get_by_role("alert").get_by_text("Schrijf in een notitie").first.is_visible()
    axe_check_page(page, "deploy: error")
    page.get_by_label("Notitie: wat verandert er en waarom?").fill("Herinnering na 10 dagen in plaats van 14")
    page.get_by_role("button", name="In gebruik nemen").click()
    page.wait_for_url(f"**/ontwerp/versies/{old + 1}")
    assert page.get_by_text(f"Versie {old + 1} is in gebruik genomen").is_visible()

    # a dry run of every running case on the old version
    page.get_by_role("link", name="Dossiers verplaatsen").click()
    axe_check_page(page, "migrations")
    page.get_by_label("Dossiers op versie").select_option(str(old))
    page.get_by_label("Verplaatsen naar versie").select_option(str(old + 1))
    page.get_by_role("button", name="Proefrun starten").click()
    page.wait_for_url("**/ontwerp/migraties/*")
    assert page.locator("[data-progress-text][aria-live='polite']").is_visible()
    axe_check_page(page, "dry run: waiting")
    play_the_worker(app)
    page.get_by_role("heading", name="Uitkomst").wait_for(timeout=60_000)  # polled, then reloaded
    assert page.get_by_role("link", name="Kan verplaatst worden").is_visible()
    axe_check_page(page, "dry run: verdicts")

    # move every movable case, watch the progress finish
    page.get_by_role("button", name="Verplaats alle").click()
    assert page.get_by_role("heading", name="Verplaatsen").first.is_visible()
    worker = play_the_worker(app)
    page.get_by_role("link", name="Terugdraaien").wait_for(timeout=120_000)
    worker.join(timeout=60)
    assert page.get_by_role("link", name="Verplaatst").is_visible()
    assert page.get_by_text("Klaar").first.is_visible()
    axe_check_page(page, "migration: done")

    # roll back, after a confirmation
    page.get_by_role("link", name="Terugdraaien").click()
    axe_check_page(page, "rollback: confirm")
    page.get_by_role("button", name="Ja, draai terug").click()
    play_the_worker(app)
    page.get_by_role("link", name="Teruggezet").wait_for(timeout=120_000)
    assert page.get_by_text("Teruggedraaid").first.is_visible()
    axe_check_page(page, "rollback: done")
    with app.app_context():
        on_new = db.session.scalar(db.text("SELECT count(*) FROM workflow_instance WHERE process_version_id = :v"),
                                   {"v": old + 1})
    assert on_new == 0  # every case is back on its version


def sign_in(browser, live_server, username: str, lands_on: str):
    page = browser.new_context(locale="nl-NL").new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill("demo-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lands_on)
    return page


def test_four_eyes_request_and_rejection_pages(browser, live_server, axe_check_page):
    beheerder = sign_in(browser, live_server, "beheerder", "**/beheer/**")
    beheerder.goto(f"{live_server}/ontwerp/instellingen")
    axe_check_page(beheerder, "four-eyes setting")
    beheerder.get_by_label("Aan: een tweede ontwerper").check()
    beheerder.get_by_role("button", name="Opslaan").click()
    assert beheerder.get_by_text("De instelling is gewijzigd.").is_visible()
    try:
        designer = sign_in(browser, live_server, "ontwerper", "**/ontwerp/")
        designer.goto(f"{live_server}/ontwerp/uitrollen?bron=workdir")
        assert designer.get_by_text("Vier-ogen staat aan").first.is_visible()
        designer.get_by_label("Notitie: wat verandert er en waarom?").fill("De werkmap, ter controle")
        designer.get_by_role("button", name="Goedkeuring vragen").click()
        designer.wait_for_url("**/ontwerp/uitrolverzoeken/*")
        assert designer.get_by_text("Dit is je eigen verzoek").is_visible()
        assert designer.get_by_role("button", name="Goedkeuren en in gebruik nemen").count() == 0
        axe_check_page(designer, "own request")

        beheerder.get_by_role("link", name="Procesversies").click()
        axe_check_page(beheerder, "requests")
        beheerder.get_by_role("link", name="Verzoek").first.click()
        assert beheerder.get_by_role("button", name="Goedkeuren en in gebruik nemen").is_visible()
        axe_check_page(beheerder, "request")
        beheerder.get_by_role("button", name="Afwijzen").click()
        assert beheerder.get_by_role("alert").get_by_text("Schrijf waarom je het verzoek afwijst.").first.is_visible()
        axe_check_page(beheerder, "request: error")
        beheerder.get_by_label("Waarom wijs je het verzoek af?").fill("Geen wijziging")
        beheerder.get_by_role("button", name="Afwijzen").click()
        assert beheerder.get_by_text("Het verzoek is afgewezen.").is_visible()
        axe_check_page(beheerder, "request: rejected")
    finally:  # the shared demo server goes on without four-eyes
        beheerder.goto(f"{live_server}/ontwerp/instellingen")
        beheerder.get_by_label("Uit: een ontwerper").check()
        beheerder.get_by_role("button", name="Opslaan").click()
