"""Cases: opening one from the COA handover, access, reassignment, and the dossier view model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort, current_app
from sqlalchemy import func, or_, select

from portal.audit.services import record
from portal.auth.models import Municipality, User
from portal.cases.models import Case
from portal.extensions import db
from portal.security import Role
from portal.tasks.models import HumanTask
from portal.tasks.services import start_workflow


class DuplicateCase(Exception):
    """A case with this V-number exists already."""


@dataclass(frozen=True)
class KoppelingData:
    v_nummer: str
    voornaam: str
    achternaam: str
    geboortedatum: date
    land_van_herkomst: str
    taal: str
    huishoudgrootte: int
    koppelingsdatum: date
    azc_locatie: str | None = None
    coa_contactpersoon: str | None = None
    vergunningsdatum: date | None = None


def open_case(data: KoppelingData, municipality: Municipality, regisseur_id: int | None,
              user_id: int | None, purpose: str) -> Case:
    """Open a case from the COA handover and start its process (the brede intake begins).

    :raises DuplicateCase: when the V-number is already known.
    """
    if db.session.scalar(select(Case.id).where(Case.v_number == data.v_nummer)) is not None:
        raise DuplicateCase(data.v_nummer)
    case = Case(
        reference=f"tmp-{data.v_nummer}", municipality=municipality, regisseur_id=regisseur_id,
        first_name=data.voornaam, last_name=data.achternaam, birth_date=data.geboortedatum,
        v_number=data.v_nummer, country_of_origin=data.land_van_herkomst, language=data.taal,
        household_size=data.huishoudgrootte, azc_location=data.azc_locatie, coa_contact=data.coa_contactpersoon,
        koppeling_date=data.koppelingsdatum, permit_date=data.vergunningsdatum,
    )
    db.session.add(case)
    db.session.flush()
    case.reference = f"{municipality.code}-{data.koppelingsdatum.year}-{case.id:05d}"
    case.pip_deadline = pip_deadline(case)
    record("write", "case", purpose, case_id=case.id, user_id=user_id, detail={"opened": True})
    start_workflow(case, user_id)
    return case


def pip_deadline(case: Case) -> date:
    """The date the PIP must be decided: N weeks after the configured start event."""
    start = case.koppeling_date
    if current_app.config["PIP_DEADLINE_START"] == "verhuizing" and case.moved_date:
        start = max(case.koppeling_date, case.moved_date)
    return start + timedelta(weeks=current_app.config["PIP_DEADLINE_WEEKS"])


def record_move(case: Case, moved: date) -> None:
    case.moved_date = moved
    case.pip_deadline = pip_deadline(case)


def regisseurs_of(municipality_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.municipality_id == municipality_id, User.role == Role.REGISSEUR.value,
                           User.active.is_(True)).order_by(User.display_name)))


def case_for(user: User, case_id: int, purpose: str) -> Case:
    """The case if ``user`` may see it (404 if not: another municipality's cases do not exist for them).

    Every successful read is audited.
    """
    case = db.session.get(Case, case_id)
    if case is None or not user.works_on_cases or case.municipality_id != user.municipality_id:
        abort(404)
    record("read", "case", purpose, case_id=case.id, user_id=user.id)
    return case


def visible_cases_query(user: User, *, search: str | None = None, stage: str | None = None, mine: bool = False):
    query = select(Case).where(Case.municipality_id == user.municipality_id)
    if mine:
        query = query.where(Case.regisseur_id == user.id)
    if stage:
        query = query.where(Case.stage == stage)
    if search:
        like = f"%{search.strip()}%"
        query = query.where(or_(Case.reference.ilike(like), Case.first_name.ilike(like),
                                Case.last_name.ilike(like), Case.v_number.ilike(like)))
    return query.order_by(Case.koppeling_date.desc(), Case.id.desc())


def stages_of(user: User) -> list[tuple[str, str]]:
    rows = db.session.execute(select(Case.stage, Case.stage_label, func.count())
                              .where(Case.municipality_id == user.municipality_id)
                              .group_by(Case.stage, Case.stage_label).order_by(Case.stage_label))
    return [(row[0], f"{row[1]} ({row[2]})") for row in rows]


def reassign(case: Case, regisseur: User, reason: str, user: User) -> None:
    """Hand the case to another regisseur of the same municipality, open tasks included."""
    if regisseur.municipality_id != case.municipality_id or regisseur.role != Role.REGISSEUR.value:
        abort(400)
    previous = case.regisseur_id
    case.regisseur_id = regisseur.id
    for task in db.session.scalars(select(HumanTask).where(
            HumanTask.case_id == case.id, HumanTask.status == HumanTask.OPEN,
            HumanTask.role == Role.REGISSEUR.value)):
        task.assignee_id = regisseur.id
    record("write", "case.regisseur", "cases.reassign", case_id=case.id, user_id=user.id,
           detail={"from": previous, "to": regisseur.id, "reason": reason})
    db.session.flush()


def open_tasks(case: Case) -> list[HumanTask]:
    return list(db.session.scalars(
        select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.status == HumanTask.OPEN)
        .order_by(HumanTask.due_at.is_(None), HumanTask.due_at)))
