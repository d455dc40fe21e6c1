"""Scenario tests: walk the real intake BPMN (workflows/bpmn) with a frozen clock, every path."""

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.engine.scripting import after_day
from portal.extensions import db
from portal.tasks.models import HumanTask, WorkflowInstance
from portal.tasks.workflow import StaleTask, advance_due_instance
from tests.factories import complete, open_steps, open_tasks

CONVERSATIONS = ["intake_leefgebieden", "intake_leerbaarheid", "intake_opleiding_werk",
                 "intake_persoonlijke_omstandigheden"]


def at(year, month, day):
    return time_machine.travel(datetime(year, month, day, 9, tzinfo=UTC), tick=False)


@pytest.fixture
def regisseur(create_user):
    return create_user("ria")


@pytest.mark.parametrize("scenario", ["snelle_start", "gecombineerd", "na_verhuizing"])
def test_whole_intake_leads_to_drafting_the_pip(create_case, regisseur, scenario):
    with at(2026, 1, 5):
        case = create_case(regisseur)
        assert open_steps(case) == ["kennismakingsgesprek"]
        assert case.stage == "brede_intake"
        [task] = open_tasks(case)
        assert task.assignee_id == regisseur.id and task.role == "regisseur"
        assert task.due_at == datetime(2026, 1, 12, 9, tzinfo=UTC)
        complete(case, "kennismakingsgesprek", regisseur, startscenario=scenario)
        if scenario == "na_verhuizing":
            assert open_steps(case) == ["verhuizing_registreren"]
            complete(case, "verhuizing_registreren", regisseur)
        assert open_steps(case) == CONVERSATIONS  # parallel: any order
        for step in reversed(CONVERSATIONS):
            complete(case, step, regisseur)
        assert open_steps(case) == ["participatieladder_intake"]
        complete(case, "participatieladder_intake", regisseur)
        complete(case, "intake_samenvatting", regisseur)
    assert open_steps(case) == ["pip_opstellen"]
    assert case.stage == "plan_opstellen_vaststellen"  # the embedded sub-process of pip.bpmn
    assert case.stage_label == "PIP opstellen en vaststellen"
    instance = db.session.scalar(select(WorkflowInstance).where(WorkflowInstance.case_id == case.id))
    # The intake's overrun timer went away with the subprocess; what waits now is the PIP deadline
    # (once the last day on which the first PIP may be decided has ended: 00:00 Dutch time the next day).
    assert instance.next_timer_due == datetime.fromisoformat(after_day(case.pip_deadline.isoformat()))
    assert not instance.completed
    written = db.session.scalars(select(AuditEvent.subject).where(AuditEvent.case_id == case.id,
                                                                  AuditEvent.action == "write")).all()
    assert "task:intake_samenvatting" in written


def test_intake_overrun_timer_gives_teamleider_a_task(create_case, regisseur):
    with at(2026, 1, 5):
        case = create_case(regisseur)
        complete(case, "kennismakingsgesprek", regisseur, startscenario="gecombineerd")
    with at(2026, 2, 20):  # 6 weeks and a bit: not yet
        assert advance_due_instance(datetime.now(UTC)) is None
    with at(2026, 3, 10):  # more than 8 weeks after the extended intake began
        assert advance_due_instance(datetime.now(UTC)) == case.id
        assert advance_due_instance(datetime.now(UTC)) is None  # fired once, not again
    steps = open_steps(case)
    assert "intake_uitloop_bespreken" in steps and "intake_leerbaarheid" in steps  # non-interrupting
    escalation = next(t for t in open_tasks(case) if t.bpmn_id == "intake_uitloop_bespreken")
    assert escalation.role == "teamleider" and escalation.assignee_id is None


def test_completing_twice_is_stale(create_case, regisseur):
    with at(2026, 1, 5):
        case = create_case(regisseur)
        task = complete(case, "kennismakingsgesprek", regisseur)
        from portal.tasks.workflow import complete_task

        with pytest.raises(StaleTask):
            complete_task(task.id, task.submitted_data, regisseur)
    assert db.session.get(HumanTask, task.id).status == "completed"


def test_finished_intake_withdraws_an_unhandled_escalation(create_case, regisseur):
    with at(2026, 1, 5):
        case = create_case(regisseur)
        complete(case, "kennismakingsgesprek", regisseur, startscenario="snelle_start")
    with at(2026, 3, 10):
        advance_due_instance(datetime.now(UTC))
        assert "intake_uitloop_bespreken" in open_steps(case)
        for step in CONVERSATIONS + ["participatieladder_intake", "intake_samenvatting"]:
            complete(case, step, regisseur)
    assert open_steps(case) == ["pip_opstellen"]
    withdrawn = db.session.scalar(select(HumanTask).where(HumanTask.case_id == case.id,
                                                          HumanTask.bpmn_id == "intake_uitloop_bespreken"))
    assert withdrawn.status == "cancelled"
