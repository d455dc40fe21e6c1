"""The PIP lifecycle: draft a version, decide it (beschikking), sign it or ask a question.

Services flush; the request or command commits. Every step is audited.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import dates
from portal.audit.services import record
from portal.auth.models import User
from portal.cases.models import Case
from portal.db import local_today, utcnow
from portal.engine import FormSpec
from portal.extensions import db
from portal.hooks import Hooks
from portal.i18n import format_day
from portal.plans.changes import PlanChange, describe_changes
from portal.plans.documents import document_for, queue_document
from portal.plans.models import Plan, PlanDocument, PlanResponse, PlanSignature, PlanVersion
from portal.plans.render import plan_text
from portal.plans.spec import plan_form
from portal.plans.term import start_term
from portal.refusal import Refused
from portal.security import verify_password

#: The consent the newcomer ticks; bump the id when the text (in any language) changes.
CONSENT_TEXT_ID = "pip-akkoord-v1"


class SigningRefused(Refused):
    """The signature (or the decision) cannot be accepted; ``reason`` says why."""


#: Checks a drafted plan must pass before it becomes a version: ``(case, content) -> refusal or None``.
#: Registered by the rooms that know the rules (the route-change rule lives with the progress facts).
draft_checks: Hooks[[Case, dict[str, Any]], str | None] = Hooks("plan draft checks")


def plan_of(case: Case, create: bool = False) -> Plan | None:
    plan = db.session.scalar(select(Plan).where(Plan.case_id == case.id))
    if plan is None and create:
        plan = Plan(case_id=case.id)
        db.session.add(plan)
        db.session.flush()
    return plan


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def version_digest(case: Case, number: int, content: dict[str, Any], text: str) -> str:
    payload = canonical_json({"case": case.reference, "number": number, "content": content, "text": text})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def draft_version(case: Case, content: dict[str, Any], form: FormSpec, user: User | None) -> PlanVersion:
    """A new immutable version from the drafted plan; it needs deciding and new signatures.

    Only what the plan's form asks is kept: a stray key (a "plan date" from an older form) cannot ride
    along into the version, its text or its term."""
    known = {spec.name for spec in form.fields}
    content = {name: value for name, value in content.items() if name in known}
    plan = plan_of(case, create=True)
    number = (db.session.scalar(select(PlanVersion.number).where(PlanVersion.plan_id == plan.id)
                                .order_by(PlanVersion.number.desc()).limit(1)) or 0) + 1
    text = plan_text(content, form)
    version = PlanVersion(plan=plan, number=number, content=content, rendered_text=text,
                          sha256=version_digest(case, number, content, text),
                          created_by_id=user.id if user else None)
    db.session.add(version)
    db.session.flush()
    record("write", f"plan:v{number}", "plans.draft", case_id=case.id, user_id=user.id if user else None,
           detail={"sha256": version.sha256})
    return version


def latest_version(case: Case, status: str | None = None) -> PlanVersion | None:
    """The newest version of the case's plan (with ``status``), in one query (the case page asks twice)."""
    query = select(PlanVersion).join(Plan, Plan.id == PlanVersion.plan_id).where(Plan.case_id == case.id)
    if status:
        query = query.where(PlanVersion.status == status)
    return db.session.scalar(query.order_by(PlanVersion.number.desc()).limit(1))


def current_version(case: Case) -> PlanVersion | None:
    """The decided version in force (what the newcomer reads and signs)."""
    return latest_version(case, PlanVersion.DECIDED)


def decision_date(version: PlanVersion) -> date | None:
    """The date of a decided version's beschikking (``besluitdatum``), else the day it was decided."""
    if version.decision and version.decision.get("besluitdatum"):
        return date.fromisoformat(version.decision["besluitdatum"])
    return dates.local_date(version.decided_at) if version.decided_at else None


def decide(case: Case, decision: dict[str, Any], user: User | None) -> PlanVersion:
    """Adopt the latest draft as the beschikking; the first decision starts the integration term the day
    after its decision date (:mod:`portal.plans.term`), later ones leave the term as it is (art. 11(3)).

    The beschikking and the plan to sign are queued for the worker (:mod:`portal.plans.documents`).

    :raises SigningRefused: no draft, or a change dated before the beschikking it changes.
    """
    version = latest_version(case)
    if version is None or version.status != PlanVersion.DRAFT:
        raise SigningRefused(_("er is geen conceptplan om vast te stellen"))
    decided_on = date.fromisoformat(decision["besluitdatum"]) if decision.get("besluitdatum") else local_today()
    previous = current_version(case)
    earlier = decision_date(previous) if previous is not None else None
    if earlier is not None and decided_on < earlier:
        # A change is a new beschikking on the plan in force: it cannot predate the decision it changes.
        raise SigningRefused(_("De datum van dit besluit ligt vóór de beschikking van versie %(number)d "
                               "(%(date)s). Een wijziging kan niet eerder zijn dan het plan dat ze wijzigt.",
                               number=previous.number, date=format_day(earlier)))
    if previous is not None:
        previous.status = PlanVersion.SUPERSEDED
    version.status, version.decided_at, version.decision = PlanVersion.DECIDED, utcnow(), decision
    if start_term(version.plan, decided_on, user) is not None:
        case.pip_decided_on = decided_on
    db.session.flush()
    # The PDFs are rendered and sealed by the worker, outside this transaction's case lock.
    queue_document(version, PlanDocument.DECISION)
    queue_document(version, PlanDocument.PLAN)
    record("write", f"plan:v{version.number}", "plans.decide", case_id=case.id, user_id=user.id if user else None)
    return version


def _normalise_name(name: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return " ".join(stripped.casefold().replace("-", " ").split())


def name_matches(typed: str, on_file: str) -> bool:
    """Lenient: case, diacritics, hyphens and spaces do not matter."""
    return _normalise_name(typed) == _normalise_name(on_file)


def _hidden_characters(text: str) -> bool:
    """Control, format (bidi overrides, zero-width) and private-use characters: they can make a name in the
    sealed PDF read differently from what was typed."""
    return any(unicodedata.category(c) in {"Cc", "Cf", "Co", "Cs"} for c in text)


@dataclass(frozen=True)
class SignRequest:
    version_id: int
    typed_name: str
    password: str
    consent: bool
    locale: str
    remote_addr: str | None = None
    user_agent: str | None = None
    #: When a staff-initiated account reset was used shortly before (the signature is marked).
    after_account_reset_at: datetime | None = None


def sign(case: Case, user: User, request: SignRequest) -> PlanSignature:
    """Record the newcomer's signature on exactly the version they read.

    :raises SigningRefused: superseded or unknown version, already signed, no consent, wrong password,
        or the plan's PDF is still being prepared (the newcomer signs the document they can keep).
    """
    version = db.session.get(PlanVersion, request.version_id)
    current = current_version(case)
    if version is None or current is None or version.id != current.id:
        raise SigningRefused(_("Dit plan is inmiddels gewijzigd. Lees de nieuwe versie en onderteken die."))
    if version.signed_by(user.id):
        raise SigningRefused(_("Je hebt deze versie al ondertekend."))
    if not request.consent:
        raise SigningRefused(_("Vink aan dat je het plan hebt gelezen en ermee akkoord gaat."))
    if _hidden_characters(request.typed_name):
        raise SigningRefused(_("Je naam bevat tekens die we niet kunnen gebruiken. Typ je naam opnieuw."))
    if not name_matches(request.typed_name, case.full_name):
        raise SigningRefused(_("Typ je naam zoals die in je dossier staat: %(name)s.", name=case.full_name))
    if not verify_password(user.password_hash, request.password):
        record("write", "plan.signature:refused", "newcomer.sign", case_id=case.id, user_id=user.id, keep=True,
               detail={"reason": "password"})
        raise SigningRefused(_("Je wachtwoord klopt niet. Probeer het opnieuw."))
    shown = document_for(version, PlanDocument.PLAN)
    if shown is None or not shown.is_ready:
        raise SigningRefused(_("Je plan wordt nog klaargemaakt. Probeer het over een minuut opnieuw."))
    signature = PlanSignature(
        version=version, version_sha256=version.sha256, document_sha256=shown.sha256, user_id=user.id,
        typed_name=" ".join(request.typed_name.split()), name_matches=True,
        consent_text_id=CONSENT_TEXT_ID, locale=request.locale, auth_method="password-reentry",
        remote_addr=request.remote_addr, user_agent=(request.user_agent or "")[:300],
        after_account_reset_at=request.after_account_reset_at,
    )
    db.session.add(signature)
    db.session.flush()
    queue_document(version, PlanDocument.SIGNED_COPY, locale=request.locale)
    record("write", f"plan:v{version.number}:signature", "newcomer.sign", case_id=case.id, user_id=user.id,
           detail={"version_sha256": version.sha256,
                   "after_account_reset": request.after_account_reset_at.isoformat()
                   if request.after_account_reset_at else None})
    return signature


def respond(case: Case, user: User, version_id: int, message: str) -> PlanResponse:
    version = current_version(case)
    if version is None or version.id != version_id:
        raise SigningRefused(_("Dit plan is inmiddels gewijzigd. Lees eerst de nieuwe versie."))
    response = PlanResponse(version_id=version.id, user_id=user.id, message=message.strip())
    db.session.add(response)
    db.session.flush()
    record("write", f"plan:v{version.number}:response", "newcomer.respond", case_id=case.id, user_id=user.id)
    return response


def responses(version: PlanVersion, unanswered_only: bool = False) -> list[PlanResponse]:
    """The newcomer's questions about a version, oldest first."""
    query = select(PlanResponse).where(PlanResponse.version_id == version.id)
    if unanswered_only:
        query = query.where(PlanResponse.answered_at.is_(None))
    return list(db.session.scalars(query.order_by(PlanResponse.id)))


def open_response(case: Case) -> PlanResponse | None:
    """The newest unanswered question about the plan in force."""
    version = current_version(case)
    unanswered = responses(version, unanswered_only=True) if version else []
    return unanswered[-1] if unanswered else None


def answer_questions(case: Case, answer: str) -> None:
    """The regisseur's answer closes every open question about the plan in force."""
    version = current_version(case)
    for response in responses(version, unanswered_only=True) if version else []:
        response.answer, response.answered_at = answer, utcnow()


@dataclass(frozen=True)
class VersionHistory:
    version: PlanVersion
    #: What changed since the version before, in words (:mod:`portal.plans.changes`).
    changes: list[PlanChange]
    responses: list[PlanResponse]


def version_history(case: Case) -> list[VersionHistory]:
    """Newest version first, each with what changed since the one before and the questions about it.

    Three queries whatever the number of versions: the versions with their signatures and documents
    (selectin), and every question of them (a plan with 7 versions cost 21 more queries, one per list)."""
    versions = list(db.session.scalars(
        select(PlanVersion).join(Plan, Plan.id == PlanVersion.plan_id).where(Plan.case_id == case.id)
        .options(selectinload(PlanVersion.signatures), selectinload(PlanVersion.documents))
        .order_by(PlanVersion.number)))
    asked: dict[int, list[PlanResponse]] = {v.id: [] for v in versions}
    if versions:
        for response in db.session.scalars(select(PlanResponse).where(PlanResponse.version_id.in_(asked))
                                           .order_by(PlanResponse.id)):
            asked[response.version_id].append(response)
    form = plan_form(case) if versions else None
    history = [VersionHistory(v, describe_changes(versions[i - 1].content if i else None, v.content, form)
                              if i else [], asked[v.id])
               for i, v in enumerate(versions)]
    return list(reversed(history))


def previous_decided(version: PlanVersion) -> PlanVersion | None:
    """The version decided before ``version``: the plan the newcomer knew until this one."""
    return db.session.scalar(select(PlanVersion).where(
        PlanVersion.plan_id == version.plan_id, PlanVersion.number < version.number,
        PlanVersion.decided_at.is_not(None)).order_by(PlanVersion.number.desc()).limit(1))


def changes_since_previous(case: Case, version: PlanVersion) -> tuple[PlanVersion | None, list[PlanChange]]:
    """(the version before, what changed since) for a newcomer about to sign ``version``; in the current locale."""
    before = previous_decided(version)
    if before is None:
        return None, []
    return before, describe_changes(before.content, version.content, plan_form(case))
