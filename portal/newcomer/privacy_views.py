"""The newcomer's privacy pages: "Wie heeft mijn dossier bekeken" and a copy of all their data (AVG art. 15).

Like every newcomer page they work on the logged-in newcomer's own case only; a data copy is found
by its id AND this newcomer's case and account, so another newcomer's id answers 404.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.audit.services import record
from portal.audit.trail import decode_cursor
from portal.db import utcnow
from portal.forms import PortalForm
from portal.newcomer.access_log import access_page
from portal.newcomer.data_copy import copies_of, download, expires_at, my_copy, request_copy
from portal.newcomer.services import newcomer_case
from portal.newcomer.views import bp
from portal.refusal import Refused
from portal.security import Role, roles_required
from portal.transaction import SAFE_METHODS


def _my_case():
    case = newcomer_case(current_user, lock=request.method not in SAFE_METHODS)
    if case is None:
        abort(404)
    return case


@bp.route("/mijn/inzage")
@roles_required(Role.INBURGERAAR)
def who_read_my_file():
    case = _my_case()
    lines, next_cursor = access_page(case, current_user, decode_cursor(request.args.get("na")),
                                     current_app.config["PAGE_SIZE"] * 4)
    record("read", "audit_trail", "newcomer.who_read_my_file", case_id=case.id)
    return render_template("newcomer/who_read_my_file.html", case=case, lines=lines, next_cursor=next_cursor,
                           continued=bool(request.args.get("na")))


@bp.route("/mijn/gegevens")
@roles_required(Role.INBURGERAAR)
def my_data():
    case = _my_case()
    copies = copies_of(case, current_user)
    record("read", "data_copy", "newcomer.my_data", case_id=case.id)
    return render_template("newcomer/my_data.html", case=case, copies=copies, form=PortalForm(),
                           expires_at=expires_at, pending=any(c.status == c.PENDING for c in copies), now=utcnow())


@bp.route("/mijn/gegevens/aanvragen", methods=["POST"])
@roles_required(Role.INBURGERAAR)
def request_data_copy():
    case = _my_case()
    if not PortalForm().validate_on_submit():
        abort(400)
    try:
        copy = request_copy(case, current_user, str(get_locale() or "nl"))
    except Refused as exc:
        flash(exc.reason, "info")
        return redirect(url_for("newcomer.my_data"))
    record("write", "data_copy:requested", "newcomer.request_data_copy", case_id=case.id, detail={"copy": copy.id})
    flash(_("We maken een kopie van je gegevens. Dat duurt meestal een paar minuten."), "success")
    return redirect(url_for("newcomer.my_data"))


@bp.route("/mijn/gegevens/<int:copy_id>/download")
@roles_required(Role.INBURGERAAR)
def download_data_copy(copy_id: int):
    case = _my_case()
    copy = my_copy(case, current_user, copy_id)
    if copy is None:
        abort(404)
    record("read", f"data_copy:{copy.id}", "newcomer.download_data_copy", case_id=case.id)
    return download(copy, case)
