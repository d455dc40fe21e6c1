"""Helpers to walk cases through the real process in tests."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.demo import sample_submission
from portal.extensions import db
from portal.tasks.models import HumanTask
from portal.tasks.services import complete_task, form_spec_for


def open_tasks(case) -> list[HumanTask]:
    return list(db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id,
                                                           HumanTask.status == HumanTask.OPEN)
                                   .order_by(HumanTask.id)))


def open_steps(case) -> list[str]:
    return sorted(t.bpmn_id for t in open_tasks(case))


def complete(case, bpmn_id: str, user, day: date | None = None, **overrides) -> HumanTask:
    task = next(t for t in open_tasks(case) if t.bpmn_id == bpmn_id)
    data = sample_submission(form_spec_for(task), day or date(2026, 1, 12), overrides)
    return complete_task(task.id, data, user)


INTAKE_STEPS = ["kennismakingsgesprek", "intake_leerbaarheid", "intake_opleiding_werk",
                "intake_persoonlijke_omstandigheden", "intake_leefgebieden", "participatieladder_intake",
                "intake_samenvatting"]

PLAN = {
    "leerroute": {"route": "b1_route", "looptijd_maanden": 36,
                  "motivering": "De leerbaarheidstoets wijst B1 als haalbaar aan en de onderwijsroute is besproken."},
    "doelen": [{"leefgebied": "taal_en_leerbaarheid", "doel": "B1 halen", "actie": "Taalles", "wie": "taalschool"}],
    "pip_datum": "2026-03-01",
}


def walk_intake(case, user) -> None:
    for step in INTAKE_STEPS:
        complete(case, step, user)


def walk_to_signing(case, regisseur, newcomer=None, **plan_overrides) -> None:
    """Intake done, plan drafted and decided: the newcomer's signing task is open."""
    if newcomer is not None:
        case.newcomer_user_id = newcomer.id
    walk_intake(case, regisseur)
    complete(case, "pip_opstellen", regisseur, **{**PLAN, **plan_overrides})
    complete(case, "pip_vaststellen", regisseur, besluitdatum="2026-03-02")
