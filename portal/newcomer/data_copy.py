"""A copy of all the newcomer's data (AVG art. 15): requested on their page, made by the worker.

What it holds is collected from the newcomer's own case only (every query is by this case's id or
this newcomer's account): personal data, plan versions with signatures and questions, the steps of
the process and what they recorded, progress meetings and self-assessments, concerns, enforcement
steps, and the audit entries about the file (by role, as on "Wie heeft mijn dossier bekeken").
Staff appear by role, never by name. The copy is a zip with a PDF in the newcomer's language
(WeasyPrint + Noto fonts, :mod:`portal.plans.pdf`) and the same data as JSON.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app, render_template, send_file
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select

from portal.auth.models import User
from portal.cases.models import Case
from portal.concerns.services import concerns_of
from portal.db import fail_attempt, utcnow
from portal.enforcement.services import steps as enforcement_steps
from portal.extensions import db
from portal.newcomer.access_log import access_lines
from portal.newcomer.copy_models import DataCopy
from portal.plans.models import PlanResponse
from portal.plans.pdf import render_pdf, text_direction
from portal.plans.render import plan_sections
from portal.plans.services import plan_of
from portal.plans.spec import plan_form
from portal.progress.services import final_report, meetings, self_assessments
from portal.refusal import Refused
from portal.tasks.models import HumanTask

LEASE = timedelta(minutes=10)


# -- the newcomer's side ---------------------------------------------------------------------------

def copies_of(case: Case, user: User) -> list[DataCopy]:
    return list(db.session.scalars(select(DataCopy).where(DataCopy.case_id == case.id, DataCopy.user_id == user.id)
                                   .order_by(DataCopy.id.desc()).limit(5)))


def request_copy(case: Case, user: User, locale: str) -> DataCopy:
    """Queue a copy for the worker. One at a time: a copy being made is not queued twice.

    :raises Refused: a copy is being made already.
    """
    busy = db.session.scalar(select(DataCopy).where(DataCopy.case_id == case.id, DataCopy.status == DataCopy.PENDING))
    if busy is not None:
        raise Refused(_("Je kopie wordt al gemaakt. Even geduld."))
    copy = DataCopy(case_id=case.id, user_id=user.id, locale=locale, status=DataCopy.PENDING,
                    requested_at=utcnow(), next_attempt_at=utcnow(), attempts=0)
    db.session.add(copy)
    db.session.flush()
    return copy


def my_copy(case: Case, user: User, copy_id: int) -> DataCopy | None:
    """The newcomer's own ready copy, still within its download period."""
    copy = db.session.get(DataCopy, copy_id)
    if copy is None or copy.case_id != case.id or copy.user_id != user.id or copy.status != DataCopy.READY:
        return None
    return None if expired(copy) else copy


def expires_at(copy: DataCopy) -> datetime | None:
    return copy.produced_at + timedelta(days=current_app.config["DATA_COPY_DAYS"]) if copy.produced_at else None


def expired(copy: DataCopy) -> bool:
    until = expires_at(copy)
    return until is not None and until <= utcnow()


def download(copy: DataCopy, case: Case):
    return send_file(io.BytesIO(copy.content), mimetype="application/zip", as_attachment=True,
                     download_name=f"mijn-gegevens-{case.reference}.zip", max_age=0)


# -- what the copy holds ---------------------------------------------------------------------------

def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _role(user_id: int | None, roles: dict[int, str]) -> str | None:
    if user_id is None:
        return None
    if user_id not in roles:
        user = db.session.get(User, user_id)
        roles[user_id] = user.role if user else ""
    return roles[user_id]


def collect(case: Case, newcomer: User) -> dict[str, Any]:
    """Everything the portal holds about this newcomer, JSON-native (dates as ISO strings)."""
    roles: dict[int, str] = {}
    plan = plan_of(case)
    versions = []
    for version in plan.versions if plan else []:
        versions.append({
            "nummer": version.number, "status": version.status, "gemaakt_op": _iso(version.created_at),
            "vastgesteld_op": _iso(version.decided_at), "sha256": version.sha256, "inhoud": version.content,
            "tekst": version.rendered_text, "besluit": version.decision,
            "handtekeningen": [{"getekend_op": _iso(s.signed_at), "naam_getypt": s.typed_name,
                                "naam_klopt": s.name_matches, "taal": s.locale, "manier": s.auth_method,
                                "versie_sha256": s.version_sha256, "document_sha256": s.document_sha256,
                                "adres": s.remote_addr} for s in version.signatures if s.user_id == newcomer.id],
            "vragen": [{"gesteld_op": _iso(r.created_at), "vraag": r.message, "antwoord": r.answer,
                        "beantwoord_op": _iso(r.answered_at)}
                       for r in db.session.scalars(select(PlanResponse).where(PlanResponse.version_id == version.id)
                                                   .order_by(PlanResponse.id))],
        })
    tasks = db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id,
                                                       HumanTask.status == HumanTask.COMPLETED)
                               .order_by(HumanTask.completed_at, HumanTask.id))
    report = final_report(case)
    return {
        "gemaakt_op": utcnow().isoformat(),
        "gemeente": case.municipality.name,
        "persoonsgegevens": {
            "dossiernummer": case.reference, "voornaam": case.first_name, "achternaam": case.last_name,
            "geboortedatum": _iso(case.birth_date), "v_nummer": case.v_number, "bsn": case.bsn,
            "land_van_herkomst": case.country_of_origin, "taal": case.language,
            "huishoudgrootte": case.household_size, "azc": case.azc_location, "coa_contact": case.coa_contact,
            "koppelingsdatum": _iso(case.koppeling_date), "datum_verblijfsvergunning": _iso(case.permit_date),
            "datum_verhuizing": _iso(case.moved_date), "datum_kennisgeving_duo": _iso(case.duo_notice_date),
            "datum_inschrijving_brp": _iso(case.brp_registration_date), "pip_termijn": _iso(case.pip_deadline),
            "fase": case.stage_label, "gesloten_op": _iso(case.closed_at),
        },
        "account": {"gebruikersnaam": newcomer.username, "naam": newcomer.display_name, "email": newcomer.email,
                    "telefoon": newcomer.phone, "taal": newcomer.locale,
                    "laatst_ingelogd": _iso(newcomer.last_login_at)},
        "plan": {"datum_pip": _iso(plan.pip_date) if plan else None,
                 "inburgeringstermijn": [_iso(plan.term_start), _iso(plan.term_end)] if plan else None,
                 "versies": versions},
        "stappen": [{"stap": task.title, "afgerond_op": _iso(task.completed_at),
                     "door": _role(task.completed_by_id, roles), "gegevens": task.submitted_data}
                    for task in tasks],
        "voortgangsgesprekken": [{
            "nummer": m.number, "datum": _iso(m.held_on), "uren_aangeboden": m.hours_offered,
            "uren_aanwezig": m.hours_attended, "examens": m.exams, "map": m.map_status, "pvt": m.pvt_status,
            "doelen": m.goals, "trede": m.ladder_rung, "signalen": m.signals, "medewerking": m.cooperation,
            "afspraken": m.next_steps, "samenvatting": m.summary, "beoordeling": m.assessment}
            for m in meetings(case)],
        "zelfbeoordelingen": [{"datum": _iso(s.created_at), "algemeen": s.overall, "doelen": s.goals,
                               "hulp_nodig": s.help_needed, "vraag": s.question} for s in self_assessments(case)],
        "eindverslag": {"conclusie": report.conclusion, "trede": report.ladder_rung, "samenvatting": report.summary,
                        "aanbevelingen": report.recommendations, "datum": _iso(report.created_at)} if report else None,
        "zorgen": [{"gemeld_op": _iso(c.raised_at), "soort": c.category, "tekst": c.text, "status": c.status,
                    "antwoord": c.answer, "beantwoord_op": _iso(c.answered_at)} for c in concerns_of(case)],
        "maatregelen": [{"spoor": e.track, "stap": e.rung, "maatregel": e.measure, "bedrag_euro": e.amount_euro,
                         "verwijtbaarheid": e.culpability, "geboden_ondersteuning": e.support_offered,
                         "verzachting": e.mitigation, "status": e.status, "voorgesteld_op": _iso(e.proposed_at),
                         "besloten_op": _iso(e.decided_at), "toelichting": e.decision_note}
                        for e in enforcement_steps(case)],
        "inzage_in_mijn_dossier": access_lines(case, newcomer),
    }


def render_copy(copy_id: int) -> tuple[bytes, str]:
    """The zip (PDF + JSON) of one copy and its SHA-256; reads only."""
    copy = db.session.get(DataCopy, copy_id)
    case = db.session.get(Case, copy.case_id)
    newcomer = db.session.get(User, copy.user_id)
    data = collect(case, newcomer)
    plan = plan_of(case)
    with force_locale(copy.locale):
        form = plan_form(case)
        plans = [(version, plan_sections(version.content, form)) for version in (plan.versions if plan else [])]
        html = render_template("pdf/data_copy.html", data=data, case=case, plans=plans, lang=copy.locale,
                               dir=text_direction(copy.locale))
    pdf = render_pdf(html)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mijn-gegevens.pdf", pdf)
        archive.writestr("mijn-gegevens.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
    content = out.getvalue()
    return content, hashlib.sha256(content).hexdigest()


# -- the worker's side ---------------------------------------------------------------------------

def claim_next(now: datetime) -> int | None:
    copy = db.session.scalar(
        select(DataCopy).where(DataCopy.status == DataCopy.PENDING, DataCopy.next_attempt_at <= now,
                               or_(DataCopy.leased_until.is_(None), DataCopy.leased_until < now))
        .order_by(DataCopy.next_attempt_at, DataCopy.id).limit(1).with_for_update(skip_locked=True))
    if copy is None:
        return None
    copy.leased_until, copy.attempts = now + LEASE, copy.attempts + 1
    db.session.flush()
    return copy.id


def store_copy(copy_id: int, content: bytes, sha256: str, now: datetime) -> None:
    copy = db.session.scalar(select(DataCopy).where(DataCopy.id == copy_id).with_for_update())
    if copy is None or copy.status != DataCopy.PENDING:
        return
    copy.content, copy.sha256, copy.status, copy.produced_at = content, sha256, DataCopy.READY, now
    copy.leased_until, copy.last_error = None, None
    db.session.flush()


def copy_failed(copy_id: int, error: str, now: datetime) -> None:
    copy = db.session.scalar(select(DataCopy).where(DataCopy.id == copy_id).with_for_update())
    if copy is None or copy.status != DataCopy.PENDING:
        return
    fail_attempt(copy, error, now)
    db.session.flush()
