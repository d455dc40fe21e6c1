"""Issue 12's "done when", in one walk through the real pages.

As ontwerper: open the newest version and see the intake's diagram with a count on the step where the demo's
Leyla waits (the intake summary); in a draft add a user task after that step in the modeler, see the lint error
"no form" on the element and in the list, create its form in the form editor (a new required field, seen in the
live preview), see the draft clean; see the diff; deploy with a note; dry-run moving the running cases and move
them. Then as regisseur: open Leyla's case (now on the new version), complete the summary, and the new step
opens with the fields made in the form editor; fill it in and complete it. axe on every page outside the canvas.

Only the canvas gestures go through bpmn-js's modeling API (the canvas is drag-only); the worker does not run
beside the live server, so the test plays it while the migration page waits (as test_designer_migrate does).
"""

import re
import time

from sqlalchemy import select

from portal.cases.models import Case
from portal.extensions import db
from tests.e2e.conftest import LIVE_APPS
from tests.e2e.test_designer_browser import axe_outside_canvas, rendered
from tests.e2e.test_designer_migrate_browser import play_the_worker
from tests.e2e.test_modeler_browser import saves_done

LEYLA = "1000000006"  # the demo case waiting at "Samenvatting brede intake bevestigen" (regisseur's)
STEP_ID = "intake_nagesprek"
STEP_NAME = "Nagesprek na de brede intake"
FIELD = "Afspraken voor het PIP"


def sign_in(page, live_server, username: str, lands_on: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill("demo-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lands_on)


def test_designer_adds_a_step_deploys_migrates_and_the_regisseur_completes_it(page, browser, live_server):
    started = time.monotonic()
    app = LIVE_APPS[live_server]
    with app.app_context():
        leyla = db.session.scalar(select(Case).where(Case.v_number == LEYLA))
        case_id, reference = leyla.id, leyla.reference
        source_version = db.session.scalar(db.text(
            "SELECT process_version_id FROM workflow_instance WHERE case_id = :c"), {"c": case_id})

    errors: list[str] = []  # script errors, CSP violations and failed requests of the designer's pages
    page.on("console", lambda message: errors.append(message.text) if message.type == "error"
            and not message.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)

    # -- see: the current version, the intake's diagram with per-node counts
    sign_in(page, live_server, "ontwerper", "**/ontwerp/")
    axe_outside_canvas(page, "versions")
    # the version Leyla's case runs on (the newest, unless another test of the session deployed one)
    page.get_by_role("link", name=f"Versie {source_version}", exact=True).click()
    axe_outside_canvas(page, "version")
    page.get_by_role("link", name="Brede intake", exact=True).click()
    assert rendered(page) == "true"
    badge = page.locator(".djs-overlays[data-container-id='intake_samenvatting'] .designer-badge--count")
    assert int(badge.first.inner_text()) >= 1  # Leyla waits there
    assert badge.first.inner_text() == page.locator("#node-intake_samenvatting td").last.inner_text()
    axe_outside_canvas(page, "diagram with counts")

    # -- change: a draft, a user task after the summary (the step Leyla is at)
    page.get_by_role("link", name="Concepten").click()
    page.get_by_label("Naam van het concept").fill("Nagesprek na de intake")
    page.get_by_role("button", name="Concept aanmaken").click()
    page.wait_for_url("**/ontwerp/concepten/*")
    draft_url = page.url
    page.get_by_role("link", name="Brede intake", exact=True).click()
    assert rendered(page) == "true"
    page.evaluate("""() => {
        const m = window.portalModeler, flow = m.get('elementRegistry').get('flow_samenvatting_afronden');
        const [a, b] = [flow.waypoints[0], flow.waypoints[flow.waypoints.length - 1]];
        const shape = m.get('elementFactory').createShape({type: 'bpmn:UserTask'});
        m.get('modeling').createShape(shape, {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2}, flow);
        m.get('selection').select(shape);
    }""")
    panel = page.locator("#modeler-panel")
    panel.get_by_label("ID", exact=True).fill(STEP_ID)
    panel.get_by_label("ID", exact=True).press("Tab")
    panel.get_by_label("Naam").fill(STEP_NAME)
    panel.get_by_label("Naam").press("Tab")
    panel.get_by_label("Baan (rol)").select_option(label="Regisseur")
    panel.get_by_label("Termijn (dueIn)").fill("P1W")
    panel.get_by_label("Termijn (dueIn)").press("Tab")
    page.get_by_role("button", name="Opslaan").click()
    saves_done(page, 1)

    # -- check: the missing form on the element and in the list
    assert page.locator(f"[data-element-id='{STEP_ID}'].djs-shape.designer-lint-error").count() == 1
    assert page.locator(f".djs-overlays[data-container-id='{STEP_ID}'] .designer-badge--lint").count() == 1
    message = page.locator("#modeler-lint li", has_text=f"[brede_intake/{STEP_ID}] no form")
    assert "workflows/bpmn/brede_intake.bpmn:" in message.inner_text()
    axe_outside_canvas(page, "modeler with lint")

    # -- the form: made for the task from the draft's forms page, a required field added in the editor
    page.goto(draft_url)
    assert page.locator("#controle + p").get_by_text("1 probleem").is_visible()
    page.get_by_role("link", name=re.compile("^Formulieren van concept")).click()
    axe_outside_canvas(page, "draft forms with a task without a form")
    page.locator(".designer-missing-forms li", has_text=STEP_ID).get_by_role("button", name="Formulier maken").click()
    page.wait_for_url(f"**/formulieren/{STEP_ID}")
    assert page.get_by_text(f"Formulier {STEP_ID}.json gemaakt.").is_visible()
    rows = page.locator("[data-fields] [data-field-row]")
    before = rows.count()
    page.get_by_role("button", name="Veld toevoegen", exact=True).click()
    rows.nth(before).wait_for()
    page.locator(f"#editor-velden-{before}-titel").fill(FIELD)
    page.locator(f"#editor-velden-{before}-naam").fill("afspraken")
    page.locator(f"#editor-velden-{before}-verplicht").check()
    page.locator("[data-preview]").get_by_text(FIELD).wait_for()  # the live preview follows
    axe_outside_canvas(page, "form editor")
    page.get_by_role("button", name="Opslaan in het concept").click()
    page.get_by_text("Het formulier is opgeslagen in het concept.").wait_for()
    assert '"afspraken"' in page.locator("#editor-bron").input_value()

    # -- fixed: the draft is clean, in the modeler too
    page.goto(draft_url)
    assert page.get_by_text("De controle vond geen problemen in dit concept.").is_visible()
    page.get_by_role("link", name="Brede intake", exact=True).click()
    assert rendered(page) == "true"
    page.get_by_role("button", name="Opslaan").click()
    saves_done(page, 1)
    assert page.locator("#modeler-lint-summary").inner_text() == "De controle vond geen problemen in het concept."
    assert page.locator(".designer-lint-error").count() == 0

    # -- the diff against the version the draft started from
    page.goto(draft_url)
    page.get_by_role("link", name="Vergelijk met de basis").click()
    changes = page.locator(".designer-changes")
    assert changes.locator(".designer-change--added", has_text=STEP_NAME).first.is_visible(), changes.inner_text()
    assert changes.locator(".designer-change--added", has_text=f"{STEP_ID}.json").first.is_visible()
    axe_outside_canvas(page, "diff")
    page.get_by_role("link", name="Brede intake", exact=True).click()  # the same on the diagram
    assert rendered(page) == "true"
    assert page.locator(f"[data-element-id='{STEP_ID}'].djs-shape.designer-mark-added").count() == 1
    assert page.locator(f".djs-overlays[data-container-id='{STEP_ID}'] .designer-badge--added").count() == 1
    axe_outside_canvas(page, "diff on the diagram")

    # -- deploy with a note
    page.goto(draft_url)
    page.locator("#main").get_by_role("link", name="In gebruik nemen").click()
    source = "draft-" + draft_url.rstrip("/").rsplit("/", 1)[1]
    assert page.get_by_label("Wat wil je in gebruik nemen?").input_value() == source
    assert page.get_by_text("Geen fouten").is_visible(), page.locator("#main").inner_text()
    page.get_by_label("Notitie: wat verandert er en waarom?").fill("Een nagesprek na de brede intake")
    page.get_by_role("button", name="In gebruik nemen").click()
    page.wait_for_url("**/ontwerp/versies/*")
    target = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert page.get_by_text(f"Versie {target} is in gebruik genomen").is_visible()
    axe_outside_canvas(page, "deployed")

    # -- dry run, then move the running cases
    page.get_by_role("link", name="Dossiers verplaatsen").click()
    page.get_by_label("Dossiers op versie").select_option(str(source_version))
    page.get_by_label("Verplaatsen naar versie").select_option(str(target))
    page.get_by_role("button", name="Proefrun starten").click()
    page.wait_for_url("**/ontwerp/migraties/*")
    play_the_worker(app)
    page.get_by_role("heading", name="Uitkomst").wait_for(timeout=60_000)
    row = page.locator("tr", has_text=reference)
    assert "Kan verplaatst worden" in row.inner_text(), row.inner_text()
    axe_outside_canvas(page, "dry run")
    page.get_by_role("button", name=re.compile("^Verplaats")).click()
    worker = play_the_worker(app)
    page.get_by_role("link", name="Terugdraaien").wait_for(timeout=120_000)
    worker.join(timeout=60)
    assert page.get_by_role("link", name="Verplaatst").is_visible()
    axe_outside_canvas(page, "migrated")
    with app.app_context():
        on = db.session.scalar(db.text("SELECT process_version_id FROM workflow_instance WHERE case_id = :c"),
                               {"c": case_id})
    assert on == target
    assert errors == [], errors

    # -- as regisseur: Leyla's case, the summary, then the new step
    regisseur = browser.new_context(locale="nl-NL").new_page()
    sign_in(regisseur, live_server, "regisseur", "**/tasks/")
    regisseur.goto(f"{live_server}/cases/{case_id}")
    assert regisseur.get_by_role("link", name=STEP_NAME).count() == 0  # not yet: the summary comes first
    regisseur.get_by_role("link", name=re.compile("Samenvatting brede intake bevestigen")).first.click()
    regisseur.wait_for_url(re.compile(r".*/tasks/\d+$"))
    summary_url = regisseur.url
    regisseur.get_by_label("Samenvatting", exact=True).fill("Startpositie en kansen besproken.")
    regisseur.get_by_label("Taal en leerbaarheid").fill("B1 haalbaar.")
    regisseur.get_by_label("Opleiding en werk").fill("Wil in de zorg werken.")
    regisseur.get_by_label("Persoonlijke omstandigheden en gezondheid").fill("Geen belemmeringen.")
    regisseur.get_by_label("Samenvatting besproken met de inburgeraar").check()
    regisseur.get_by_label("Ik bevestig dat de brede intake compleet is").check()
    regisseur.get_by_role("button", name="Afronden").click()
    regisseur.wait_for_url(lambda url: url != summary_url)
    regisseur.goto(f"{live_server}/cases/{case_id}")
    regisseur.get_by_role("link", name=STEP_NAME).first.click()
    regisseur.wait_for_url(re.compile(r".*/tasks/\d+$"))
    task_url = regisseur.url
    regisseur.get_by_role("button", name="Afronden").click()  # the new required field
    assert regisseur.get_by_role("alert").get_by_text(FIELD).first.is_visible()
    regisseur.get_by_label(FIELD).fill("Leerroute B1 en een snuffelstage in de zorg.")
    regisseur.get_by_role("button", name="Afronden").click()
    regisseur.wait_for_url(lambda url: url != task_url)
    regisseur.goto(task_url)  # the step is done: who and when, and the answer
    assert regisseur.get_by_text("Afgerond door Ria Regisseur").is_visible()
    assert regisseur.get_by_text("snuffelstage in de zorg").first.is_visible()
    regisseur.goto(f"{live_server}/cases/{case_id}")
    assert regisseur.locator("li", has_text=STEP_NAME).filter(has_text="afgerond door Ria Regisseur").count() == 1
    with app.app_context():
        status, data = db.session.execute(db.text(
            "SELECT status, submitted_data FROM human_task WHERE case_id = :c AND bpmn_id = :b"),
            {"c": case_id, "b": STEP_ID}).one()
    assert status == "completed" and "snuffelstage" in str(data)
    regisseur.context.close()
    assert time.monotonic() - started < 180
