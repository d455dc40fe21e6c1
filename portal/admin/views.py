"""The beheerder sees the documents the worker has not (yet) made, with the reason, and can retry a failed one.

No case data: a document is shown by its kind, version and verification code, never the newcomer's name.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin.scope import managed_municipalities
from portal.audit.services import record
from portal.db import utcnow
from portal.forms import PortalForm
from portal.plans.documents import document_needing_attention, documents_needing_attention, retry_document
from portal.plans.models import PlanDocument
from portal.refusal import Refused
from portal.security import Role, roles_required

bp = Blueprint("admin", __name__, url_prefix="/beheer")


@bp.route("/documenten")
@roles_required(Role.BEHEERDER)
def documents():
    return render_template("admin/documents.html", documents=documents_needing_attention(
                               managed_municipalities(current_user).where),
                           retry_form=PortalForm(), now=utcnow(), max_attempts=PlanDocument.MAX_ATTEMPTS)


@bp.route("/documenten/<int:document_id>/opnieuw", methods=["POST"])
@roles_required(Role.BEHEERDER)
def retry(document_id: int):
    document = document_needing_attention(managed_municipalities(current_user).where, document_id)
    if document is None:
        abort(404)
    if not PortalForm().validate_on_submit():
        abort(400)
    try:
        retry_document(document)
    except Refused as exc:  # made or queued meanwhile (another beheerder, the worker)
        flash(exc.reason, "info")
        return redirect(url_for("admin.documents"))
    record("write", f"plan_document:{document.id}:retry", "admin.retry")
    flash(_("Document %(code)s wordt opnieuw gemaakt.", code=document.verification_code), "success")
    return redirect(url_for("admin.documents"))


# These modules add their routes to this blueprint (accounts, settings, the audit trail).
from portal.admin import accounts, audit_trail, newcomer_accounts, settings  # noqa: E402,F401
