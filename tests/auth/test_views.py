"""Logging in and out: the labelled form, errors, CSRF, argon2, the rate limit, the language choice."""

import re

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from tests.conftest import csrf_token, page_language


def test_login_form_is_labelled_and_novalidate(client):
    html = client.get("/login").get_data(as_text=True)
    assert re.search(r'<label[^>]*for="username"', html) and re.search(r'<label[^>]*for="password"', html)
    assert "novalidate" in html
    assert 'name="csrf_token"' in html


def test_wrong_password_shows_error_summary_and_keeps_username(client, create_user):
    create_user("ria")
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"username": "ria", "password": "fout", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Gebruikersnaam of wachtwoord klopt niet." in html
    assert 'value="ria"' in html
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login")).detail["result"] == "failed"


def test_login_and_logout(client, create_user, login):
    user = create_user("ria")
    login(user)
    assert client.get("/tasks/").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/tasks/")})
    assert response.status_code == 302
    assert client.get("/tasks/").status_code == 302


def test_post_without_csrf_gets_friendly_400(client, create_user):
    create_user("ria")
    response = client.post("/login", data={"username": "ria", "password": "geheim-123"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Laad de pagina opnieuw" in html and "Traceback" not in html


def test_password_is_hashed_with_argon2(create_user):
    assert create_user("ria").password_hash.startswith("$argon2id$")


def test_language_choice_is_saved_per_user(client, create_user, login):
    user = create_user("ria", locale="nl")
    login(user)
    token = csrf_token(client, "/tasks/")
    client.post("/language", data={"language": "en", "next": "/tasks/", "csrf_token": token})
    assert user.locale == "en"
    html = client.get("/tasks/").get_data(as_text=True)
    assert page_language(html) == ("en", "ltr")
    assert "<h1 class=\"utrecht-heading-1\">Worklist</h1>" in html


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_login_is_rate_limited(database_url):
    from portal import create_app
    from portal.extensions import db, limiter

    # Flask-Limiter keeps `enabled` on the (shared) extension object: switch it back off afterwards.
    limited = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False,
                          "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": True,
                          "LOGIN_RATE_LIMIT": "3 per minute"})
    try:
        client = limited.test_client()
        codes = [client.post("/login", data={"username": "x", "password": "y"}).status_code for _ in range(4)]
        assert codes == [422, 422, 422, 429]
        page = client.post("/login", data={"username": "x", "password": "y"}).get_data(as_text=True)
        assert "Te veel pogingen" in page
        assert re.search(r"Probeer het na \d{2}:\d{2} opnieuw", page)  # says until when
    finally:
        limiter.enabled = False
        with limited.app_context():
            db.engine.dispose()
