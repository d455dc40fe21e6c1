"""Safe redirects after login and a language change: only paths on this site, whatever the encoding."""

import pytest

from portal.auth.redirects import safe_next
from tests.conftest import csrf_token

BYPASSES = [
    "/%09/evil.example",  # the finding: the browser drops the tab and reads //evil.example
    "/\t/evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%5Cevil.example",
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "/%252F%252Fevil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " /tasks/",
    "/tasks/\nSet-Cookie: x=1",
    "/tasks/\r\nLocation: https://evil.example",
    "/%0d%0aLocation:%20https://evil.example",
    "/\u202eevil",
    "evil.example",
    "",
    None,
    "/" + "a" * 3000,
]


@pytest.mark.parametrize("target", BYPASSES)
def test_unsafe_targets_are_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/tasks/", "/cases/12?tab=plan", "/cases/?q=haddad&page=2", "/mijn/#plan",
                                    "/cases/?q=a%2Fb"])
def test_paths_on_this_site_are_followed(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/\\evil", "/%2F%2Fevil",
                                    "https://evil.example", "/%0Aevil", "/tasks/%0D%0Ax"])
def test_login_never_redirects_away(client, create_user, target):
    create_user("ria")
    token = csrf_token(client, "/login")
    response = client.post(f"/login?next={target}", data={"username": "ria", "password": "geheim-123",
                                                          "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/tasks/"


def test_newline_in_next_is_not_a_server_error(client, create_user):
    """Finding 6: a newline in ``next`` gave a 500 (the Location header refused it)."""
    create_user("ria")
    assert client.get("/login?next=/tasks/%0A").status_code == 200
    token = csrf_token(client, "/login")
    response = client.post("/login?next=/tasks/%0Aevil", data={"username": "ria", "password": "geheim-123",
                                                               "csrf_token": token})
    assert response.status_code == 302 and "\n" not in response.headers["Location"]


def test_login_follows_a_safe_next(client, create_user):
    create_user("ria")
    token = csrf_token(client, "/login?next=/cases/")
    response = client.post("/login?next=/cases/%3Fq%3Dhaddad", data={"username": "ria", "password": "geheim-123",
                                                                    "csrf_token": token})
    assert response.headers["Location"] == "/cases/?q=haddad"


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/\\evil", "https://evil.example",
                                    "/x\nSet-Cookie: a=b"])
def test_language_switch_never_redirects_away(client, target):
    token = csrf_token(client, "/login")
    response = client.post("/language", data={"language": "en", "next": target, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
