"""The audit trail in the browser: the privacy officer (fg) and the beheerder read it in Dutch and English,
and Amina sees in Arabic, right to left, that her regisseur and a teamleider read her file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SHOTS = Path("/tmp/shots-h14-privacy")


def sign_in(page, live_server, username: str, lands_on: str) -> None:
    page.goto(f"{live_server}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill("demo-wachtwoord")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"**{lands_on}")


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def expected_line(locale: str) -> str:
    """The sentence Amina's page shows for her regisseur's read, in ``locale`` (from the app's catalogs:
    Dutch until the Arabic texts are compiled)."""
    from flask_babel import force_locale, gettext

    from portal import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context(), force_locale(locale):
        return gettext("%(who)s heeft %(what)s bekeken.", who=gettext("Je regisseur"), what=gettext("je dossier"))


@pytest.fixture
def amina_case_read(browser, live_server) -> str:
    """Her regisseur and the teamleider open Amina's case page; returns the case reference."""
    reference = ""
    for username in ("regisseur", "teamleider"):
        context = browser.new_context(locale="nl-NL")
        page = context.new_page()
        sign_in(page, live_server, username, "/tasks/")
        page.goto(f"{live_server}/cases/?q=Haddad")
        link = page.locator("table a").first
        reference = link.inner_text()
        link.click()
        page.wait_for_url(re.compile(r".*/cases/\d+$"))
        context.close()
    return reference


def test_the_privacy_officer_reads_the_trail_in_dutch_and_english(browser, live_server, axe_check_page,
                                                                   amina_case_read):
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "fg", "/beheer/audit")
    assert page.locator("h1").inner_text() == "Audittrail"
    assert page.locator("td", has_text=amina_case_read).count() >= 2
    shot(page, "fg-audit-nl")
    axe_check_page(page, "audit trail (fg, nl)")
    page.locator("#case").fill(amina_case_read)
    page.locator("#action").select_option("read")
    page.get_by_role("button", name="Filteren").click()
    page.wait_for_url(re.compile(r".*case=.*"))
    assert page.locator("tbody tr").count() >= 2
    assert page.locator("tbody", has_text="Ria Regisseur").count() == 1
    assert page.locator("tbody", has_text="Tom Teamleider").count() == 1
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download als CSV")).click()
    assert amina_case_read in download.value.path().read_text()
    page.goto(f"{live_server}/beheer/audit/ongewoon")
    shot(page, "fg-unusual-nl")
    axe_check_page(page, "unusual access (fg, nl)")

    page.locator("#language-switcher").select_option("en")
    page.get_by_role("button", name="Kies taal").click()
    page.goto(f"{live_server}/beheer/audit")
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "fg-audit-en")
    axe_check_page(page, "audit trail (fg, en)")
    context.close()


def test_the_beheerder_reads_the_trail(browser, live_server, axe_check_page):
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    sign_in(page, live_server, "beheerder", "/beheer/documenten")
    page.get_by_role("link", name="Audittrail").click()
    page.wait_for_url("**/beheer/audit")
    page.locator("#sensitive").check()
    page.get_by_role("button", name="Filteren").click()
    shot(page, "beheerder-audit-sensitive")
    axe_check_page(page, "audit trail (beheerder, sensitive only)")
    context.close()


def test_amina_sees_who_read_her_file_in_arabic(browser, live_server, axe_check_page, amina_case_read):
    context = browser.new_context(locale="ar", viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server, "amina", "/mijn/")
    page.goto(f"{live_server}/mijn/inzage")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    lines = page.locator(".access-log__what")
    assert lines.count() >= 2
    assert page.locator(".access-log__what", has_text=expected_line("ar")).count() >= 1
    assert "Ria" not in page.locator("main").inner_text()  # roles, not names
    shot(page, "amina-who-read-ar")
    axe_check_page(page, "who read my file (ar)")

    page.goto(f"{live_server}/mijn/gegevens")
    page.locator("form[action$='/mijn/gegevens/aanvragen'] button[type=submit]").click()
    page.wait_for_url("**/mijn/gegevens")
    assert page.locator("#data-copy-status[data-refresh]").count() == 1  # being made: the page says so
    shot(page, "amina-data-copy-ar")
    axe_check_page(page, "my data, copy being made (ar)")
    context.close()
