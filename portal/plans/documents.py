"""Sealed PDFs of a plan version, and checking a code or a PDF against them (/verify).

A document is rendered once, sealed with the municipality's certificate (PAdES) and stored; it is
never re-rendered to verify — the stored bytes and their SHA-256 are the record.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path

from flask import current_app, render_template, send_file
from flask_babel import force_locale, gettext
from sqlalchemy import select

from portal.extensions import db
from portal.plans.models import PlanDocument, PlanVersion
from portal.plans.pdf import footer_context, render_pdf
from portal.plans.seal import check_seal, generate_dev_certificate, seal_pdf

#: Unambiguous characters for codes people type over from paper (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
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


def make_document(version: PlanVersion, kind: str, locale: str = "nl") -> PlanDocument:
    """Render, seal and store one document of ``version``."""
    code = new_verification_code()
    with force_locale(locale):
        footer = footer_context(
            lang=locale, verify_url=verify_url(), verification_code=code, qr_url=verify_url(code),
            verification_text=gettext("Controleer dit document op {url} met code {code}"),
            page_of=gettext("pagina {page} van {pages}"))
        html = render_template(TEMPLATES[kind], kind=kind, **footer, **document_context(version, kind))
    key, cert = seal_paths()
    sealed = seal_pdf(render_pdf(html), key, cert)
    document = PlanDocument(version=version, kind=kind, verification_code=code, pdf=sealed,
                            sha256=hashlib.sha256(sealed).hexdigest(), locale=locale)
    db.session.add(document)
    db.session.flush()
    return document


def document_context(version: PlanVersion, kind: str) -> dict:
    """What the PDF templates show: the plan per section (in the current locale), decision, dates."""
    from portal.cases.dossier import display_value
    from portal.cases.models import Case
    from portal.plans.render import plan_sections
    from portal.plans.services import plan_form

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
        decided_on=version.decided_at.date().isoformat() if version.decided_at else None,
        signed=signature is not None and document.kind == PlanDocument.SIGNED_COPY,
        signed_on=signature.signed_at.date().isoformat() if signature else None,
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
    document = db.session.scalar(select(PlanDocument).where(PlanDocument.sha256 == digest))
    _key, cert = seal_paths()
    seal = check_seal(data, cert)
    if document is None:
        return Verification(found=False, sha256=digest, seal_intact=seal.intact and seal.valid)
    return _describe(document, seal.intact and seal.valid)
