"""portal.security across the app: every route declares who may use it, roles and municipalities are
enforced, and every page carries the security headers."""

import pytest

from tests.factories import open_tasks


def test_every_route_declares_access(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if not hasattr(view, "access"):
            missing.append(f"{rule.rule} ({rule.endpoint})")
    assert missing == [], f"routes without roles_required/public: {missing}"


@pytest.mark.parametrize("url", ["/tasks/", "/cases/", "/cases/new", "/cases/1", "/tasks/1", "/account"])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["ontwerper", "beheerder", "inburgeraar"])
def test_roles_without_case_work_get_403(create_user, login, role, create_case):
    user = create_user("iemand", role=role)
    client = login(user)
    case = create_case()
    for url in ["/tasks/", "/cases/", f"/cases/{case.id}", f"/tasks/{open_tasks(case)[0].id}"]:
        assert client.get(url).status_code == 403, url


def test_other_municipality_cannot_see_case_or_task(create_user, create_case, login):
    mine = create_user("ria")
    other = create_user("sanne", code="0355")
    case = create_case(mine)
    client = login(other)
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert client.get(f"/tasks/{open_tasks(case)[0].id}").status_code == 404
    assert case.reference not in client.get("/cases/").get_data(as_text=True)
    assert case.reference not in client.get("/tasks/").get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in csp


