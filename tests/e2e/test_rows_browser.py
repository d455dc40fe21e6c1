"""Repeating groups in a real browser: the PIP's goals added and removed with JavaScript (no reload) and
without it (the same buttons post the form); axe on the form in each state."""

import re


def open_pip(page, live_server) -> str:
    page.goto(f"{live_server}/tasks/")
    page.get_by_role("link", name=re.compile("PIP opstellen")).first.click()
    page.wait_for_url(re.compile(r".*/tasks/\d+$"))
    return page.url


def goal_rows(page):
    return page.locator("[data-rows='doelen'] > [data-row]")


def test_add_and_remove_a_goal_with_javascript(page, live_server, log_in, axe_check):
    log_in("regisseur")
    url = open_pip(page, live_server)
    assert goal_rows(page).count() == 1
    page.locator("#doelen-0-doel").fill("B1 halen")
    add = page.get_by_role("button", name="Nog een doel toevoegen")
    add.click()
    assert page.url == url and goal_rows(page).count() == 2
    assert page.evaluate("document.activeElement.id") == "doelen-1-leefgebied"  # focus in the new row
    assert page.locator("[data-rows='doelen'] [data-rows-status]").inner_text() == "Doel 2 toegevoegd"
    assert page.locator("#doelen-1-doel").input_value() == ""  # an empty copy
    assert goal_rows(page).nth(1).locator("legend").first.inner_text() == "Doel 2"
    page.locator("#doelen-1-doel").fill("Vrijwilligerswerk vinden")
    add.click()
    page.locator("#doelen-2-doel").fill("Kinderopvang regelen")
    axe_check("PIP form with three goals")
    page.get_by_role("button", name="Verwijderen doel 2").click()
    assert goal_rows(page).count() == 2
    assert page.locator("#doelen-1-doel").input_value() == "Kinderopvang regelen"  # renumbered
    assert page.locator("input[name='doelen-1-doel']").count() == 1
    assert page.locator("[data-rows='doelen'] [data-rows-status]").inner_text() == "Doel 2 verwijderd"
    assert page.locator("#doelen-0-doel").input_value() == "B1 halen"
    axe_check("PIP form after removing a goal")
    # what the script built posts as the server expects: a draft keeps both goals
    page.get_by_role("button", name="Concept opslaan").click()
    page.get_by_text("Concept opgeslagen. Je kunt later verder.").wait_for()
    assert goal_rows(page).count() == 2
    assert page.locator("#doelen-1-doel").input_value() == "Kinderopvang regelen"


def test_add_and_remove_a_goal_without_javascript(browser, live_server, axe_check_page):
    context = browser.new_context(java_script_enabled=False, locale="nl-NL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Gebruikersnaam").fill("regisseur")
    page.get_by_label("Wachtwoord").fill("demo-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/tasks/")
    open_pip(page, live_server)
    before = goal_rows(page).count()  # the other test may have left a draft with more goals
    page.locator("#doelen-0-doel").fill("B1 halen")
    page.get_by_role("button", name="Nog een doel toevoegen").click()  # a post: the page comes back
    page.locator(f"#doelen-{before}-doel").wait_for()
    assert goal_rows(page).count() == before + 1 and page.locator("#doelen-0-doel").input_value() == "B1 halen"
    assert page.locator("[data-error-summary]").count() == 0
    axe_check_page(page, "PIP form after adding a goal without JavaScript (phone)")
    page.get_by_role("button", name="Verwijderen doel 1").click()
    page.locator("#doelen-0-doel").wait_for()
    assert goal_rows(page).count() == before and page.locator("#doelen-0-doel").input_value() != "B1 halen"
    context.close()
