"""The activation letter: the newcomer's language and Dutch, the portal's public address, the regisseur's phone."""

from __future__ import annotations

import re

import pytest

from portal.cli import public_url_for_run
from portal.extensions import db
from tests.conftest import csrf_token

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


def letter_of(client, case) -> str:
    response = client.post(f"/cases/{case.id}/plan/activation",
                           data={"csrf_token": csrf_token(client, f"/cases/{case.id}/account")})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def parts(html: str) -> list[tuple[str, str, str]]:
    """(lang, dir, inner html) of every letter part, in order."""
    return re.findall(r'<article class="letter" lang="([a-z]+)" dir="(ltr|rtl)"[^>]*>(.*?)</article>', html, re.S)


@pytest.mark.parametrize(("language", "locale", "direction", "greeting"), [
    ("arabisch", "ar", "rtl", "بهذا الرمز"), ("oekraiens", "uk", "ltr", "За допомогою цього коду"),
    ("dari", "fa", "rtl", "با این کد")])
def test_letter_in_the_newcomers_language_and_in_dutch(app, client, login, create_case, ria, language, locale,
                                                       direction, greeting):
    ria.phone = "030 286 12 34"
    case = create_case(ria)
    case.language = language
    db.session.commit()
    html = letter_of(login(ria), case)
    (first_lang, first_dir, first), (second_lang, second_dir, second) = parts(html)
    assert (first_lang, first_dir, second_lang, second_dir) == (locale, direction, "nl", "ltr")
    assert greeting in first and "Met deze code" not in first  # translated, not the Dutch text twice
    assert "Met deze code maak je je account" in second and "Je code" in second
    code = CODE.search(second).group(0)
    assert code in first  # the same code in both parts
    for part in (first, second):
        assert "Ria" in part and "030 286 12 34" in part  # the regisseur's name and phone, in both languages
        assert f"{app.config['PUBLIC_URL']}/activeren" in part


def test_letter_for_a_dutch_reader_has_one_part(client, login, create_case, ria):
    case = create_case(ria)
    case.language = "nederlands"
    db.session.commit()
    assert [lang for lang, _dir, _html in parts(letter_of(login(ria), case))] == ["nl"]


def test_letter_uses_the_public_address_setting(app, client, login, create_case, ria, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://inburgering.utrecht.example/")
    case = create_case(ria)
    db.session.commit()
    html = letter_of(login(ria), case)
    assert "https://inburgering.utrecht.example/activeren" in html
    assert "127.0.0.1" not in html
    assert "Neem contact op met je regisseur" in html  # no phone number known: no empty "Bel"


def test_portal_run_defaults_the_public_address_to_its_own_port(monkeypatch):
    monkeypatch.delenv("PORTAL_PUBLIC_URL", raising=False)
    assert public_url_for_run("http://127.0.0.1:5000", "127.0.0.1", 5104) == "http://127.0.0.1:5104"
    assert public_url_for_run("http://127.0.0.1:5000", "0.0.0.0", 8080) == "http://127.0.0.1:8080"  # noqa: S104
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://inburgering.zeist.example")
    assert public_url_for_run("https://inburgering.zeist.example", "127.0.0.1", 5104) == \
        "https://inburgering.zeist.example"
