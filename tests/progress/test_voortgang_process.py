"""The progress loop and its escalation routes, walked through the real process with a frozen clock."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.db import local_today
from portal.enforcement.models import EnforcementStep
from portal.extensions import db
from portal.notifications.models import Notification
from portal.plans.services import current_version, plan_of
from portal.processes.actions import ActionRefused
from portal.progress.models import FinalReport, FollowUp, ProgressMeeting, SelfAssessment
from portal.progress.services import ladder_history, term_months_elapsed
from portal.tasks.models import HumanTask, WorkflowInstance
from portal.tasks.workflow import InvalidSubmission, complete_task
from tests.factories import (
    DECIDED_ON,
    INTAKE_STEPS,
    PLAN,
    QUARTERLY,
    complete,
    fire_next_timer,
    open_steps,
    sign_plan,
    walk_intake,
    walk_to_progress,
    walk_to_signing,
)
from tests.factories import (
    open_task as task,
)


def meet(case, regisseur, rung: int = 3, offered: int = 100, attended: int = 95, **overrides) -> HumanTask:
    """Hold the open progress meeting (the self-assessment may still be open: it is then skipped)."""
    return complete(case, "voortgangsgesprek", regisseur, day=local_today(),
                    participatie={"trede": str(rung)},
                    aanwezigheid={"peildatum": local_today().isoformat(), "uren_aangeboden": offered,
                                  "uren_gevolgd": attended},
                    **overrides)


def to_next_meeting(case, clock, newcomer=None):
    """Fire timers until the meeting is open; the newcomer fills in the self-assessment when given."""
    fire_next_timer(case, clock)
    assert open_steps(case) == ["zelfbeoordeling"]
    if newcomer is not None:
        complete(case, "zelfbeoordeling", newcomer, algemeen="goed", vraag="Kan ik ook 's avonds les krijgen?")
        clock.shift(timedelta(days=7))  # the meeting is held on its planned day
    else:
        fire_next_timer(case, clock)  # the meeting's day comes: the self-assessment is withdrawn
    assert open_steps(case) == ["voortgangsgesprek"]


def test_three_years_of_progress_end_with_a_final_report(create_case, people, clock):
    ria, _tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **QUARTERLY)
    assert task_count(case, "zelfbeoordeling") == 0 and case.stage == "timer_zelfbeoordeling"
    sizes = []
    for meeting in range(1, 12):  # quarterly from April 2026 to October 2028; the term ends 1 March 2029
        to_next_meeting(case, clock, amina if meeting % 3 else None)  # every third time she does not fill it in
        meet(case, ria, rung=min(1 + meeting, 6))  # a climb at every meeting up to the top rung: no stagnation
        assert open_steps(case) == [], f"meeting {meeting}: {open_steps(case)}"
        sizes.append(len(json.dumps(instance(case).state)))
    fire_next_timer(case, clock)  # the twelfth meeting's self-assessment opens a week before it
    assert open_steps(case) == ["zelfbeoordeling"]
    assert instance(case).next_timer_due == datetime(2029, 1, 1, 7, tzinfo=UTC)  # two months before the end
    fire_next_timer(case, clock)  # the end of the term has its own timer, beside the meetings
    assert open_steps(case) == ["eindevaluatie", "zelfbeoordeling"]
    assert local_today() == date(2029, 1, 1)
    complete(case, "eindevaluatie", ria, day=local_today(), verlenging="niet_nodig")
    fire_next_timer(case, clock)  # the meeting's day: the self-assessment is withdrawn
    meet(case, ria, rung=6)
    assert open_steps(case) == []
    fire_next_timer(case, clock)  # the end of the term (the next meeting would be after it)
    assert local_today() == date(2029, 3, 1)
    complete(case, "eindverslag", ria, day=local_today(), conclusie="voldaan", trede="5",
             samenvatting="Je hebt alle examens gehaald en werkt nu met begeleiding bij een bakkerij.")
    assert case.closed_at is not None and instance(case).completed
    assert db.session.scalar(select(FinalReport).where(FinalReport.case_id == case.id)).conclusion == "voldaan"
    assert len(db.session.scalars(select(ProgressMeeting).where(ProgressMeeting.case_id == case.id)).all()) == 12
    assert len(db.session.scalars(select(SelfAssessment).where(SelfAssessment.case_id == case.id)).all()) == 8
    history = ladder_history(case)
    assert history[0][0] == "intake" and history[-1] == ("einde", 5) and len(history) == 14
    assert not [t for t in all_tasks(case) if t.bpmn_id.startswith(("escalatie", "mdo", "handhaving"))]
    assert newcomer_news(amina) >= 1  # the final report reached her
    assert max(sizes) < 1.3 * min(sizes), sizes  # compaction: the state does not grow with the years


def instance(case) -> WorkflowInstance:
    return db.session.scalar(select(WorkflowInstance).where(WorkflowInstance.case_id == case.id))


def all_tasks(case) -> list[HumanTask]:
    return list(db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id)))


def task_count(case, bpmn_id) -> int:
    return sum(1 for t in all_tasks(case) if t.bpmn_id == bpmn_id)


def newcomer_news(user) -> int:
    return len(db.session.scalars(select(Notification).where(Notification.recipient_id == user.id,
                                                             Notification.kind == "newcomer_news")).all())


def test_intake_not_started_escalates_to_the_teamleider(create_case, people, clock):
    ria, tom, _amina = people
    case = create_case(ria)
    assert fire_next_timer(case, clock) == datetime(2026, 2, 2, 7, tzinfo=UTC)  # 4 weeks, 08:00 Dutch time
    escalation = task(case, "escalatie_intake_niet_gestart")
    assert escalation.role == "teamleider" and escalation.assignee_id is None
    assert "kennismakingsgesprek" in open_steps(case)  # the regisseur's work stays open
    complete(case, "escalatie_intake_niet_gestart", tom, oorzaak="capaciteit")
    assert open_steps(case) == ["kennismakingsgesprek"]


def test_a_started_intake_does_not_escalate(create_case, people, clock):
    ria, _tom, _amina = people
    case = create_case(ria)
    complete(case, "kennismakingsgesprek", ria)
    assert instance(case).next_timer_due != datetime(2026, 2, 2, 7, tzinfo=UTC)


def test_pip_not_decided_in_ten_weeks_escalates(create_case, people, clock):
    ria, _tom, _amina = people
    case = create_case(ria)
    walk_intake(case, ria)
    assert open_steps(case) == ["pip_opstellen"]
    # koppeling + 10 weeks is 16 March; deciding that day is on time: due once it has ended (00:00 on the 17th)
    assert fire_next_timer(case, clock) == datetime(2026, 3, 16, 23, tzinfo=UTC)
    assert open_steps(case) == ["escalatie_pip_te_laat", "pip_opstellen"]


def test_signature_missing_after_the_reminder_escalates_and_signing_withdraws_both(create_case, people, clock):
    ria, _tom, amina = people
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    fire_next_timer(case, clock)  # 14 days: the regisseur's reminder
    assert open_steps(case) == ["pip_ondertekenen", "pip_ondertekening_opvolgen"]
    fire_next_timer(case, clock)  # 28 days: the teamleider
    assert open_steps(case) == ["escalatie_ondertekening", "pip_ondertekenen", "pip_ondertekening_opvolgen"]
    sign_plan(case, amina)
    assert open_steps(case) == []


def test_overdue_meeting_escalates_to_the_teamleider(create_case, people, clock):
    ria, _tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **QUARTERLY)
    to_next_meeting(case, clock, amina)
    fire_next_timer(case, clock)  # two weeks after the planned date
    assert local_today() == date(2026, 4, 19)
    assert open_steps(case) == ["escalatie_gesprek_te_laat", "voortgangsgesprek"]
    meet(case, ria)
    assert open_steps(case) == ["escalatie_gesprek_te_laat"]  # the teamleider still discusses it


def test_no_ladder_progress_over_two_meetings_calls_a_case_conference(create_case, people, clock):
    ria, _tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **QUARTERLY)  # intake rung: 1 (sample data)
    to_next_meeting(case, clock, amina)
    meet(case, ria, rung=1)
    assert open_steps(case) == []  # one meeting without a climb is not yet stagnation
    to_next_meeting(case, clock, amina)
    meet(case, ria, rung=1)
    assert open_steps(case) == ["mdo"]
    meeting = db.session.scalar(select(ProgressMeeting).where(ProgressMeeting.number == 2,
                                                              ProgressMeeting.case_id == case.id))
    assert meeting.assessment["redenen"] == ["geen_trede_vooruit"]
    complete(case, "mdo", ria, day=local_today(), uitkomst="plan_aanpassen")
    assert open_steps(case) == ["pip_opstellen"]  # adjust the plan: a new version, decided and signed
    complete(case, "pip_opstellen", ria, **{**PLAN, **QUARTERLY, "begeleiding": {"begeleiding": "Taalmaatje"}})
    complete(case, "pip_vaststellen", ria, besluitdatum=local_today().isoformat())
    assert current_version(case).number == 2 and plan_of(case).term_start == date(2026, 3, 2)
    sign_plan(case, amina)
    assert open_steps(case) == [] and case.stage == "timer_zelfbeoordeling"
    assert db.session.scalar(select(FollowUp.outcome).where(FollowUp.case_id == case.id)) == "plan_aanpassen"


def test_low_attendance_is_stagnation_at_once(create_case, people, clock):
    ria, _tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **QUARTERLY)
    to_next_meeting(case, clock, amina)
    meet(case, ria, rung=3, offered=120, attended=60)
    assert open_steps(case) == ["mdo"]
    complete(case, "mdo", ria, day=local_today(), uitkomst="extra_ondersteuning")
    assert open_steps(case) == []


def test_signals_get_support_first_and_culpable_non_cooperation_needs_approval(create_case, people, clock):
    ria, tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **QUARTERLY)
    to_next_meeting(case, clock, amina)
    meet(case, ria, rung=3, signalen={"leefgebieden": ["schulden"], "toelichting": "Achterstand met de huur."},
         medewerking={"oordeel": "verwijtbaar",
                      "verwijtbaar_toelichting": "Drie lessen per week gemist zonder bericht, ondanks afspraken."})
    assert open_steps(case) == ["signaal_opvolgen"]  # support first, never straight to a sanction
    complete(case, "signaal_opvolgen", ria, ondersteuning=["schuldhulp"], toelichting="Aangemeld bij schuldhulp.")
    assert open_steps(case) == ["handhaving_voorstel"]
    with pytest.raises(InvalidSubmission):  # the law caps the PIP fine at €800
        complete(case, "handhaving_voorstel", ria, maatregel="boete", bedrag=900)
    with pytest.raises(ActionRefused, match="schriftelijke waarschuwing"):  # finding 6: the PIP ladder starts there
        complete(case, "handhaving_voorstel", ria, maatregel="boete", bedrag=250,
                 draagkracht={"schulden": "geen", "inkomen": "boven_bijstandsniveau"})
    complete(case, "handhaving_voorstel", ria, maatregel="waarschuwing",
             verwijtbaarheid="Drie lessen per week gemist zonder bericht, ondanks afspraken.",
             ondersteuning="Aangemeld bij schuldhulp en gesprek met de taalschool.")
    assert open_steps(case) == ["handhaving_beoordelen"]
    assert task(case, "handhaving_beoordelen").role == "teamleider"
    complete(case, "handhaving_beoordelen", tom, besluit="goedgekeurd", toelichting="Onderbouwd.")
    step = db.session.scalar(select(EnforcementStep).where(EnforcementStep.case_id == case.id))
    assert (step.track, step.measure, step.amount_euro, step.status) == ("pip", "waarschuwing", 0, "goedgekeurd")
    assert step.decided_by_id == tom.id and open_steps(case) == []


def two_years_of_half_yearly_meetings(case, regisseur, newcomer, clock) -> None:
    """Meetings every six months with a climb each time, the fourth (two years in) with low attendance: MDO."""
    for rung in (3, 4, 5):
        to_next_meeting(case, clock, newcomer)
        meet(case, regisseur, rung=rung)
        assert open_steps(case) == []
    to_next_meeting(case, clock, newcomer)
    meet(case, regisseur, rung=5, offered=100, attended=40)
    assert open_steps(case) == ["mdo"] and term_months_elapsed(case) >= 18
    complete(case, "mdo", regisseur, day=local_today(), uitkomst="plan_aanpassen")


def with_route(route: str, **plan) -> dict:
    return {**PLAN, **plan, "leerroute": {**PLAN["leerroute"], "route": route}}


def test_route_switch_after_18_months_is_refused(create_case, people, clock):
    ria, _tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **{"voortgang": {"interval": "P6M"}})
    two_years_of_half_yearly_meetings(case, ria, amina, clock)
    with pytest.raises(ActionRefused, match="18 maanden"):
        complete(case, "pip_opstellen", ria, **with_route("onderwijsroute"))


def test_from_the_onderwijsroute_to_the_b1_route_is_allowed_at_any_time(create_case, people, clock):
    """Finding 4: onderwijsroute → B1-route is the one switch without the 18-month limit (DOMAIN.md §2.4)."""
    ria, _tom, amina = people
    case = create_case(ria)
    case.birth_date = date(2004, 5, 1)  # 21 on the date of the plan: the onderwijsroute fits
    walk_to_progress(case, ria, amina, **with_route("onderwijsroute", voortgang={"interval": "P6M"}))
    two_years_of_half_yearly_meetings(case, ria, amina, clock)
    with pytest.raises(ActionRefused, match="18 maanden"):  # any other switch is still refused this late
        complete(case, "pip_opstellen", ria, **with_route("z_route"))
    complete(case, "pip_opstellen", ria, **with_route("b1_route", map_pvt={"map_uren": 40, "pvt_periode": "Nu"}))
    assert open_steps(case) == ["pip_vaststellen"]


def test_a_granted_extension_keeps_the_meetings_going(create_case, people, clock):
    ria, _tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **{"voortgang": {"interval": "P6M"}})
    for number in range(1, 6):
        to_next_meeting(case, clock, amina)
        meet(case, ria, rung=min(2 + number, 6))
    assert open_steps(case) == []
    fire_next_timer(case, clock)  # the sixth meeting (5 January 2029) is a week away
    assert open_steps(case) == ["zelfbeoordeling"]
    fire_next_timer(case, clock)  # two months before the end of the term, on its own timer
    assert open_steps(case) == ["eindevaluatie", "zelfbeoordeling"] and local_today() == date(2029, 1, 1)
    with pytest.raises(ActionRefused, match=r"huidige einde van de termijn \(01-03-2029\)"):
        complete(case, "eindevaluatie", ria, day=local_today(), verlenging="toegekend", nieuwe_einddatum="2029-02-01",
                 grond="ziekte")
    complete(case, "eindevaluatie", ria, day=local_today(), verlenging="toegekend", nieuwe_einddatum="2029-09-01",
             grond="ziekte")
    assert plan_of(case).term_end == date(2029, 9, 1)
    fire_next_timer(case, clock)  # the meetings never stopped: the sixth is held on its day
    assert open_steps(case) == ["voortgangsgesprek"] and local_today() == date(2029, 1, 5)
    meet(case, ria, rung=6)
    fire_next_timer(case, clock)  # the seventh meeting's self-assessment (5 July 2029 − 7 days)
    assert open_steps(case) == ["zelfbeoordeling"]
    fire_next_timer(case, clock)  # the evaluation again, two months before the NEW end of the term
    assert open_steps(case) == ["eindevaluatie", "zelfbeoordeling"] and local_today() == date(2029, 7, 1)


def walk_to_progress_from_rung(case, regisseur, newcomer, intake_rung: int, **plan) -> None:
    """Like walk_to_progress, with the starting rung of the participatieladder recorded at the intake."""
    for step in INTAKE_STEPS:
        complete(case, step, regisseur, **({"trede": str(intake_rung)} if step == "participatieladder_intake" else {}))
    complete(case, "pip_opstellen", regisseur, **{**PLAN, **plan})
    complete(case, "pip_vaststellen", regisseur, besluitdatum=DECIDED_ON)
    case.newcomer_user_id = newcomer.id
    sign_plan(case, newcomer)


def test_two_meetings_in_a_row_on_the_same_rung_call_a_case_conference(create_case, people, clock):
    """Finding 9: intake 2 → 3 → 3 is stagnation at the second 3 (no rise between the two meetings)."""
    ria, _tom, amina = people
    case = create_case(ria)
    walk_to_progress_from_rung(case, ria, amina, 2, **QUARTERLY)
    to_next_meeting(case, clock, amina)
    meet(case, ria, rung=3)
    assert open_steps(case) == []  # a climb from the intake
    to_next_meeting(case, clock, amina)
    meet(case, ria, rung=3)
    assert open_steps(case) == ["mdo"]
    assert [rung for _moment, rung in ladder_history(case)] == [2, 3, 3]
    second = db.session.scalar(select(ProgressMeeting).where(ProgressMeeting.case_id == case.id,
                                                             ProgressMeeting.number == 2))
    assert second.assessment["stagnatie"] and second.assessment["redenen"] == ["geen_trede_vooruit"]


@pytest.mark.parametrize(("rungs", "meetings", "stagnation"), [
    ([3], 2, False),  # one meeting: nothing to compare within the meetings
    ([3, 4], 2, False),
    ([3, 3], 2, True),  # the same rung twice in a row
    ([4, 3], 2, True),  # a fall is no rise either
    ([2, 3, 3], 2, True),  # only the last two meetings count, not the climb before
    ([3, 3, 4], 2, False),
    ([6, 6], 2, False),  # the top rung: nothing left to climb
    ([3, 3], 3, False),  # a municipality that waits three meetings
    ([3, 4, 4], 3, False),
    ([4, 4, 3], 3, True),
    ([3, 3], 1, True),  # fewer than two is read as two
])
def test_no_ladder_rise_compares_consecutive_meetings(rungs, meetings, stagnation):
    from portal.progress.services import no_ladder_rise

    assert no_ladder_rise(rungs, meetings) is stagnation


SIGNAL_AND_CULPABLE = {
    "signalen": {"leefgebieden": ["schulden"], "toelichting": "Achterstand met de huur."},
    "medewerking": {"oordeel": "verwijtbaar",
                    "verwijtbaar_toelichting": "Drie lessen per week gemist zonder bericht, ondanks afspraken."}}


def test_no_support_needed_does_not_open_the_way_to_a_sanction(create_case, people, clock):
    """Finding 13: "geen ondersteuning nodig" is recorded, but it is no support before sanction."""
    ria, _tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **QUARTERLY)
    to_next_meeting(case, clock, amina)
    meet(case, ria, rung=3, **SIGNAL_AND_CULPABLE)
    assert open_steps(case) == ["signaal_opvolgen"]
    with pytest.raises(ActionRefused, match="niet samen"):
        complete(case, "signaal_opvolgen", ria, ondersteuning=["geen_actie", "schuldhulp"], uitkomst="ingezet",
                 toelichting="Tegenstrijdig.")
    complete(case, "signaal_opvolgen", ria, ondersteuning=["geen_actie"], toelichting="Geen actie nodig.")
    assert open_steps(case) == []  # no handhaving: culpable, but not after support
    assert db.session.scalar(select(FollowUp.outcome).where(FollowUp.case_id == case.id)) == "geen_actie"
    from portal.enforcement.services import EnforcementRefused, propose

    with pytest.raises(EnforcementRefused, match="eerst ondersteuning"):  # nor by another way in
        propose(case, task_of_kind(case, "signaal_opvolgen"),
                {"maatregel": "waarschuwing", "verwijtbaarheid": "-", "ondersteuning": "Geen actie nodig."}, ria)


def test_other_support_counts_only_with_a_partner_and_its_outcome(create_case, people, clock):
    ria, _tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **QUARTERLY)
    to_next_meeting(case, clock, amina)
    meet(case, ria, rung=3, **SIGNAL_AND_CULPABLE)
    with pytest.raises(InvalidSubmission) as refused:
        complete_task(task(case, "signaal_opvolgen").id,
                      {"ondersteuning": ["anders"], "toelichting": "Anders – geen actie nodig."}, ria)
    assert {v.path for v in refused.value.violations} == {("uitkomst",), ("partner",)}
    complete(case, "signaal_opvolgen", ria, ondersteuning=["anders"], partner="Buurtteam Noord",
             uitkomst="ingezet", toelichting="Aangemeld bij het buurtteam voor hulp met de post.")
    assert open_steps(case) == ["handhaving_voorstel"]  # "Ja, na ondersteuning"


def task_of_kind(case, bpmn_id: str) -> HumanTask:
    """The latest task of the case at ``bpmn_id``, open or completed."""
    return db.session.scalar(select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.bpmn_id == bpmn_id)
                             .order_by(HumanTask.id.desc()).limit(1))
