"""Enforcement routes: reporting that a newcomer did not come to an intake appointment."""

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.cases.services import case_for
from portal.enforcement.forms import NoShowForm
from portal.enforcement.services import report_no_show
from portal.refusal import Refused
from portal.security import Role, roles_required
from portal.transaction import discard

bp = Blueprint("enforcement", __name__, url_prefix="/cases")


@bp.route("/<int:case_id>/niet-verschenen", methods=["POST"])
@roles_required(Role.REGISSEUR)
def no_show(case_id: int):
    case = case_for(current_user, case_id, "enforcement.no_show", lock=True)
    if not NoShowForm().validate_on_submit():
        flash(_("Het formulier is verlopen. Probeer het opnieuw."), "error")
        return redirect(url_for("casefile.show", case_id=case.id))
    try:
        task = report_no_show(case, current_user)
    except Refused as exc:
        discard()
        flash(exc.reason, "error")
        return redirect(url_for("casefile.show", case_id=case_id))
    return redirect(url_for("tasks.show", task_id=task.id))
