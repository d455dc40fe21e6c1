"""portal.transaction: one commit per request, on a tiny blueprint served by a fresh app.

A request answering < 400 commits; one answering >= 400 rolls its writes back but still stores the
read events kept aside (portal.audit.services.record); ``discard()`` rolls back a success; if the kept
events cannot be stored the page is withheld (500).

The probe app shares the test's database connection (``db.session`` is the test's connection-bound
session), so the view's commits and rollbacks are savepoints inside the test's rolled-back transaction;
each request still gets a session of its own (its own app context).
"""

from __future__ import annotations

import logging

import pytest
from flask import Blueprint, request
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.auth.models import Municipality
from portal.extensions import db
from portal.transaction import discard

NO_SUCH_CASE = 2_000_000_000

probe = Blueprint("probe", __name__)


@probe.route("/probe/<int:status>", methods=["GET", "POST"])
def change(status: int):
    """Add a municipality (the change), record a write and a read, answer with ``status``."""
    code = request.args["code"]
    db.session.add(Municipality(code=code, name="Proefstad"))
    db.session.flush()
    record("write", "municipality", "probe.write", detail={"code": code})
    record("read", "municipality", "probe.read", detail={"code": code})
    if request.args.get("keep"):
        record("write", "signature.refused", "probe.keep", detail={"code": code}, keep=True)
    if request.args.get("discard"):
        discard()
    return f"page {code}", status


@probe.route("/probe/read")
def read_only():
    record("read", "municipality", "probe.read", detail={"code": request.args["code"]})
    return "read-only page", 200


@probe.route("/probe/unstorable/<int:status>", methods=["GET", "POST"])
def unstorable(status: int):
    """A page whose read cannot be stored: the event points at a case that does not exist."""
    record("read", "case", "probe.unstorable", case_id=NO_SUCH_CASE)
    return "secret page", status


@probe.route("/probe/conflict", methods=["POST"])
def conflict():
    """A read, then a change that fails at commit (the municipality code is taken meanwhile)."""
    code = request.args["code"]
    record("read", "case.health", "probe.read", detail={"code": code})
    db.session.add(Municipality(code=code, name=request.args.get("name", "Dubbel")))  # not flushed: the commit fails
    return "page", 200


@probe.route("/probe/dberror", methods=["POST"])
def database_error():
    """A database error inside the view (not at commit): the app's 500 handler logs it."""
    db.session.add(Municipality(code=request.args["code"], name=request.args["name"]))
    db.session.flush()
    return "page", 200


@pytest.fixture(scope="module")
def probe_app(database_url, seal_config):
    from portal import create_app

    app = create_app({**seal_config, "TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": database_url,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "SESSION_COOKIE_SECURE": False})
    app.register_blueprint(probe)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(probe_app):
    return probe_app.test_client()


def municipality(code: str) -> Municipality | None:
    return db.session.scalar(select(Municipality).where(Municipality.code == code))


def events(code: str | None = None) -> list[str]:
    """The purposes of the stored probe audit events (about ``code``, when given)."""
    stored = db.session.scalars(select(AuditEvent).where(AuditEvent.purpose.like("probe.%")))
    return sorted(e.purpose for e in stored if code is None or (e.detail or {}).get("code") == code)


@pytest.mark.parametrize("status", [200, 302, 399])
def test_a_success_commits_the_change_with_its_events(client, status):
    response = client.post(f"/probe/{status}?code=T{status}")
    assert response.status_code == status
    assert municipality(f"T{status}") is not None
    assert events(f"T{status}") == ["probe.read", "probe.write"]


@pytest.mark.parametrize("status", [400, 404, 409, 422, 500])
def test_a_refusal_rolls_back_the_change_but_stores_the_kept_reads(client, status):
    response = client.post(f"/probe/{status}?code=R{status}")
    assert response.status_code == status and response.get_data(as_text=True) == f"page R{status}"
    assert municipality(f"R{status}") is None
    assert events(f"R{status}") == ["probe.read"]  # the write event went with the change


def test_keep_stores_a_write_event_whatever_the_outcome(client):
    assert client.post("/probe/422?code=K1&keep=1").status_code == 422
    assert municipality("K1") is None
    assert events("K1") == ["probe.keep", "probe.read"]


def test_discard_rolls_back_a_success(client):
    response = client.post("/probe/302?code=D1&discard=1")
    assert response.status_code == 302  # the answer stays what the view made it
    assert municipality("D1") is None
    assert events("D1") == ["probe.read"]


def test_a_later_request_does_not_inherit_a_discard(client):
    client.post("/probe/302?code=D2&discard=1")
    client.post("/probe/200?code=D3")
    assert municipality("D2") is None and municipality("D3") is not None


def test_a_page_that_only_reads_stores_its_reads(client):
    response = client.get("/probe/read?code=G1")
    assert response.status_code == 200 and response.get_data(as_text=True) == "read-only page"
    assert events("G1") == ["probe.read"]


@pytest.mark.parametrize("status", [200, 422])
def test_a_page_whose_reads_cannot_be_stored_is_withheld(client, status):
    response = client.get(f"/probe/unstorable/{status}")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret page" not in html and "Er ging iets mis" in html
    assert events() == []


def test_a_change_whose_reads_cannot_be_stored_is_withheld(client):
    """On a POST the kept reads join the change's own commit, so they fail together: nothing is kept and
    the page is not shown."""
    response = client.post("/probe/unstorable/200")
    assert response.status_code >= 400 and "secret page" not in response.get_data(as_text=True)
    assert events() == []


def test_reads_are_stored_when_the_change_conflicts_at_commit(client):
    db.session.add(Municipality(code="C1", name="Eerst"))
    db.session.flush()  # on the shared connection: the view's insert of the same code conflicts
    response = client.post("/probe/conflict?code=C1")
    assert response.status_code == 409
    assert events("C1") == ["probe.read"]


@pytest.mark.parametrize("url", ["/probe/conflict?code=19940312&name={name}",
                                 "/probe/dberror?code=19940312&name={name}"])
def test_a_database_error_logs_no_value(client, caplog, capsys, url):
    """Finding 9: on PostgreSQL a failed INSERT printed its parameters (name, birth date, V-number) to stderr.
    The engine hides parameters and the logs describe a database error by class, SQLSTATE and constraint,
    never by its message (PostgreSQL's DETAIL quotes the duplicate key)."""
    db.session.add(Municipality(code="19940312", name="Eerst"))  # the key that will be duplicated
    db.session.flush()
    with caplog.at_level(logging.DEBUG):
        response = client.post(url.format(name="Amina Haddad 1111111111"))
    assert response.status_code in (409, 500)
    assert "IntegrityError" in caplog.text  # the error was logged, and what kind it was
    streams = capsys.readouterr()
    for value in ("Amina", "1111111111", "19940312"):
        assert value not in caplog.text + streams.out + streams.err


def test_a_nul_byte_on_postgresql_logs_no_value(client, caplog, capsys, database_url):
    """The finding exactly: psycopg refuses a NUL byte in a text parameter (DataError) and SQLAlchemy's
    message used to carry the whole INSERT with its parameters."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite stores NUL bytes")
    with caplog.at_level(logging.DEBUG):
        response = client.post("/probe/dberror?code=N1&name=Amina%00Haddad%201111111111")
    assert response.status_code == 500 and "DataError" in caplog.text
    streams = capsys.readouterr()
    for value in ("Amina", "1111111111"):
        assert value not in caplog.text + streams.out + streams.err


def test_a_change_whose_commit_fails_answers_the_error_page(client, probe_app, monkeypatch, create_user):
    """A database error at commit (disk full, a lost connection) rolls the session back before the error
    page is rendered: that page reads the signed-in user and the language, which on a session still in
    the failed transaction raised again (PendingRollbackError) and left a bare 500."""
    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    monkeypatch.setitem(probe_app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    user = create_user("ria")
    assert client.post("/login", data={"username": user.username, "password": "geheim-123"}).status_code == 302

    def fail_the_commits_insert(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO audit_event"):  # flushed by the commit itself
            raise OperationalError(statement, {}, Exception("disk I/O error"))

    engine = db.session.get_bind().engine
    event.listen(engine, "before_cursor_execute", fail_the_commits_insert)
    try:
        response = client.post("/probe/200?code=F1")
    finally:
        event.remove(engine, "before_cursor_execute", fail_the_commits_insert)
    assert response.status_code == 500 and "Er ging iets mis" in response.get_data(as_text=True)
    assert municipality("F1") is None


def test_the_engine_hides_statement_parameters(probe_app):
    """Defence in depth: whatever prints a SQLAlchemy error, its parameters are not in it."""
    with probe_app.app_context():
        assert db.engine.hide_parameters


def test_a_page_view_stores_its_reads_in_its_own_commit_on_postgresql(client):
    """PostgreSQL: one transaction for the page and its audit rows (a second cost four round trips);
    SQLite: a short write transaction of its own after the read, so a page view never holds the write lock."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    commits = []
    listener = lambda session: commits.append(1)  # noqa: E731
    event.listen(Session, "after_commit", listener)
    try:
        assert client.get("/probe/read?code=G7").status_code == 200
    finally:
        event.remove(Session, "after_commit", listener)
    assert events("G7") == ["probe.read"]
    assert len(commits) == (2 if db.engine.dialect.name == "sqlite" else 1)
