"""Throttling per account (whatever the address) and per address, with the user told until when."""

import re
from datetime import timedelta

import pytest

from tests.conftest import csrf_token


def _attempt(client, username, password, addr="127.0.0.1"):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": addr})


@pytest.mark.parametrize("username", ["ria", "niemand"])
def test_an_account_is_throttled_whatever_the_address(clock, client, create_user, username):
    """Finding 5: the same account from another address was not slowed. Unknown names get the same answer."""
    create_user("ria")
    for attempt in range(5):
        assert _attempt(client, username, "fout", addr=f"10.0.0.{attempt + 1}").status_code == 422
    response = _attempt(client, username, "geheim-123", addr="192.0.2.7")
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    # The clock stands at 09:00 UTC = 10:00 in Amsterdam; the window is 15 minutes.
    assert "Inloggen kan weer na 10:15" in html
    assert "Gebruikersnaam of wachtwoord klopt niet" not in html


def test_sign_in_works_again_after_the_window(clock, client, create_user):
    create_user("ria")
    for _ in range(5):
        _attempt(client, "ria", "fout")
    clock.shift(timedelta(minutes=14))
    assert _attempt(client, "RIA ", "geheim-123").status_code == 429  # the same account, however typed
    clock.shift(timedelta(minutes=2))
    response = _attempt(client, "ria", "geheim-123")
    assert response.status_code == 302 and response.headers["Location"] == "/tasks/"


def test_a_successful_sign_in_starts_the_count_afresh(clock, client, create_user):
    create_user("ria")
    for _ in range(4):
        _attempt(client, "ria", "fout")
    assert _attempt(client, "ria", "geheim-123").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    clock.shift(timedelta(minutes=1))
    for _ in range(4):
        assert _attempt(client, "ria", "fout").status_code == 422
    assert _attempt(client, "ria", "geheim-123").status_code == 302


def test_the_lock_message_is_in_the_users_language(clock, client, create_user):
    create_user("ria")
    client.post("/language", data={"language": "en", "next": "/login", "csrf_token": csrf_token(client, "/login")})
    for _ in range(5):
        _attempt(client, "ria", "fout")
    html = _attempt(client, "ria", "geheim-123").get_data(as_text=True)
    assert re.search(r"10:15\sAM", html)  # the time as an English reader writes it (the text: translations/pending)


@pytest.mark.parametrize("username", ["ri\x00a", "ria\n", "\x1b[31mria"])
def test_control_characters_in_the_username_are_a_failed_login_not_a_500(client, create_user, username):
    """Finding 6: on PostgreSQL a NUL byte in the login username gave a 500."""
    create_user("ria")
    response = _attempt(client, username, "geheim-123")
    assert response.status_code == 422
    assert "Gebruikersnaam of wachtwoord klopt niet." in response.get_data(as_text=True)
