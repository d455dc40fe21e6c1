"""The audit trail, readable: filters, keyset pages, municipality isolation, CSV, unusual access."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.extensions import db
from tests.conftest import visible_text


@pytest.fixture
def trail(create_user, create_case):
    """Utrecht: ria (regisseur of Amina's case), rob (another regisseur), fiona (fg), bea (beheerder);
    Zeist: a case and its regisseur, and bob its beheerder."""
    ria, rob = create_user("ria"), create_user("rob")
    fiona, bea = create_user("fiona", role="fg"), create_user("bea", role="beheerder")
    amina = create_case(ria)
    sanne = create_user("sanne", code="0355")
    zeist = create_case(sanne, code="0355", first="Samir", last="Nasser")
    bob = create_user("bob", role="beheerder", code="0355")
    db.session.flush()
    return {"ria": ria, "rob": rob, "fiona": fiona, "bea": bea, "amina": amina, "sanne": sanne, "zeist": zeist,
            "bob": bob}


def event(action, subject, purpose, user, case=None, at=None):
    ev = record(action, subject, purpose, case_id=case.id if case else None, user_id=user.id, keep=False)
    db.session.flush()
    if at is not None:
        ev.at = at
        db.session.flush()
    return ev


def test_an_event_belongs_to_the_case_municipality_else_the_user_s(trail):
    on_case = event("read", "case", "casefile.show", trail["sanne"], trail["amina"])
    own = event("write", "user.password", "auth.change_password", trail["ria"])
    db.session.refresh(on_case)
    db.session.refresh(own)
    assert on_case.municipality_id == trail["amina"].municipality_id
    assert own.municipality_id == trail["ria"].municipality_id
    assert trail["amina"].municipality_id != trail["sanne"].municipality_id


def test_the_privacy_officer_filters_the_trail_and_sees_health_reads_marked(app, login, trail):
    amina = trail["amina"]
    event("read", "case", "casefile.show", trail["ria"], amina)
    event("read", "case.health", "casefile.show", trail["ria"], amina)
    event("write", "case.regisseur", "casefile.reassign", trail["rob"], amina)
    client = login(trail["fiona"])
    html = client.get("/beheer/audit").get_data(as_text=True)
    assert "casefile.reassign" in html and amina.reference in html and "Ria" in html
    assert html.count("audit-row--sensitive") == 1 and "Gevoelig gegeven" in html
    assert amina.full_name not in html  # a reference, not the newcomer's name

    only_health = client.get("/beheer/audit?sensitive=y").get_data(as_text=True)
    assert "<code>case.health</code>" in only_health and "casefile.reassign" not in only_health
    by_user = client.get(f"/beheer/audit?user={trail['rob'].id}&action=write").get_data(as_text=True)
    assert "casefile.reassign" in by_user and "<code>case.health</code>" not in by_user
    by_case = client.get(f"/beheer/audit?case={amina.reference}&subject=case.regisseur").get_data(as_text=True)
    assert "casefile.reassign" in by_case and "<code>case.health</code>" not in by_case
    looked = db.session.scalars(select(AuditEvent).where(AuditEvent.purpose == "admin.audit_trail")).all()
    assert len(looked) == 4 and any(e.case_id == amina.id for e in looked)  # reading the trail is recorded


def test_a_bad_filter_answers_400_and_an_unknown_case_lists_nothing(login, trail):
    client = login(trail["bea"])
    bad = client.get("/beheer/audit?since=2026-05-01&until=2026-04-01")
    assert bad.status_code == 400 and "De einddatum ligt voor de begindatum" in bad.get_data(as_text=True)
    assert client.get("/beheer/audit?since=gisteren").status_code == 400
    event("read", "case", "casefile.show", trail["ria"], trail["amina"])
    unknown = client.get("/beheer/audit?case=0000-0000-99999")
    assert unknown.status_code == 200 and "Geen gebeurtenissen" in unknown.get_data(as_text=True)
    assert client.get("/beheer/audit?na=rubbish~x").status_code == 200


def test_another_municipality_sees_none_of_these_events(login, trail):
    event("read", "case", "casefile.show", trail["ria"], trail["amina"])
    event("read", "case", "casefile.show", trail["sanne"], trail["zeist"])
    client = login(trail["bob"])
    html = client.get("/beheer/audit").get_data(as_text=True)
    shown = visible_text(html)
    assert trail["zeist"].reference in shown and trail["amina"].reference not in shown and "Ria" not in shown
    # naming Utrecht's staff member or case finds nothing
    assert trail["amina"].reference not in client.get(f"/beheer/audit?user={trail['ria'].id}").get_data(as_text=True)
    assert "Geen gebeurtenissen" in client.get(f"/beheer/audit?case={trail['amina'].reference}").get_data(as_text=True)
    body = client.get("/beheer/audit.csv").get_data(as_text=True)
    assert trail["amina"].reference not in body and trail["zeist"].reference in body


def test_keyset_pages_walk_every_event_once_newest_first(app, login, trail):
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    made = [event("read", f"task:stap{n}", "tasks.show", trail["ria"], trail["amina"], at=start + timedelta(
        minutes=n // 2)) for n in range(23)]  # pairs share a moment: the id breaks the tie
    client = login(trail["fiona"])
    seen, url = [], "/beheer/audit?subject=task:stap"
    for _ in range(10):
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r"<code>task:stap(\d+)</code>", html)
        found = re.search(r'href="([^"]*na=[^"]+)"[^>]*>Oudere', html)
        if not found:
            break
        url = found.group(1).replace("&amp;", "&")
    assert [int(n) for n in seen] == sorted((int(e.subject.split("stap")[1]) for e in made), reverse=True)


def test_csv_is_streamed_with_the_filters_and_no_formulas(app, login, trail):
    event("read", "case", "casefile.show", trail["ria"], trail["amina"])
    event("write", "=HYPERLINK(1)", "tasks.complete", trail["ria"], trail["amina"])
    event("read", "case", "casefile.show", trail["rob"], trail["amina"])
    client = login(trail["fiona"])
    answer = client.get(f"/beheer/audit.csv?user={trail['ria'].id}")
    assert answer.status_code == 200 and answer.is_streamed and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0][0] == "tijdstip_utc" and len(rows) == 3
    assert {row[1] for row in rows[1:]} == {"ria"}
    assert any(row[5] == "'=HYPERLINK(1)" for row in rows[1:])
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.purpose == "admin.audit_csv")) is not None


def test_unusual_access_lists_many_cases_not_held_and_reads_at_night(app, login, trail, create_case):
    app.config["AUDIT_UNUSUAL_CASES"] = 2
    try:
        others = [create_case(trail["ria"], first=f"N{n}") for n in range(3)]
        noon = datetime(2026, 3, 3, 11, tzinfo=UTC)  # 12:00 in Amsterdam, a Tuesday
        for case in others:
            event("read", "case", "casefile.show", trail["rob"], case, at=noon)  # rob holds none of them
            event("read", "case", "casefile.show", trail["ria"], case, at=noon)  # ria holds them all
        event("read", "case", "casefile.show", trail["ria"], trail["amina"], at=datetime(2026, 3, 3, 22, tzinfo=UTC))
        client = login(trail["fiona"])
        html = client.get("/beheer/audit/ongewoon?since=2026-03-01&until=2026-03-07").get_data(as_text=True)
        many = html.split('id="many"')[1].split('id="late"')[0]
        late = html.split('id="late"')[1]
        assert "Rob (rob)" in many and "Ria (ria)" not in many
        assert "Ria (ria)" in late and "Rob (rob)" not in late
        quiet = client.get("/beheer/audit/ongewoon?since=2026-04-01&until=2026-04-07").get_data(as_text=True)
        assert "Rob (rob)" not in quiet and "Ria (ria)" not in quiet
        assert client.get("/beheer/audit/ongewoon?since=2026-01-01&until=2026-12-31").status_code == 400
        assert client.get("/beheer/audit/ongewoon").status_code == 200
    finally:
        app.config["AUDIT_UNUSUAL_CASES"] = 20


def test_staff_without_the_audit_role_get_403(login, trail):
    client = login(trail["ria"])
    assert client.get("/beheer/audit").status_code == 403
    assert client.get("/beheer/audit.csv").status_code == 403
    assert client.get("/beheer/audit/ongewoon").status_code == 403


def test_office_hours_come_from_the_settings_and_a_typo_falls_back(app):
    from portal.admin.audit_search import OfficeHours

    with app.test_request_context():
        app.config["AUDIT_OFFICE_HOURS"], app.config["AUDIT_OFFICE_DAYS"] = "09:00-17:00", "1,2,3,4"
        try:
            hours = OfficeHours.from_config()
            assert hours.within(datetime(2026, 3, 5, 8, 30, tzinfo=UTC))  # Thursday 09:30 in Amsterdam
            assert not hours.within(datetime(2026, 3, 6, 8, 30, tzinfo=UTC))  # Friday: not an office day here
            assert not hours.within(datetime(2026, 3, 5, 16, 30, tzinfo=UTC))  # 17:30
            app.config["AUDIT_OFFICE_HOURS"] = "negen tot vijf"
            assert OfficeHours.from_config().start.hour == 7
        finally:
            app.config["AUDIT_OFFICE_HOURS"], app.config["AUDIT_OFFICE_DAYS"] = "07:00-19:00", "1,2,3,4,5"
