"""/verify and /activeren are rate-limited per client address (finding 5: 600 codes at 216 req/s were
accepted); a 429 is a readable page in the user's language. Behind PORTAL_TRUSTED_PROXIES the address is
the client's, taken from X-Forwarded-For, so one client cannot lock out everybody behind the proxy."""

from io import BytesIO

import pytest

from portal.extensions import db, limiter


@pytest.fixture(scope="module")
def limited(database_url, seal_config):
    from portal import create_app

    # Flask-Limiter keeps `enabled` on the (shared) extension object: switch it back off afterwards.
    app = create_app({**seal_config, "TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": database_url,
                      "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": True,
                      "TRUSTED_PROXIES": 1, "VERIFY_RATE_LIMIT": "3 per minute",
                      "ACTIVATION_RATE_LIMIT": "2 per minute", "LOGIN_RATE_LIMIT": "5 per minute"})
    yield app
    limiter.enabled = False
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(limited):
    with limited.app_context():
        limiter.reset()
    return limited.test_client()


def from_address(address: str, **headers) -> dict:
    return {"headers": {"X-Forwarded-For": address, **headers}}


def test_verify_codes_are_limited_per_address(client):
    me, other = from_address("203.0.113.7"), from_address("198.51.100.2")
    assert [client.get("/verify", **me).status_code for _ in range(5)] == [200] * 5  # the empty page is free
    codes = [client.get("/verify?code=ABCDEF", **me).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    document = {"document": (BytesIO(b"%PDF-1.7 not really"), "plan.pdf")}
    assert client.post("/verify", data=document, **me).status_code == 429  # a file counts on the same limit
    assert client.get("/verify?code=ABCDEF", **other).status_code == 200  # another address is not slowed


def test_the_429_page_is_in_the_users_language(client):
    me = from_address("203.0.113.8", **{"Accept-Language": "ar"})
    for _ in range(3):
        client.get("/verify?code=ABCDEF", **me)
    page = client.get("/verify?code=ABCDEF", **me)
    html = page.get_data(as_text=True)
    assert page.status_code == 429 and 'dir="rtl"' in html and "محاولات كثيرة جداً" in html
    assert page.headers["Cache-Control"] == "no-store"


def test_activation_has_its_own_limit_per_address(client):
    me, other = from_address("203.0.113.9"), from_address("198.51.100.3")
    attempt = {"code": "GEEN-CODE", "language": "nl", "password": "een-goed-wachtwoord",
               "password_again": "een-goed-wachtwoord"}
    assert [client.post("/activeren", data=attempt, **me).status_code for _ in range(3)] == [422, 422, 429]
    assert "Te veel pogingen" in client.post("/activeren", data=attempt, **me).get_data(as_text=True)
    assert client.get("/activeren", **me).status_code == 200  # showing the form is not limited
    assert client.post("/activeren", data=attempt, **other).status_code == 422
    # The login form counts on its own (PORTAL_LOGIN_RATE_LIMIT), not on the activation limit.
    assert client.post("/login", data={"username": "x", "password": "y"}, **me).status_code == 422
