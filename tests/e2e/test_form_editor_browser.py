"""The form editor in a real browser: as ontwerper open a draft's form, add a field, see it in the live
preview (drawn by the task page's own macros), save; the same without JavaScript with "Voorbeeld tonen".
axe clean on the list and the editor in each state."""

import pytest

FORM = "handhaving_beoordelen"


@pytest.fixture(scope="module")
def draft_id(live_app):
    from portal.auth.models import User
    from portal.designer.drafts import create_draft
    from portal.designer.services import workdir_files
    from portal.extensions import db

    with live_app.app_context():
        olga = db.session.scalar(db.select(User).where(User.username == "ontwerper"))
        draft = create_draft("Formulieren in de browser", workdir_files(), user_id=olga.id)
        db.session.commit()
        return draft.id


def log_in_as_designer(page, live_server):
    page.goto(f"{live_server}/login")
    page.get_by_label("Gebruikersnaam").fill("ontwerper")
    page.get_by_label("Wachtwoord").fill("demo-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/ontwerp/")


def rows(page):
    return page.locator("[data-fields] [data-field-row]")


def test_add_a_field_and_see_it_in_the_live_preview(page, live_server, draft_id, axe_check):
    log_in_as_designer(page, live_server)
    page.goto(f"{live_server}/ontwerp/concepten/{draft_id}/formulieren")
    axe_check("draft forms")
    page.get_by_role("link", name=f"{FORM}.json").click()
    page.wait_for_url(f"**/formulieren/{FORM}")
    axe_check("form editor")
    before = rows(page).count()
    page.get_by_role("button", name="Veld toevoegen", exact=True).click()
    rows(page).nth(before).wait_for()  # drawn in place by the script
    assert page.url.endswith(f"/formulieren/{FORM}")
    title = page.locator(f"#editor-velden-{before}-titel")
    assert page.evaluate("document.activeElement.id") == f"editor-velden-{before}-titel"
    title.fill("Reden van uitstel")
    preview = page.locator("[data-preview]")
    preview.get_by_text("Reden van uitstel").wait_for()  # the preview followed the typing
    assert preview.get_by_role("button", name="Afronden").is_visible()
    assert '"title": "Reden van uitstel"' in page.locator("#editor-bron").input_value()
    axe_check("form editor with a new field")
    page.get_by_role("button", name="Opslaan in het concept").click()
    page.get_by_text("Het formulier is opgeslagen in het concept.").wait_for()
    assert page.locator(f"#editor-velden-{before}-titel").input_value() == "Reden van uitstel"
    assert page.locator("[data-preview]").get_by_text("Reden van uitstel").count() >= 1
    # broken JSON while typing: the problem with its line and column, the text kept, axe clean in that state
    page.locator("#editor-bron").fill('{\n  "type": "object",\n  "properties": {,}\n}')
    page.locator("[data-problems]").get_by_text("regel 3, kolom").wait_for()
    assert page.locator("[data-preview]").get_by_text("Er is nog geen voorbeeld").is_visible()
    assert page.locator("#editor-bron").input_value().startswith('{\n  "type": "object"')
    axe_check("form editor with a problem")


def test_the_same_without_javascript(browser, live_server, draft_id, axe_check_page):
    context = browser.new_context(java_script_enabled=False, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in_as_designer(page, live_server)
    page.goto(f"{live_server}/ontwerp/concepten/{draft_id}/formulieren/{FORM}")
    before = rows(page).count()
    page.get_by_role("button", name="Veld toevoegen", exact=True).click()  # a post: the page comes back
    page.locator(f"#editor-velden-{before}-titel").wait_for()
    page.locator(f"#editor-velden-{before}-titel").fill("Datum van het besluit")
    page.locator(f"#editor-velden-{before}-soort").select_option("date")
    page.get_by_role("button", name="Voorbeeld tonen").last.click()
    preview = page.locator("[data-preview]")
    preview.get_by_text("Datum van het besluit").wait_for()
    assert preview.get_by_label("Datum van het besluit").count() == 1  # a labelled input in the preview
    assert page.locator(f"#editor-velden-{before}-titel").input_value() == "Datum van het besluit"  # kept
    # axe is a script and cannot run in a page without JavaScript: check the same DOM in a page that runs them
    checker = browser.new_context(locale="nl-NL").new_page()
    checker.goto(f"{live_server}/login")
    checker.set_content(page.content())
    axe_check_page(checker, "form editor without JavaScript, after Voorbeeld tonen")
    checker.context.close()
    page.get_by_role("button", name="Opslaan in het concept").click()
    page.get_by_text("Het formulier is opgeslagen in het concept.").wait_for()
    assert '"format": "date"' in page.locator("#editor-bron").input_value()
    context.close()
