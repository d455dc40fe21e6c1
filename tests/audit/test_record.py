"""portal.audit.services.record: where an event goes.

In a request a read (or any event recorded with ``keep=True``) is kept aside in ``g.portal_kept_events``
for portal.transaction.finish, which stores it whatever the request's outcome; a write joins the
session and is stored with the change or not at all. Outside a request (commands, the worker) every
event joins the session.
"""

import pytest
from flask import g, has_request_context
from flask_login import login_user
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.extensions import db


@pytest.fixture
def in_request(app):
    """A request of its own: a fresh app context, so ``g`` starts empty (the test's own context stays apart)."""
    with app.app_context(), app.test_request_context("/probe", environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        yield


def kept() -> list[AuditEvent]:
    return g.get("portal_kept_events", [])


def test_outside_a_request_every_event_joins_the_session(create_user):
    user = create_user("ria")
    assert not has_request_context()
    read = record("read", "case", "cli.export", user_id=user.id, detail={"cases": [1, 2]})
    write = record("write", "case", "cli.import", user_id=user.id)
    assert read in db.session.new and write in db.session.new
    assert kept() == []
    db.session.flush()
    stored = db.session.scalars(select(AuditEvent).where(AuditEvent.user_id == user.id).order_by(AuditEvent.id))
    assert [(e.action, e.purpose, e.detail, e.remote_addr) for e in stored] == [
        ("read", "cli.export", {"cases": [1, 2]}, None), ("write", "cli.import", None, None)]


def test_outside_a_request_keep_changes_nothing():
    event = record("write", "signature", "cli.sign", keep=True)
    assert event in db.session.new and kept() == []


def test_in_a_request_a_read_is_kept_aside(in_request):
    event = record("read", "case.health", "casefile.show", case_id=None)
    assert kept() == [event]
    assert event not in db.session
    assert event.remote_addr == "192.0.2.7" and event.user_id is None and event.at is not None


def test_in_a_request_a_write_joins_the_session(in_request):
    event = record("write", "case", "casefile.reassign")
    assert event in db.session.new and kept() == []


def test_keep_true_keeps_a_write_aside_and_keep_false_lets_a_read_join_the_session(in_request):
    refused = record("write", "signature.refused", "newcomer.sign", keep=True)
    plain = record("read", "case", "casefile.show", keep=False)
    assert kept() == [refused] and refused not in db.session
    assert plain in db.session.new


def test_reads_are_kept_in_order_and_writes_are_not_among_them(in_request):
    first = record("read", "case", "casefile.show")
    record("write", "case", "casefile.reassign")
    second = record("read", "case.health", "casefile.show")
    assert kept() == [first, second]


def test_in_a_request_the_logged_in_user_is_recorded(app, create_user):
    user = create_user("ria")
    with app.app_context(), app.test_request_context("/probe"):
        login_user(user)
        mine = record("read", "case", "casefile.show")
        theirs = record("read", "case", "casefile.show", user_id=999)
    assert (mine.user_id, theirs.user_id) == (user.id, 999)  # an explicit user wins
