"""Keep an upload, preview it (a dry run of the import), import it once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from portal.audit.services import record
from portal.auth.models import User
from portal.casefile.coa_import import ImportReport, import_coa_csv
from portal.coaupload.models import CoaUpload
from portal.db import utcnow
from portal.extensions import db
from portal.refusal import Refused


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keep_upload(user: User, filename: str, content: bytes) -> str:
    """Store the file for its preview; old uploads go. :returns: the token naming it."""
    db.session.execute(delete(CoaUpload).where(
        CoaUpload.created_at < utcnow() - timedelta(hours=CoaUpload.KEEP_HOURS)))
    token = secrets.token_urlsafe(24)
    upload = CoaUpload(token_hash=_hash(token), user_id=user.id, municipality_id=user.municipality_id,
                       filename=(filename or "coa.csv")[:200], content=content)
    db.session.add(upload)
    db.session.flush()
    record("write", f"coa_upload:{upload.id}", "coaupload.upload", user_id=user.id,
           detail={"bytes": len(content)})
    return token


def upload_of(user: User, token: str) -> CoaUpload | None:
    """An upload of the user's municipality (a colleague may finish it; another municipality's does not
    exist), not after KEEP_HOURS; else None."""
    if not token or len(token) > 64:
        return None
    upload = db.session.scalar(select(CoaUpload).where(CoaUpload.token_hash == _hash(token)))
    if upload is None or upload.municipality_id != user.municipality_id \
            or upload.created_at < utcnow() - timedelta(hours=CoaUpload.KEEP_HOURS):
        return None
    return upload


def preview(upload: CoaUpload, user: User) -> ImportReport:
    """What importing would do, row by row; nothing is opened."""
    return import_coa_csv(upload.content, user.id, dry_run=True, municipality_code=user.municipality.code)


def import_upload(upload: CoaUpload, user: User) -> ImportReport:
    """Open the cases of every good row once (the upload row is locked: a second click imports nothing)."""
    locked = db.session.scalar(select(CoaUpload).where(CoaUpload.id == upload.id).with_for_update())
    if locked.imported_at is not None:
        raise Refused(_("Dit bestand is al geïmporteerd."))
    report = import_coa_csv(locked.content, user.id, municipality_code=user.municipality.code,
                            purpose="coaupload.confirm")
    locked.imported_at, locked.content = utcnow(), b""
    locked.result = {"imported": report.imported, "skipped": report.skipped, "errors": report.errors}
    record("write", f"coa_upload:{locked.id}", "coaupload.confirm", user_id=user.id,
           detail={"imported": len(report.imported), "skipped": len(report.skipped), "errors": len(report.errors)})
    db.session.flush()
    return report
