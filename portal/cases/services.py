"""Cases: opening one from the COA handover, access, reassignment, and the dossier view model."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import abort
from sqlalchemy import func, or_, select

from portal.audit.services import record
from portal.auth.models import Municipality, User
from portal.cases.domains import LIFE_DOMAINS
from portal.cases.models import Case
from portal.engine import FieldSpec
from portal.extensions import db
from portal.security import Role
from portal.tasks.models import HumanTask
from portal.tasks.services import form_spec_for, start_workflow


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
    record("write", "case", purpose, case_id=case.id, user_id=user_id, detail={"opened": True})
    start_workflow(case, user_id)
    return case


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


# -- the dossier, per life domain -----------------------------------------------------------------

@dataclass
class DossierItem:
    label: str
    value: Any
    step: str
    sensitive: bool = False
    hidden: bool = False


@dataclass
class DossierDomain:
    key: str
    label: str
    items: list[DossierItem] = field(default_factory=list)


def _display(spec: FieldSpec, value: Any) -> Any:
    labels = {c.value: c.label for c in spec.choices}
    if spec.kind == "choice":
        return labels.get(str(value), value)
    if spec.kind == "multichoice":
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if spec.kind == "boolean":
        return "ja" if value else "nee"
    return value


def task_items(task: HumanTask, user: User) -> list[tuple[str, DossierItem]]:
    """(life domain, item) for every answered field of a completed task, masking what the user may not see."""
    spec = form_spec_for(task)
    data = task.submitted_data or {}
    items = []
    for top in spec.fields:
        entries = ([(child, (data.get(top.name) or {}).get(child.name), child.domain or top.domain)
                    for child in top.children] if top.kind == "section"
                   else [(top, data.get(top.name), top.domain)])
        for child, value, domain in entries:
            if value in (None, "", []) or child.kind == "rows":
                continue
            hidden = child.sensitive and not user.may_see_sensitive
            items.append((domain or "overig", DossierItem(
                label=child.label, value=None if hidden else _display(child, value), step=task.title,
                sensitive=child.sensitive, hidden=hidden)))
    return items


def audit_sensitive_read(case: Case, user: User, items: list[DossierItem], purpose: str) -> None:
    if any(item.sensitive and not item.hidden for item in items):
        record("read", "case.health", purpose, case_id=case.id, user_id=user.id)


def dossier(case: Case, user: User) -> list[DossierDomain]:
    """What completed steps recorded, grouped per life domain; health data only for roles that need it."""
    domains = {key: DossierDomain(key, str(label)) for key, label in LIFE_DOMAINS.items()}
    for task in timeline(case):
        for domain, item in task_items(task, user):
            domains.get(domain, domains["overig"]).items.append(item)
    shown = [d for d in domains.values() if d.items]
    audit_sensitive_read(case, user, [item for d in shown for item in d.items], "cases.show")
    return shown


def timeline(case: Case) -> list[HumanTask]:
    return list(db.session.scalars(
        select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.status == HumanTask.COMPLETED)
        .order_by(HumanTask.completed_at.desc())))


def open_tasks(case: Case) -> list[HumanTask]:
    return list(db.session.scalars(
        select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.status == HumanTask.OPEN)
        .order_by(HumanTask.due_at.is_(None), HumanTask.due_at)))
