"""Every route declares who may use it; roles and municipalities are enforced."""

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


def test_list_views_audit_which_cases_were_shown(create_user, create_case, login):
    from sqlalchemy import select

    from portal.audit.models import AuditEvent
    from portal.extensions import db

    ria = create_user("ria")
    case = create_case(ria)
    client = login(ria)
    client.get("/cases/")
    client.get("/tasks/")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.subject == "case.list")).all()
    assert {e.purpose for e in events} == {"casefile.index", "tasks.worklist"}
    assert all(case.id in e.detail["cases"] for e in events)


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
    finally:
        limiter.enabled = False
        with limited.app_context():
            db.engine.dispose()
