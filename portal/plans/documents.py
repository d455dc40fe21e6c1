"""Sealed PDFs of a plan version, and checking a code or a PDF against them (/verify).

A document is queued in the transaction that decides or signs (:func:`queue_document`), then rendered
once by the worker outside any lock, sealed with the municipality's certificate (PAdES) and stored
(:func:`claim_next` → :func:`render_document` → :func:`store_document`, see :mod:`portal.worker`).
It is never re-rendered to verify — the stored bytes and their SHA-256 are the record.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from flask import current_app, render_template, send_file
from flask_babel import force_locale, gettext
from sqlalchemy import ColumnElement, or_, select

from portal.cases.models import Case
from portal.dates import local_date
from portal.db import fail_attempt, utcnow
from portal.extensions import db
from portal.forms import display_value
from portal.plans.models import Plan, PlanDocument, PlanVersion
from portal.plans.pdf import footer_context, render_pdf
from portal.plans.render import plan_sections
from portal.plans.seal import check_seal, generate_dev_certificate, seal_pdf
from portal.plans.spec import plan_form
from portal.refusal import Refused

#: Unambiguous characters for codes people type over from paper (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
#: How long a worker may take to render one document before another may take it over.
LEASE = timedelta(minutes=5)
TEMPLATES = {
    PlanDocument.DECISION: "pdf/beschikking.html",
    PlanDocument.PLAN: "pdf/plan.html",
    PlanDocument.SIGNED_COPY: "pdf/plan.html",
}


def new_verification_code() -> str:
    return "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(3))


def seal_paths() -> tuple[Path, Path]:
    key, cert = Path(current_app.config["SEAL_KEY"]), Path(current_app.config["SEAL_CERT"])
    if not key.exists() or not cert.exists():
        if "dev-" not in cert.name:
            raise RuntimeError(f"seal certificate {cert} or key {key} missing (PORTAL_SEAL_CERT/PORTAL_SEAL_KEY)")
        generate_dev_certificate(key, cert)
    return key, cert


def verify_url(code: str | None = None) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return f"{base}/verify?code={code}" if code else f"{base}/verify"


def queue_document(version: PlanVersion, kind: str, locale: str = "nl") -> PlanDocument:
    """Queue one document of ``version`` for the worker; its verification code is fixed now."""
    document = PlanDocument(version=version, kind=kind, verification_code=new_verification_code(), locale=locale,
                            status=PlanDocument.PENDING, next_attempt_at=utcnow())
    db.session.add(document)
    db.session.flush()
    return document


def claim_next(now: datetime, lease: timedelta = LEASE) -> int | None:
    """Take the oldest due document for rendering: lease it and count the attempt.

    ``SKIP LOCKED`` (PostgreSQL) and the lease keep two workers from rendering one document; if a
    worker dies while rendering, the lease runs out and another takes it. The caller commits before
    rendering, so no lock is held while the PDF is made.
    """
    document = db.session.scalar(
        select(PlanDocument)
        .where(PlanDocument.status == PlanDocument.PENDING, PlanDocument.next_attempt_at <= now,
               or_(PlanDocument.leased_until.is_(None), PlanDocument.leased_until < now))
        .order_by(PlanDocument.next_attempt_at, PlanDocument.id).limit(1).with_for_update(skip_locked=True))
    if document is None:
        return None
    document.leased_until, document.attempts = now + lease, document.attempts + 1
    db.session.flush()
    return document.id


def render_document(document_id: int) -> bytes:
    """Render and seal one document (reads only; may take a second for a large plan)."""
    document = db.session.get(PlanDocument, document_id)
    with force_locale(document.locale):
        footer = footer_context(
            lang=document.locale, verify_url=verify_url(), verification_code=document.verification_code,
            qr_url=verify_url(document.verification_code),
            verification_text=gettext("Controleer dit document op {url} met code {code}"),
            page_of=gettext("pagina {page} van {pages}"))
        html = render_template(TEMPLATES[document.kind], kind=document.kind, **footer,
                               **document_context(document.version, document.kind))
    key, cert = seal_paths()
    return seal_pdf(render_pdf(html), key, cert)


def store_document(document_id: int, sealed: bytes, now: datetime) -> PlanDocument | None:
    """Keep the sealed bytes; None if the document was produced meanwhile (its lease had run out)."""
    document = db.session.scalar(select(PlanDocument).where(PlanDocument.id == document_id).with_for_update())
    if document is None or document.status == PlanDocument.READY:
        return None
    document.pdf, document.sha256 = sealed, hashlib.sha256(sealed).hexdigest()
    document.status, document.produced_at = PlanDocument.READY, now
    document.leased_until, document.last_error = None, None
    db.session.flush()
    return document


def document_failed(document_id: int, error: str, now: datetime) -> None:
    """Record a failed attempt: retry later with back-off, or give up after MAX_ATTEMPTS (beheerder sees it)."""
    document = db.session.scalar(select(PlanDocument).where(PlanDocument.id == document_id).with_for_update())
    if document is None or document.status != PlanDocument.PENDING:
        return
    fail_attempt(document, error, now)
    db.session.flush()


def retry_document(document: PlanDocument) -> None:
    """The beheerder asks for another try of a failed document.

    :raises Refused: the document has not failed (it is queued or made already).
    """
    if document.status != PlanDocument.FAILED:
        raise Refused(gettext("Dit document is niet mislukt; het wordt al gemaakt of is klaar."))
    document.status, document.attempts, document.next_attempt_at = PlanDocument.PENDING, 0, utcnow()
    document.leased_until = None
    db.session.flush()


def _not_ready(within: Callable[[Any], ColumnElement[bool]]):
    """Documents not made (yet) of the cases whose municipality passes ``within`` (a condition on
    ``Case.municipality_id``, built by the admin room's scope)."""
    return (select(PlanDocument).where(PlanDocument.status != PlanDocument.READY)
            .join(PlanVersion, PlanDocument.version_id == PlanVersion.id)
            .join(Plan, PlanVersion.plan_id == Plan.id).join(Case, Plan.case_id == Case.id)
            .where(within(Case.municipality_id)))


def documents_needing_attention(within: Callable[[Any], ColumnElement[bool]],
                                limit: int = 200) -> list[PlanDocument]:
    """Failed documents first, then those still waiting, oldest first."""
    return list(db.session.scalars(_not_ready(within).order_by(
        PlanDocument.status == PlanDocument.PENDING, PlanDocument.created_at).limit(limit)))


def document_needing_attention(within: Callable[[Any], ColumnElement[bool]],
                               document_id: int) -> PlanDocument | None:
    """One of :func:`documents_needing_attention`, by id (None if it is not the beheerder's or is made)."""
    return db.session.scalar(_not_ready(within).where(PlanDocument.id == document_id)
                             .with_for_update(of=PlanDocument))


def document_context(version: PlanVersion, kind: str) -> dict:
    """What the PDF templates show: the plan per section (in the current locale), decision, dates."""
    case = db.session.get(Case, version.plan.case_id)
    form = plan_form(case)
    route = version.content.get("leerroute", {}).get("route")
    route_spec = next((c for f in form.fields if f.name == "leerroute" for c in f.children if c.name == "route"), None)
    decided = (version.decision or {}).get("besluitdatum")
    return {
        "decision_date": date.fromisoformat(decided) if decided else None,
        "route_label": display_value(route_spec, route) if route_spec and route else route,
        "case": case, "version": version, "plan": version.plan, "decision": version.decision or {},
        "sections": plan_sections(version.content, form),
        "signatures": version.signatures if kind == PlanDocument.SIGNED_COPY else [],
    }


def pdf_download(document: PlanDocument, filename: str):
    """The stored (sealed) bytes as a download: never re-rendered."""
    return send_file(BytesIO(document.pdf), mimetype="application/pdf", as_attachment=True, download_name=filename)


def document_for(version: PlanVersion, kind: str) -> PlanDocument | None:
    return db.session.scalar(select(PlanDocument).where(PlanDocument.version_id == version.id,
                                                        PlanDocument.kind == kind)
                             .order_by(PlanDocument.id.desc()).limit(1))


def my_copy_document(version: PlanVersion) -> PlanDocument | None:
    """The copy a newcomer downloads: the signed copy once it is ready, else the plan they were shown."""
    for kind in (PlanDocument.SIGNED_COPY, PlanDocument.PLAN):
        document = document_for(version, kind)
        if document is not None and document.is_ready:
            return document
    return None


@dataclass(frozen=True)
class Verification:
    """What /verify may tell anyone: no names, no content — only whether and what it matches."""

    found: bool
    kind: str | None = None
    version_number: int | None = None
    version_status: str | None = None
    decided_on: str | None = None
    signed: bool = False
    signed_on: str | None = None
    sha256: str | None = None
    seal_intact: bool | None = None
    superseded: bool = False


def _describe(document: PlanDocument, seal_intact: bool | None) -> Verification:
    version = document.version
    signature = version.signatures[0] if version.signatures else None
    return Verification(
        found=True, kind=document.kind, version_number=version.number, version_status=version.status,
        decided_on=local_date(version.decided_at).isoformat() if version.decided_at else None,
        signed=signature is not None and document.kind == PlanDocument.SIGNED_COPY,
        signed_on=local_date(signature.signed_at).isoformat() if signature else None,
        sha256=document.sha256, seal_intact=seal_intact, superseded=version.status == PlanVersion.SUPERSEDED,
    )


def verify_code(code: str) -> Verification:
    cleaned = code.strip().upper().replace(" ", "")
    if len(cleaned) == 12 and "-" not in cleaned:
        cleaned = "-".join(cleaned[i:i + 4] for i in range(0, 12, 4))
    document = db.session.scalar(select(PlanDocument).where(PlanDocument.verification_code == cleaned))
    return _describe(document, None) if document else Verification(found=False)


def verify_pdf(data: bytes) -> Verification:
    """A PDF matches only if its bytes are exactly a stored document; the seal is checked as well."""
    digest = hashlib.sha256(data).hexdigest()
    document = db.session.scalar(select(PlanDocument).where(PlanDocument.sha256 == digest,
                                                            PlanDocument.status == PlanDocument.READY))
    _key, cert = seal_paths()
    seal = check_seal(data, cert)
    if document is None:
        return Verification(found=False, sha256=digest, seal_intact=seal.intact and seal.valid)
    return _describe(document, seal.intact and seal.valid)
