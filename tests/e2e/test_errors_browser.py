"""One error pattern in a real browser: the new-case form and a task form, both checked with axe."""

import os
import re

SHOTS = os.environ.get("PORTAL_SHOTS_DIR")  # set to keep screenshots for a human look


def _shot(page, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_new_case_form_marks_every_invalid_field(page, live_server, log_in, axe_check):
    log_in("regisseur")
    page.goto(f"{live_server}/cases/new")
    page.locator("#v_nummer").fill("12AB")
    page.get_by_role("button", name="Dossier openen").click()
    summary = page.locator("[data-error-summary]")
    assert summary.locator("h2").inner_text() == "Er is een probleem"
    # focused on load by portal.js (it may run a moment after the summary is in the DOM: wait, don't sample)
    page.wait_for_function("document.activeElement && document.activeElement.hasAttribute('data-error-summary')",
                           timeout=5000)
    assert page.locator("#v_nummer").get_attribute("aria-invalid") == "true"
    assert "v_nummer-error" in page.locator("#v_nummer").get_attribute("aria-describedby")
    assert "10 cijfers" in page.locator("#v_nummer-error").inner_text()
    # the label sits above its input
    label, box = page.locator("label[for=voornaam]").bounding_box(), page.locator("#voornaam").bounding_box()
    assert label["y"] + label["height"] <= box["y"]
    axe_check("new-case form with errors")
    _shot(page, "new-case-errors")
    summary.locator("a[href='#voornaam']").click()
    assert page.evaluate("document.activeElement.id") == "voornaam"


def test_task_form_errors_name_the_field(page, live_server, log_in, axe_check):
    log_in("regisseur")
    page.get_by_role("link", name=re.compile("Kennismakingsgesprek")).first.click()
    page.wait_for_url(re.compile(r".*/tasks/\d+$"))
    page.get_by_role("button", name="Afronden").click()
    summary = page.locator("[data-error-summary]")
    assert "Er is een probleem" in summary.inner_text()
    assert "Vul dit veld in." not in page.content()
    invalid = page.locator("[aria-invalid=true]")
    assert invalid.count() >= 1
    first = invalid.first
    message_id = next(i for i in first.get_attribute("aria-describedby").split() if i.endswith("-error"))
    assert page.locator(f"#{message_id}").inner_text().strip()
    for select in page.locator("select.utrecht-form-field__input").all():  # labels above selects
        label = page.locator(f"label[for='{select.get_attribute('id')}']").bounding_box()
        assert label["y"] + label["height"] <= select.bounding_box()["y"]
    axe_check("task form with errors")
    _shot(page, "task-form-errors")
