"""Staff two-factor sign-in: enrolment with a QR code, TOTP after the password, recovery codes, throttling."""

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from portal.auth.models import RecoveryCode, TwoFactor, UserSession
from portal.auth.two_factor import decrypt, reset_two_factor
from portal.extensions import db
from tests.conftest import csrf_token


@pytest.fixture
def two_factor_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_ROLES", ("teamleider", "beheerder"))


def _password(client, username, password="geheim-123"):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client, "/login")})


def _code(client, code):
    return client.post("/login/code", data={"code": code, "csrf_token": csrf_token(client, "/login/code")})


def _enrol(client, clock):
    """Enrol the signed-in user; returns the secret and the recovery codes."""
    html = client.get("/account/tweestaps").get_data(as_text=True)
    secret = re.search(r'<code class="portal-secret" dir="ltr">([A-Z2-7]+)</code>', html).group(1)
    assert 'src="data:image/svg+xml;base64,' in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    response = client.post("/account/tweestaps", data={"code": pyotp.TOTP(secret).now(),
                                                       "csrf_token": csrf_token(client, "/account/tweestaps")})
    assert response.status_code == 200
    codes = re.findall(r'<code dir="ltr">([A-Z2-9]{5}-[A-Z2-9]{5})</code>', response.get_data(as_text=True))
    assert len(codes) == 10
    clock.shift(timedelta(seconds=30))  # the next code belongs to the next time step
    return secret, codes


@pytest.fixture
def enrolled(two_factor_on, clock, client, create_user, login):
    """Teamleider tom, enrolled and signed out again; returns (user, secret, recovery codes)."""
    tom = create_user("tom", role="teamleider")
    login(tom)
    secret, codes = _enrol(client, clock)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    return tom, secret, codes


def test_a_role_that_requires_it_can_do_nothing_before_enrolling(two_factor_on, clock, client, create_user):
    create_user("tom", role="teamleider")
    response = _password(client, "tom")
    assert response.headers["Location"] == "/account/tweestaps"
    for page in ("/tasks/", "/cases/", "/account"):
        assert client.get(page).headers.get("Location") == "/account/tweestaps"
    _enrol(client, clock)
    assert client.get("/tasks/").status_code == 200


def test_a_role_that_does_not_require_it_signs_in_with_the_password(two_factor_on, client, create_user):
    create_user("ria")
    assert _password(client, "ria").headers["Location"] == "/tasks/"


def test_sign_in_asks_the_code_after_the_password(enrolled, client):
    _tom, secret, _codes = enrolled
    response = _password(client, "tom")
    assert response.headers["Location"] == "/login/code"
    assert client.get("/tasks/").headers["Location"].startswith("/login")  # not signed in yet
    wrong = _code(client, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    assert wrong.status_code == 422 and "Deze code klopt niet" in wrong.get_data(as_text=True)
    assert client.get("/tasks/").status_code == 302
    response = _code(client, pyotp.TOTP(secret).now())
    assert response.status_code == 302 and response.headers["Location"] == "/tasks/"
    assert client.get("/tasks/").status_code == 200


def test_a_code_is_accepted_once(enrolled, app, client):
    _tom, secret, _codes = enrolled
    code = pyotp.TOTP(secret).now()
    _password(client, "tom")
    assert _code(client, code).status_code == 302
    other = app.test_client()
    _password(other, "tom")
    assert _code(other, code).status_code == 422  # replayed within the same 30 seconds


def test_a_recovery_code_works_once(enrolled, app, client):
    tom, _secret, codes = enrolled
    _password(client, "tom")
    assert _code(client, codes[0].lower().replace("-", " ")).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    _password(client, "tom")
    assert _code(client, codes[0]).status_code == 422
    assert _code(client, codes[1]).status_code == 302
    assert "8 ongebruikte herstelcodes" in client.get("/account").get_data(as_text=True)


def test_wrong_codes_are_throttled(enrolled, client):
    _tom, secret, _codes = enrolled
    _password(client, "tom")
    for _ in range(5):
        assert _code(client, "999999" if pyotp.TOTP(secret).now() != "999999" else "888888").status_code == 422
    response = _code(client, pyotp.TOTP(secret).now())
    assert response.status_code == 429 and "Inloggen kan weer na" in response.get_data(as_text=True)


def test_the_code_step_expires(enrolled, clock, client):
    _tom, secret, _codes = enrolled
    _password(client, "tom")
    token = csrf_token(client, "/login/code")
    clock.shift(timedelta(minutes=6))
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    assert response.headers["Location"] == "/login"


def test_the_secret_is_stored_encrypted(enrolled):
    tom, secret, codes = enrolled
    row = db.session.get(TwoFactor, tom.id)
    assert secret not in row.secret_encrypted and decrypt(row.secret_encrypted) == secret
    hashes = set(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == tom.id)))
    assert len(hashes) == 10 and not any(code.replace("-", "") in hashes for code in codes)


def test_re_enrolling_needs_the_password(enrolled, clock, client):
    _tom, secret, _codes = enrolled
    _password(client, "tom")
    _code(client, pyotp.TOTP(secret).now())
    html = client.get("/account/tweestaps").get_data(as_text=True)
    new_secret = re.search(r'<code class="portal-secret" dir="ltr">([A-Z2-7]+)</code>', html).group(1)
    token = csrf_token(client, "/account/tweestaps")
    response = client.post("/account/tweestaps", data={"password": "fout", "code": pyotp.TOTP(new_secret).now(),
                                                       "csrf_token": token})
    assert response.status_code == 422 and "Dit wachtwoord klopt niet" in response.get_data(as_text=True)
    response = client.post("/account/tweestaps", data={"password": "geheim-123",
                                                       "code": pyotp.TOTP(new_secret).now(), "csrf_token": token})
    assert response.status_code == 200
    response = client.post("/account/herstelcodes", data={"password": "geheim-123", "csrf_token": token})
    assert len(re.findall(r'<code dir="ltr">', response.get_data(as_text=True))) == 10


def test_reset_removes_the_second_factor_and_ends_sessions(enrolled, client):
    tom, secret, _codes = enrolled
    _password(client, "tom")
    _code(client, pyotp.TOTP(secret).now())
    reset_two_factor(tom)
    db.session.flush()
    assert db.session.get(TwoFactor, tom.id) is None
    assert client.get("/tasks/").status_code == 302
    assert db.session.scalar(select(UserSession).where(UserSession.revoked_at.is_(None))) is None
    assert _password(client, "tom").headers["Location"] == "/account/tweestaps"  # enrols again
