"""A regisseur works the intake in a real browser; every state is checked with axe."""

import re


def test_worklist_task_error_and_case_pages_are_accessible(page, live_server, log_in, axe_check):
    log_in("regisseur")
    axe_check("worklist")
    assert page.locator("table").count() == 1
    page.get_by_role("link", name=re.compile("Kennismakingsgesprek")).first.click()
    page.wait_for_url(re.compile(r".*/tasks/\d+$"))
    axe_check("task form")
    page.get_by_role("button", name="Afronden").click()
    summary = page.locator("[role=alert]").first
    assert "Er is een probleem" in summary.inner_text()
    axe_check("task form with errors")
    # the summary links to the field
    first_link = summary.locator("a").first
    target = first_link.get_attribute("href")
    assert target.startswith("#") and page.locator(target).count() == 1
    page.goto(f"{live_server}/cases/")
    axe_check("case list")
    page.locator("table a").first.click()
    axe_check("case page")


def test_draft_survives_reload(page, live_server, log_in):
    log_in("regisseur")
    page.get_by_role("link", name=re.compile("Kennismakingsgesprek")).first.click()
    page.locator("textarea").first.fill("Wil eerst de taalles in het azc afmaken")
    page.get_by_role("button", name="Concept opslaan").click()
    page.get_by_text("Concept opgeslagen. Je kunt later verder.").wait_for()  # the redirect has landed
    page.reload()
    assert page.locator("textarea").first.input_value() == "Wil eerst de taalles in het azc afmaken"


def test_login_page_in_arabic_is_right_to_left_and_accessible(browser, live_server, axe_check_page):
    context = browser.new_context(extra_http_headers={"Accept-Language": "ar"})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    axe_check_page(page, "login (ar)")
    context.close()


def test_skip_link_is_first_in_keyboard_order(page, live_server):
    page.goto(f"{live_server}/login")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
