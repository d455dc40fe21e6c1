"""Staff pages of the plan: versions and what changed, documents, signatures, the activation letter."""

from flask import Blueprint, abort, current_app, render_template, url_for
from flask_login import current_user

from portal.audit.services import record
from portal.cases.services import case_for
from portal.extensions import db
from portal.forms import PortalForm
from portal.newcomer.services import issue_code
from portal.plans.documents import pdf_download
from portal.plans.models import PlanDocument
from portal.plans.pdf import qr_svg_data_uri
from portal.plans.services import plan_of, version_history
from portal.security import CASE_ROLES, Role, roles_required

bp = Blueprint("plans", __name__, url_prefix="/cases/<int:case_id>/plan")


@bp.route("/")
@roles_required(*CASE_ROLES)
def show(case_id: int):
    case = case_for(current_user, case_id, "plans.show")
    view = render_template("plans/show.html", case=case, plan=plan_of(case), history=version_history(case),
                           activation_form=PortalForm())
    db.session.commit()
    return view


@bp.route("/documents/<int:document_id>.pdf")
@roles_required(*CASE_ROLES)
def document(case_id: int, document_id: int):
    case = case_for(current_user, case_id, "plans.document")
    doc = db.session.get(PlanDocument, document_id)
    if doc is None or doc.version.plan.case_id != case.id:
        abort(404)
    record("read", f"plan_document:{doc.id}", "plans.document", case_id=case.id)
    db.session.commit()
    return pdf_download(doc, f"{doc.kind}-{case.reference}-v{doc.version.number}.pdf")


@bp.route("/activation", methods=["POST"])
@roles_required(Role.REGISSEUR)
def activation_letter(case_id: int):
    """Issue a one-time activation code and show the printable letter (the code is shown only here)."""
    case = case_for(current_user, case_id, "plans.activation")
    form = PortalForm()
    if not form.validate_on_submit():
        abort(400)
    code, activation = issue_code(case, current_user)
    public_link = current_app.config["PUBLIC_URL"].rstrip("/") + url_for("newcomer.activate_account", code=code)
    view = render_template("plans/letter.html", case=case, code=code, activation=activation,
                           username=case.newcomer_user.username, link=public_link,
                           qr=qr_svg_data_uri(public_link))
    db.session.commit()
    return view
