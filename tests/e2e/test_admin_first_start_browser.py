"""Done when (issue 14): from an empty database, the README's production commands make a beheerder who signs in
with two-factor, creates a regisseur and a teamleider, changes an escalation term; the regisseur imports a COA
file in the browser. axe on every new page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time

import pyotp
import pytest
from werkzeug.serving import make_server

from tests.e2e.conftest import ROOT

SECRET = "e2e-first-start"
CSV = ("v_nummer;voornaam;achternaam;geboortedatum;land_van_herkomst;taal;huishoudgrootte;koppelingsdatum;"
       "gemeentecode\n"
       "7777777777;Ali;Ahmadi;2000-01-01;Afghanistan;dari;1;2026-01-05;0344\n"
       "123;Fout;Regel;2000-01-01;Afghanistan;dari;1;2026-01-05;0344\n")


def _portal(db_url: str, *args: str) -> str:
    """One README command, as an operator runs it (its own process, configured by the environment)."""
    env = {**os.environ, "PORTAL_DATABASE_URL": db_url, "PORTAL_SECRET_KEY": SECRET}
    done = subprocess.run([sys.executable, "-m", "portal.command", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def empty_portal(tmp_path_factory, seal_config):
    """The README's three production commands on an empty SQLite file, then the portal served over HTTP with
    two-factor sign-in required for beheerder and teamleider (the production default)."""
    from portal import create_app

    db_url = f"sqlite:///{tmp_path_factory.mktemp('first-start') / 'portal.sqlite3'}"
    _portal(db_url, "init-db")
    _portal(db_url, "municipalities", "add", "0344", "Utrecht")
    output = _portal(db_url, "users", "create", "a.jansen", "--role", "beheerder", "--municipality", "0344",
                     "--name", "Anna Jansen", "--activation-link")
    link = re.search(r"https?://[^/\s]+(/account/activeren/\S+)", output).group(1)
    app = create_app({**seal_config, "SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": SECRET,
                      "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False,
                      "TWO_FACTOR_ROLES": ("teamleider", "beheerder")})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", link
    server.shutdown()
    with app.app_context():
        from portal.extensions import db

        db.engine.dispose()


def _set_password(page, base: str, link: str, password: str) -> None:
    page.goto(base + link)
    page.get_by_label("Nieuw wachtwoord").fill(password)
    page.get_by_label("Herhaal het wachtwoord").fill(password)
    page.get_by_role("button", name="Wachtwoord instellen").click()
    page.wait_for_url("**/login")


def _sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def _new_user(page, base: str, username: str, name: str, role: str) -> str:
    page.goto(f"{base}/beheer/gebruikers/nieuw")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Naam", exact=True).fill(name)
    page.get_by_label("Rol").select_option(role)
    page.get_by_role("button", name="Gebruiker maken").click()
    page.get_by_text(f"Gebruiker {name} is gemaakt").wait_for()
    return re.search(r"(/account/activeren/\S+)", page.get_by_label("Activeringslink").input_value()).group(1)


def test_first_start_to_coa_import(browser, empty_portal, axe_check_page, tmp_path):
    base, link = empty_portal
    beheerder = browser.new_page(locale="nl-NL")
    beheerder.goto(base + link)
    axe_check_page(beheerder, "account activeren")
    _set_password(beheerder, base, link, "beheer-geheim-1")
    _sign_in(beheerder, base, "a.jansen", "beheer-geheim-1")
    beheerder.wait_for_url("**/account/tweestaps")  # two-factor is required: enrol first
    secret = beheerder.locator("code.portal-secret").inner_text().replace(" ", "")
    beheerder.get_by_label("Code uit de app").fill(pyotp.TOTP(secret).now())
    beheerder.get_by_role("button").filter(has_text="Bevestigen").first.click()
    beheerder.get_by_text(re.compile("herstelcode", re.I)).first.wait_for()
    # and signing in again asks for the code
    beheerder.get_by_role("button", name="Uitloggen").click()
    _sign_in(beheerder, base, "a.jansen", "beheer-geheim-1")
    beheerder.wait_for_url("**/login/code")
    time.sleep(30.5 - time.time() % 30)  # a code is accepted once: wait for the next one
    beheerder.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    beheerder.get_by_role("button", name="Inloggen").click()
    beheerder.get_by_role("link", name="Gebruikers").click()
    axe_check_page(beheerder, "gebruikers")
    beheerder.goto(f"{base}/beheer/gebruikers/nieuw")
    axe_check_page(beheerder, "nieuwe gebruiker")
    ria_link = _new_user(beheerder, base, "r.devries", "Ria de Vries", "regisseur")
    axe_check_page(beheerder, "gebruiker gemaakt")
    _new_user(beheerder, base, "t.bakker", "Tom Bakker", "teamleider")
    beheerder.goto(f"{base}/beheer/gebruikers")
    assert beheerder.get_by_role("link", name="Ria de Vries").is_visible()
    beheerder.get_by_role("link", name="Ria de Vries").click()
    axe_check_page(beheerder, "gebruiker")
    beheerder.get_by_role("link", name=re.compile("Dossiers van Ria de Vries overdragen")).click()
    axe_check_page(beheerder, "dossiers overdragen")
    beheerder.goto(f"{base}/beheer/nieuwkomers")
    axe_check_page(beheerder, "accounts van nieuwkomers")
    beheerder.get_by_role("link", name="Instellingen").click()
    axe_check_page(beheerder, "instellingen")
    beheerder.get_by_label(re.compile("Kennismakingsgesprek niet begonnen")).fill("3")
    beheerder.get_by_role("button", name="Instellingen opslaan").click()
    beheerder.get_by_text("1 instelling(en) gewijzigd").wait_for()
    assert beheerder.get_by_label(re.compile("Kennismakingsgesprek niet begonnen")).input_value() == "3"
    beheerder.close()

    regisseur = browser.new_page(locale="nl-NL")
    _set_password(regisseur, base, ria_link, "regie-geheim-1")
    _sign_in(regisseur, base, "r.devries", "regie-geheim-1")
    regisseur.wait_for_url("**/tasks/")
    regisseur.get_by_role("link", name="COA-import").click()
    axe_check_page(regisseur, "coa-import")
    csv = tmp_path / "coa-handover.csv"
    csv.write_text(CSV, encoding="utf-8")
    regisseur.get_by_label("CSV-bestand van het COA").set_input_files(str(csv))
    regisseur.get_by_role("button", name="Bestand controleren").click()
    regisseur.get_by_text("regel 3, v_nummer: Een V-nummer bestaat uit 10 cijfers.").wait_for()
    axe_check_page(regisseur, "controle coa-bestand")
    regisseur.get_by_role("button", name="1 dossier openen").click()
    regisseur.get_by_text("1 dossier(s) geopend").wait_for()
    axe_check_page(regisseur, "coa-resultaat")
    reference = regisseur.get_by_role("link", name=re.compile(r"^0344-2026-\d{5}$"))
    assert reference.count() == 1
    reference.click()
    assert regisseur.get_by_text("Ahmadi").first.is_visible()
    regisseur.close()
