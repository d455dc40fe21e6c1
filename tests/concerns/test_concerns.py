"""A newcomer's concern: the teamleider's task and its panel, the answer back, the case page."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from sqlalchemy import select

from portal.concerns.models import Concern
from portal.concerns.services import raise_concern
from portal.extensions import db
from portal.notifications.models import Notification
from portal.tasks.models import HumanTask, WorkflowInstance
from tests.factories import QUARTERLY, START, complete, progress_section, walk_to_progress
from tests.factories import open_task as task


def task_count(case, bpmn_id) -> int:
    return len(db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id,
                                                          HumanTask.bpmn_id == bpmn_id)).all())


def newcomer_news(user) -> int:
    return len(db.session.scalars(select(Notification).where(Notification.recipient_id == user.id,
                                                             Notification.kind == "newcomer_news")).all())


def instance(case) -> WorkflowInstance:
    return db.session.scalar(select(WorkflowInstance).where(WorkflowInstance.case_id == case.id))


def test_a_concern_gives_the_teamleider_a_task_and_the_newcomer_an_answer(create_case, people, clock):
    ria, tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **QUARTERLY)
    concern = raise_concern(case, amina, "geen_school", "Er is na twee maanden nog steeds geen taalschool.")
    opened = task(case, "zorg_behandelen")
    assert opened.role == "teamleider" and concern.human_task_id == opened.id
    assert concern.due_at == opened.due_at and (concern.due_at - concern.raised_at).days == 10
    second = raise_concern(case, amina, "hulp_nodig", "Ik begrijp de brief van DUO niet.")
    assert task_count(case, "zorg_behandelen") == 2 and second.human_task_id != opened.id
    complete_answer = complete(case, "zorg_behandelen", tom, antwoord="De taalschool begint op 1 april.")
    db.session.refresh(concern)
    assert complete_answer.id == opened.id and concern.status == Concern.ANSWERED
    assert concern.answer == "De taalschool begint op 1 april." and newcomer_news(amina) == 1
    # The second concern waits for its answer: its escalation is the next timer (once its last day ends).
    assert instance(case).next_timer_due == datetime(2026, 1, 15, 23, tzinfo=UTC)
    complete(case, "zorg_behandelen", tom, antwoord="Wij bellen u morgen met een tolk.")
    # The progress loop was not disturbed: it still waits for the first self-assessment.
    assert instance(case).next_timer_due == datetime(2026, 3, 29, 6, tzinfo=UTC)


def test_concern_shows_on_the_case_page_and_on_the_teamleiders_task(create_case, people, login):
    ria, tom, amina = people
    with time_machine.travel(START, tick=False):
        case = create_case(ria)
        walk_to_progress(case, ria, amina)
        raise_concern(case, amina, "geen_school", "Er is nog steeds geen taalschool.")
    client = login(tom)
    page = client.get(f"/tasks/{task(case, 'zorg_behandelen').id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Gemelde zorg" in html and "Er is nog steeds geen taalschool." in html
    assert "Nog geen taalschool of cursus" in html  # the category
    assert html.index("Gemelde zorg") < html.index("portal-form\"")  # above the task form
    case_page = progress_section(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert "Zorgen van de inburgeraar" in case_page and "Nog geen taalschool of cursus" in case_page


def test_an_unanswered_concern_escalates_once_its_deadline_day_has_ended(create_case, people, clock, login):
    """Finding 10: the answer deadline passing gives the teamleider an escalation naming the concern and
    how late it is; a concern answered in time gives none."""
    from datetime import timedelta

    from portal.concerns.services import concern_escalated_by, days_late
    from portal.dates import LOCAL_ZONE, after_day
    from portal.db import local_today
    from portal.tasks.workflow import advance_case
    from tests.factories import fire_next_timer, next_timer, open_steps

    ria, tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **QUARTERLY)
    late = raise_concern(case, amina, "geen_school", "Er is na twee maanden nog steeds geen taalschool.")
    on_time = raise_concern(case, amina, "hulp_nodig", "Ik begrijp de brief van DUO niet.")
    complete(case, "zorg_behandelen", tom, antwoord="Wij bellen u morgen met een tolk.")  # the first task opened
    db.session.refresh(late)
    db.session.refresh(on_time)
    answered, waiting = (late, on_time) if late.status == Concern.ANSWERED else (on_time, late)
    deadline_day = late.due_at.astimezone(LOCAL_ZONE).date()
    assert next_timer(case) == after_day(deadline_day)  # 00:00 Dutch time after the answer day
    clock.move_to(datetime.combine(deadline_day, datetime.min.time(), LOCAL_ZONE) + timedelta(hours=23, minutes=59))
    advance_case(case, datetime.now(UTC))
    assert "escalatie_zorg_te_laat" not in open_steps(case)  # the last day is still on time
    fire_next_timer(case, clock)
    [escalation] = [t for t in db.session.scalars(select(HumanTask).where(
        HumanTask.case_id == case.id, HumanTask.bpmn_id == "escalatie_zorg_te_laat"))]
    assert escalation.role == "teamleider" and escalation.is_open
    assert concern_escalated_by(escalation) == waiting and waiting.status == Concern.OPEN
    assert days_late(waiting, local_today()) == 1
    assert days_late(answered, local_today()) == 0
    assert "zorg_behandelen" in open_steps(case)  # the concern itself still waits for its answer
    clock.move_to(datetime.now(UTC) + timedelta(days=4))
    html = login(tom).get(f"/tasks/{escalation.id}").get_data(as_text=True)
    assert "Zorg die niet op tijd is beantwoord" in html and waiting.text.replace("'", "&#39;") in html
    assert "5 dagen te laat" in html
    complete(case, "escalatie_zorg_te_laat", tom, day=local_today())
    assert open_steps(case).count("escalatie_zorg_te_laat") == 0
