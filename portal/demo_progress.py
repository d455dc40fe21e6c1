"""Demo: a newcomer half a year into the progress loop, walked through the real process on a moved clock.

The case is opened in the past and moved forward with a frozen clock (the same ``time_machine`` the
``portal timers run --at`` demo uses), so its meetings, self-assessments and timers are real. It
ends with the second self-assessment open today and the meeting planned a few days from now.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import time_machine
from sqlalchemy import select

from portal.auth.models import User
from portal.cases.models import Case
from portal.concerns.services import raise_concern
from portal.db import local_today
from portal.extensions import db
from portal.newcomer.services import assess_myself, sign_my_plan
from portal.plans.services import SignRequest, current_version
from portal.tasks.models import HumanTask, WorkflowInstance
from portal.tasks.workflow import advance_case, complete_task
from portal.worker import produce_due_documents

#: Days between the koppeling and today for the progress demo: the plan is signed 32 days after the
#: koppeling; quarterly meetings then put the second meeting a few days after today.
DAYS_AGO = 210

MEETING = {
    "gesprek": {"vorm": "kantoor", "tolk": "telefonisch"},
    "aanwezigheid": {"uren_aangeboden": 144, "uren_gevolgd": 126, "verzuim_geoorloofd": 12,
                     "verzuim_ongeoorloofd": 6},
    "map_pvt": {"map_status": "bezig", "map_uren": 16, "pvt_status": "afgerond"},
    "doelen": [{"nummer": 1, "status": "op_schema", "toelichting": "A2 lezen en luisteren behaald"},
               {"nummer": 2, "status": "vertraagd", "toelichting": "Stageplek gezocht, nog niet gevonden"},
               {"nummer": 3, "status": "op_schema"}],
    "participatie": {"trede": "3", "toelichting": "Volgt taalles en gaat naar de moskee en de buurtkamer."},
    "medewerking": {"oordeel": "ja"},
    "afspraken": {"volgende_stappen": "Werkplein zoekt een snuffelstage in de zorg; taalmaatje vanaf volgende maand.",
                  "samenvatting": "Het gaat goed met de taalles: je hebt lezen en luisteren A2 gehaald. "
                                  "We zoeken samen met het Werkplein een stage in de zorg.",
                  "vervolg": "doorgaan"},
}


def _fire_next_timer(case: Case, clock) -> None:
    """Move the frozen clock to one second after the case's next timer and fire it (Spiff fires after due)."""
    due = db.session.scalar(select(WorkflowInstance.next_timer_due).where(WorkflowInstance.case_id == case.id))
    clock.move_to(due + timedelta(seconds=1))
    advance_case(case, datetime.now(UTC))


def walk_into_progress(open_case, walk_to_decided, regisseur: User, newcomer: User, password: str) -> Case:
    """Open the case ``DAYS_AGO`` days ago, decide and sign the plan, hold one meeting, open the next."""
    start = datetime.combine(local_today() - timedelta(days=DAYS_AGO), time(9), UTC)
    with time_machine.travel(start, tick=False) as clock:
        case = open_case(local_today())
        case.newcomer_user_id = newcomer.id
        clock.shift(timedelta(days=14))
        walk_to_decided(case)
        produce_due_documents()  # the worker makes the plan's PDF before he can sign it
        clock.shift(timedelta(days=18))
        sign_my_plan(case, newcomer, SignRequest(version_id=current_version(case).id, typed_name=case.full_name,
                                                 password=password, consent=True, locale=newcomer.locale or "nl"))
        _fire_next_timer(case, clock)  # a week before the first meeting: his self-assessment
        assess_myself(case, newcomer, {
            "algemeen": "goed", "doelen": [{"nummer": 1, "oordeel": "goed"}, {"nummer": 2, "oordeel": "moeilijk"}],
            "hulp_nodig": ["school"], "vraag": "Kan ik ook 's avonds les krijgen?"})
        clock.shift(timedelta(days=7))
        today = local_today().isoformat()
        meeting = {**MEETING, "gesprek": {**MEETING["gesprek"], "datum": today},
                   "aanwezigheid": {**MEETING["aanwezigheid"], "peildatum": today}}
        meeting_task = db.session.scalar(select(HumanTask.id).where(
            HumanTask.case_id == case.id, HumanTask.bpmn_id == "voortgangsgesprek", HumanTask.status == HumanTask.OPEN))
        complete_task(meeting_task, meeting, regisseur)
        _fire_next_timer(case, clock)  # the second self-assessment opens: a few days before the next meeting
        raise_concern(case, newcomer, "geen_school", "Mijn taalschool is drie weken dicht geweest en er is geen "
                                                     "andere les geregeld.")
    return case
