"""Yusuf (demo newcomer, Farsi) half a year into his plan; the regisseur and teamleider follow up. axe on each page."""

import re


def test_yusuf_tells_how_it_goes_and_raises_a_concern(browser, live_server, axe_check_page):
    context = browser.new_context(locale="fa", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.locator("#username").fill("yusuf")
    page.locator("#password").fill("demo-wachtwoord")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/mijn/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator("a[href$='/mijn/voortgang/hoe-gaat-het']").first.click()
    page.wait_for_url("**/mijn/voortgang/hoe-gaat-het")
    axe_check_page(page, "self-assessment (fa)")
    page.locator("form button[type=submit]").last.click()  # nothing chosen: an error summary, nothing lost
    assert page.locator("[role=alert]").count() >= 1
    axe_check_page(page, "self-assessment with error (fa)")
    page.locator("input[type=radio]").first.check()
    page.locator("textarea").first.fill("Kan de les ook 's avonds?")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/mijn/")
    page.goto(f"{live_server}/mijn/voortgang")
    axe_check_page(page, "my progress (fa)")
    page.goto(f"{live_server}/mijn/zorgen")
    page.locator("input[type=radio]").nth(2).check()
    page.locator("textarea").first.fill("Ik begrijp de brief van DUO over mijn examen niet.")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/mijn/zorgen")
    axe_check_page(page, "my concerns (fa)")
    context.close()


def test_progress_section_and_concern_task_are_accessible(page, live_server, log_in, axe_check):
    log_in("regisseur")
    page.goto(f"{live_server}/cases/?q=Haidari")
    page.locator("table a").first.click()
    page.get_by_role("heading", name=re.compile("Voortgang")).first.wait_for()
    axe_check("case page with progress")
    page.context.clear_cookies()
    log_in("teamleider")
    page.goto(f"{live_server}/tasks/")
    page.get_by_role("link", name=re.compile("Zorg van de inburgeraar")).first.click()
    axe_check("concern task")
