"""The one date input in a real browser (an English Chromium, which would show <input type="date"> as
mm/dd/yyyy): a text box for dd-mm-jjjj with its example, wide enough for ten characters; wrong input comes
back as typed in the error pattern, also in a goal row the script added and in a form posted without
JavaScript. The PIP is never completed here (other tests use it)."""

import re

from tests.e2e.test_rows_browser import open_pip


def log_in_as_regisseur(page, live_server) -> None:
    """The login page follows the browser's language (English here); the regisseur works in Dutch."""
    page.goto(f"{live_server}/login")
    page.locator("#username").fill("regisseur")
    page.locator("#password").fill("demo-wachtwoord")
    page.locator("#password").press("Enter")
    page.wait_for_url("**/tasks/")


def assert_date_input(page, field_id: str) -> None:
    box = page.locator(f"#{field_id}")
    assert box.get_attribute("type") == "text" and box.get_attribute("inputmode") == "numeric"
    assert f"{field_id}-example" in box.get_attribute("aria-describedby").split()
    assert page.locator(f"#{field_id}-example").inner_text() == "Bijvoorbeeld 27-03-2026"
    digits = page.evaluate("""(id) => {
        const probe = document.createElement("span");
        probe.style.font = getComputedStyle(document.getElementById(id)).font;
        probe.style.position = "absolute";
        probe.style.whiteSpace = "nowrap";
        probe.textContent = "27-03-2026";
        document.body.appendChild(probe);
        const width = probe.getBoundingClientRect().width;
        probe.remove();
        return width;
    }""", field_id)
    width = box.bounding_box()["width"]
    assert digits < width < digits * 2.5, (digits, width)  # room for the date, not a full-width box


def test_a_date_in_a_row_added_by_the_script_and_its_error(browser, live_server, axe_check_page):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    log_in_as_regisseur(page, live_server)
    open_pip(page, live_server)
    rows = page.locator("[data-rows='doelen'] > [data-row]")
    last = rows.count() - 1
    assert_date_input(page, f"doelen-{last}-uiterlijk")
    page.locator(f"#doelen-{last}-uiterlijk").fill("31-02-2027")
    page.get_by_role("button", name="Nog een doel toevoegen").click()
    added = f"doelen-{last + 1}-uiterlijk"
    assert_date_input(page, added)  # the copy keeps the pattern, renumbered
    assert page.locator(f"#{added}").input_value() == ""
    page.locator(f"#{added}").fill("1/6/27")
    page.get_by_role("button", name="Afronden").click()
    page.locator("[data-error-summary]").wait_for()
    summary = page.locator("[data-error-summary]").inner_text()
    assert f"Doel {last + 1} – Uiterlijk bestaat niet: 31-02-2027." in summary
    assert f"Doel {last + 2} – Vul het jaar van uiterlijk in met vier cijfers, bijvoorbeeld 27-03-2026." in summary
    for field_id, typed in ((f"doelen-{last}-uiterlijk", "31-02-2027"), (added, "1/6/27")):
        box = page.locator(f"#{field_id}")
        assert box.input_value() == typed and box.get_attribute("aria-invalid") == "true"
        assert box.get_attribute("aria-describedby") == f"{field_id}-example {field_id}-error"
    axe_check_page(page, "PIP form with wrong dates in two goal rows")
    # a row copied from one with an error starts clean, with its example
    page.get_by_role("button", name="Nog een doel toevoegen").click()
    fresh = f"doelen-{last + 2}-uiterlijk"
    assert page.locator(f"#{fresh}").get_attribute("aria-invalid") is None
    assert page.locator(f"#{fresh}").get_attribute("aria-describedby") == f"{fresh}-example"
    assert page.locator(f"#{fresh}-error").count() == 0
    context.close()


def test_a_wrong_date_without_javascript_comes_back_as_typed(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    log_in_as_regisseur(page, live_server)
    page.goto(f"{live_server}/cases/new")
    assert page.locator("input[type=date]").count() == 0
    page.locator("#geboortedatum").fill("29-02-2027")
    page.locator("#koppelingsdatum").fill("2026-01-05")  # ISO as typed by a script
    page.get_by_role("button", name="Dossier openen").click()
    page.locator("[data-error-summary]").wait_for()
    assert page.locator("#geboortedatum").input_value() == "29-02-2027"
    assert page.locator("#geboortedatum-error").inner_text().endswith("Geboortedatum bestaat niet: 29-02-2027.")
    assert page.locator("#koppelingsdatum").input_value() == "2026-01-05"
    assert page.locator("#koppelingsdatum-error").count() == 0
    assert re.search(r"Bijvoorbeeld 27-03-1990", page.locator("#geboortedatum-example").inner_text())
    context.close()
