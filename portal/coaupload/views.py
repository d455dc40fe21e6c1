"""Upload → preview (survives a reload: the file is kept server-side by token) → confirm → result."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.casefile.coa_import import ImportReport
from portal.coaupload.forms import CoaUploadForm
from portal.coaupload.services import import_upload, keep_upload, preview, upload_of
from portal.extensions import db
from portal.forms import PortalForm
from portal.refusal import Refused
from portal.security import CASE_ROLES, roles_required

bp = Blueprint("coaupload", __name__, url_prefix="/cases/coa-import")


def _own(token: str):
    upload = upload_of(current_user, token)
    if upload is None:
        abort(404)
    return upload


@bp.route("/", methods=["GET", "POST"])
@roles_required(*CASE_ROLES)
def upload():
    form = CoaUploadForm()
    limit = current_app.config["COA_IMPORT_MAX_BYTES"]
    if form.validate_on_submit():
        content = form.bestand.data.read(limit + 1)
        if len(content) > limit:
            form.bestand.errors.append(_("Het bestand is groter dan %(limit)s kB; splits het in kleinere bestanden.",
                                         limit=limit // 1024))
        elif not content.strip():
            form.bestand.errors.append(_("Het bestand is leeg: de eerste regel moet de kolomnamen bevatten."))
        else:
            token = keep_upload(current_user, form.bestand.data.filename or "", content)
            db.session.commit()
            return redirect(url_for("coaupload.review", token=token))
    return render_template("coaupload/upload.html", form=form, limit_kb=limit // 1024), \
        422 if form.is_submitted() else 200


@bp.route("/<token>", methods=["GET", "POST"])
@roles_required(*CASE_ROLES)
def review(token: str):
    upload = _own(token)
    if upload.imported_at is not None:
        return redirect(url_for("coaupload.result", token=token))
    form = PortalForm()
    if form.validate_on_submit():
        try:
            import_upload(upload, current_user)
        except Refused as exc:
            flash(exc.reason, "info")
        else:
            db.session.commit()
        return redirect(url_for("coaupload.result", token=token))
    report = preview(upload, current_user)
    return render_template("coaupload/review.html", upload=upload, report=report, form=form, token=token), \
        422 if form.is_submitted() else 200


@bp.route("/<token>/resultaat")
@roles_required(*CASE_ROLES)
def result(token: str):
    upload = _own(token)
    if upload.imported_at is None:
        return redirect(url_for("coaupload.review", token=token))
    report = ImportReport(**{key: upload.result.get(key, []) for key in ("imported", "skipped", "errors")})
    return render_template("coaupload/result.html", upload=upload, report=report)
