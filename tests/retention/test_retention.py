"""`portal retention run`: a case closed beyond the period is purged and anonymised, decided fines are
kept for their own period, the audit trail has its own period, and every purge is itself recorded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.auth.models import User
from portal.cases.models import Case
from portal.db import utcnow
from portal.enforcement.models import EnforcementStep
from portal.extensions import db
from portal.plans.models import PlanVersion
from portal.retention.models import CaseRetention
from portal.tasks.models import HumanTask
from tests.factories import sign_plan, walk_to_signing

PASSWORD = "amina-geheim-1"


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["retention", "run", *args])
    assert result.exit_code == 0, result.output
    return result.output


def everything_mentioning(*needles: str) -> list[str]:
    """table.column of every stored value (any table) that contains one of ``needles``."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, sa.String | sa.Text | sa.JSON):
                continue
            text = sa.cast(column, sa.Text)
            hits = db.session.scalar(select(func.count()).select_from(table).where(
                sa.or_(*(text.contains(needle) for needle in needles))))
            if hits:
                found.append(f"{table.name}.{column.name}")
    return found


@pytest.fixture
def closed_case(create_user, create_case, login):
    """Amina's case: intake, plan signed, read by her regisseur, a concern; closed six years ago."""
    ria = create_user("ria")
    amina = create_user("amina", role="inburgeraar", password=PASSWORD)
    amina.email, amina.phone = "amina@example.org", "0612345678"
    case = create_case(ria, first="Aminata", last="Haddadi")
    walk_to_signing(case, ria, amina)
    sign_plan(case, amina)
    login(ria, new_client=True).get(f"/cases/{case.id}")
    case.closed_at = utcnow() - timedelta(days=6 * 366)
    db.session.commit()
    return case, amina, ria


def test_a_case_closed_beyond_the_period_keeps_nothing_personal(app, closed_case, create_case, create_user):
    case, amina, ria = closed_case
    recent = create_case(ria, first="Recent", last="Gesloten")
    recent.closed_at = utcnow() - timedelta(days=365)
    open_case = create_case(ria, first="Nog", last="Open")
    db.session.commit()
    needles = (case.first_name, case.last_name, case.v_number, "amina@example.org", "0612345678")
    assert everything_mentioning(*needles)  # the check can find them: before the run they are everywhere

    dry = run(app, "--dry-run")
    assert "dry run" in dry and case.reference in dry and recent.reference not in dry
    assert db.session.get(Case, case.id).first_name == "Aminata"
    assert db.session.get(CaseRetention, case.id) is None

    output = run(app)
    assert f"{case.reference}: anonymised" in output
    db.session.expire_all()
    assert everything_mentioning(*needles) == []
    purged = db.session.get(Case, case.id)
    assert purged.reference == case.reference and purged.bsn is None and purged.birth_date == date(1900, 1, 1)
    assert db.session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.case_id == case.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(PlanVersion)) >= 0
    account = db.session.get(User, amina.id)
    assert not account.active and account.password_hash is None and account.username == f"verwijderd-{amina.id}"
    purge = db.session.scalar(select(AuditEvent).where(AuditEvent.subject == "case:retention",
                                                       AuditEvent.case_id == case.id))
    assert purge is not None and purge.detail["anonymised"] and purge.detail["purged"]["plan_version"] >= 1
    # the trail of who read the file remains (the audit trail's own period applies to it)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                      AuditEvent.purpose == "casefile.show")) is not None
    # the others are untouched, and a second run does nothing more
    assert db.session.get(Case, recent.id).last_name == "Gesloten"
    assert db.session.get(Case, open_case.id).last_name == "Open"
    assert "0 cases" in run(app)


def test_a_decided_fine_keeps_the_identity_until_its_own_period_ends(app, closed_case, clock):
    case, _amina, ria = closed_case
    decided = utcnow() - timedelta(days=400)
    db.session.add(EnforcementStep(case_id=case.id, track="pip", rung=1, measure=EnforcementStep.FINE,
                                   amount_euro=250, culpability="Niet verschenen", support_offered="Herinnering",
                                   status=EnforcementStep.APPROVED, proposed_by_id=ria.id, decided_by_id=ria.id,
                                   decided_at=decided))
    db.session.commit()
    output = run(app)
    assert f"{case.reference}: purged" in output and "kept until" in output
    db.session.expire_all()
    kept = db.session.get(Case, case.id)
    assert kept.last_name == "Haddadi" and kept.azc_location is None
    assert db.session.scalar(select(EnforcementStep).where(EnforcementStep.case_id == case.id)) is not None
    assert db.session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.case_id == case.id)) == 0
    state = db.session.get(CaseRetention, case.id)
    assert state.anonymised_at is None and state.kept_until > date.today()
    assert "0 cases" in run(app)  # waiting for the fine's period: nothing to do

    clock.move_to(decided + timedelta(days=7 * 366))
    assert f"{case.reference}: anonymised" in run(app)
    db.session.expire_all()
    assert db.session.get(Case, case.id).last_name == ""
    assert db.session.scalar(select(EnforcementStep).where(EnforcementStep.case_id == case.id)) is None


def stored(event_id: int) -> bool:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.id == event_id)) == 1


def test_old_audit_events_are_purged_and_the_purge_is_recorded(app, create_user):
    ria = create_user("ria")
    old = record("read", "case", "casefile.show", user_id=ria.id, keep=False)
    new = record("read", "case", "casefile.show", user_id=ria.id, keep=False)
    db.session.flush()
    old.at = utcnow() - timedelta(days=6 * 366)
    db.session.commit()
    old_id, new_id = old.id, new.id
    assert "1 audit events older than 5 years" in run(app, "--dry-run")
    assert stored(old_id)
    assert "1 audit events older than 5 years" in run(app)
    db.session.expire_all()
    assert not stored(old_id) and stored(new_id)
    purge = db.session.scalar(select(AuditEvent).where(AuditEvent.subject == "audit_event:retention"))
    assert purge.detail["deleted"] == 1
