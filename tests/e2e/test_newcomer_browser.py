"""Amina (demo newcomer, Arabic) reads and signs her plan on a phone-sized screen; axe checks each state."""

import re


def test_amina_signs_her_plan_in_arabic(browser, live_server, axe_check_page):
    context = browser.new_context(locale="ar", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator("#username").fill("amina")
    page.locator("#password").fill("demo-wachtwoord")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/mijn/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    axe_check_page(page, "my plan (ar)")
    page.locator("a[href$='/mijn/plan/ondertekenen']").first.click()
    page.wait_for_url("**/mijn/plan/ondertekenen")
    axe_check_page(page, "sign page (ar)")
    # a wrong password: clear error, nothing signed, typed name kept
    page.locator("#consent").check()
    page.locator("#typed_name").fill("Amina Haddad")
    page.locator("form[action$='/mijn/plan/ondertekenen'] #password").fill("fout-wachtwoord")
    page.locator("form[action$='/mijn/plan/ondertekenen'] button[type=submit]").click()
    assert page.locator("[role=alert]").count() >= 1
    assert page.locator("#typed_name").input_value() == "Amina Haddad"
    axe_check_page(page, "sign page with error (ar)")
    page.locator("#consent").check()
    page.locator("form[action$='/mijn/plan/ondertekenen'] #password").fill("demo-wachtwoord")
    page.locator("form[action$='/mijn/plan/ondertekenen'] button[type=submit]").click()
    page.wait_for_url("**/mijn/")
    with page.expect_download() as download:
        page.locator("a[href$='/mijn/plan.pdf']").first.click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF") and b"/ByteRange" in pdf  # sealed
    context.close()


def test_staff_plan_page_is_accessible(page, live_server, log_in, axe_check):
    log_in("regisseur")
    page.goto(f"{live_server}/cases/")
    page.get_by_role("link", name=re.compile("0344-")).first.wait_for()
    page.goto(f"{live_server}/cases/?q=Haddad")
    page.locator("table a").first.click()
    page.get_by_role("link", name=re.compile("Plan, versies")).click()
    axe_check("plan page")
