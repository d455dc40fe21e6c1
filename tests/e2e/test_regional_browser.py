"""A regional beheerder in the browser (demo login ``regiobeheerder``: Utrecht + Zeist): switches municipality on
the settings page, filters the accounts list by municipality, and sees no third one. axe: 0 violations."""

from __future__ import annotations

import re


def test_regional_beheerder_switches_municipality(browser, live_server, axe_check_page):
    page = browser.new_page(locale="nl-NL")
    page.goto(f"{live_server}/login")
    page.locator("#username").fill("regiobeheerder")
    page.locator("#password").fill("demo-wachtwoord")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/beheer/documenten")

    page.get_by_role("link", name="Instellingen").click()
    page.get_by_role("heading", name="Instellingen van Utrecht").wait_for()
    axe_check_page(page, "instellingen, regionaal")
    options = page.get_by_label("Gemeente", exact=True).locator("option").all_text_contents()
    assert options == ["Utrecht (0344)", "Zeist (0355)"]
    page.get_by_label("Gemeente", exact=True).select_option("0355")
    page.get_by_role("button", name="Gemeente tonen").click()
    page.get_by_role("heading", name="Instellingen van Zeist").wait_for()
    assert page.url.endswith("/beheer/instellingen?gemeente=0355")
    page.get_by_label(re.compile("Kennismakingsgesprek niet begonnen")).fill("3")
    page.get_by_label(re.compile("De rol en de naam")).check()
    page.get_by_role("button", name="Instellingen opslaan").click()
    page.get_by_text("2 instelling(en) gewijzigd").wait_for()
    page.get_by_role("heading", name="Instellingen van Zeist").wait_for()  # stays on Zeist
    assert page.get_by_label(re.compile("De rol en de naam")).is_checked()
    axe_check_page(page, "instellingen van Zeist, na opslaan")

    page.get_by_role("link", name="Gebruikers").first.click()
    page.get_by_role("heading", name="Gebruikers van je gemeenten").wait_for()
    table = page.locator("table")
    assert table.get_by_text("Sanne Smit").count() == 1 and table.get_by_text("Ria Regisseur").count() == 1
    axe_check_page(page, "gebruikers, regionaal")
    page.get_by_label("Gemeente", exact=True).select_option("0355")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url("**gemeente=0355**")
    assert table.get_by_text("Sanne Smit").count() == 1 and table.get_by_text("Ria Regisseur").count() == 0
    axe_check_page(page, "gebruikers van Zeist")
    assert page.goto(f"{live_server}/beheer/instellingen?gemeente=0307").status == 404
    page.close()
