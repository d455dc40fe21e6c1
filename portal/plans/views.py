"""Staff pages of the plan: versions and what changed, documents, signatures.

The newcomer's account and its activation letters are the newcomer room's (``newcomer.account``)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.audit.services import record
from portal.cases.services import case_for
from portal.extensions import db
from portal.plans.documents import pdf_download
from portal.plans.models import PlanDocument
from portal.plans.services import plan_of, version_history
from portal.plans.spec import extension_grounds
from portal.plans.term import term_decisions
from portal.security import CASE_ROLES, roles_required

bp = Blueprint("plans", __name__, url_prefix="/cases/<int:case_id>/plan")


@bp.route("/")
@roles_required(*CASE_ROLES)
def show(case_id: int):
    case = case_for(current_user, case_id, "plans.show")
    plan = plan_of(case)
    return render_template("plans/show.html", case=case, plan=plan, history=version_history(case),
                           term_decisions=term_decisions(plan), ground_labels=extension_grounds(case))


@bp.route("/documents/<int:document_id>.pdf")
@roles_required(*CASE_ROLES)
def document(case_id: int, document_id: int):
    case = case_for(current_user, case_id, "plans.document")
    doc = db.session.get(PlanDocument, document_id)
    if doc is None or doc.version.plan.case_id != case.id:
        abort(404)
    record("read", f"plan_document:{doc.id}", "plans.document", case_id=case.id)
    if not doc.is_ready:
        flash(_("Dit document wordt nog klaargemaakt. Probeer het over een paar minuten opnieuw."), "info")
        return redirect(url_for("plans.show", case_id=case.id))
    return pdf_download(doc, f"{doc.kind}-{case.reference}-v{doc.version.number}.pdf")
