"""Newcomer accounts, for the beheerder: made only from a case (by the regisseur), but blocked here when
needed (a blocked newcomer cannot sign in and every session ends). Only the username is shown: the
beheerder reads no case data.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin.account_forms import AccountFilterForm, ReasonForm
from portal.admin.blocking import block, unblock
from portal.admin.scope import managed_municipalities, municipality_choices, scope_or_404
from portal.admin.staff import account_of, accounts_query
from portal.admin.views import bp
from portal.extensions import db
from portal.forms import PortalForm, choices
from portal.forms.bounds import page_number
from portal.security import Role, roles_required


def _newcomer(newcomer_id: int):
    user = account_of(managed_municipalities(current_user), newcomer_id, newcomer=True)
    if user is None:
        abort(404)
    return user


@bp.route("/nieuwkomers")
@roles_required(Role.BEHEERDER)
def newcomer_accounts():
    scope, chosen = scope_or_404(current_user, request.args.get("gemeente"))
    filters = AccountFilterForm(request.args)
    filters.q.label.text = _("Zoek op gebruikersnaam")
    filters.gemeente.choices = choices(municipality_choices(scope, _("Alle gemeenten")))
    valid = filters.validate()
    query = accounts_query(chosen, newcomers=True, search=filters.q.data if valid else None)
    page = db.paginate(query, page=page_number(request.args.get("page")), per_page=current_app.config["PAGE_SIZE"],
                       error_out=False)
    return render_template("admin/accounts/newcomers.html", page=page, filters=filters, plain_form=PortalForm(),
                           scope=scope), \
        200 if valid else 400


@bp.route("/nieuwkomers/<int:newcomer_id>/blokkeren", methods=["GET", "POST"])
@roles_required(Role.BEHEERDER)
def block_newcomer(newcomer_id: int):
    user = _newcomer(newcomer_id)
    form = ReasonForm()
    if block(user, form, lambda ended: _("Account %(name)s is geblokkeerd; %(sessions)d sessie(s) beëindigd.",
                                         name=user.username, sessions=ended)):
        return redirect(url_for("admin.newcomer_accounts"))
    return render_template("admin/accounts/block_newcomer.html", user=user, form=form), \
        422 if form.is_submitted() else 200


@bp.route("/nieuwkomers/<int:newcomer_id>/deblokkeren", methods=["POST"])
@roles_required(Role.BEHEERDER)
def unblock_newcomer(newcomer_id: int):
    user = _newcomer(newcomer_id)
    unblock(user, _("Account %(name)s kan weer inloggen.", name=user.username))
    return redirect(url_for("admin.newcomer_accounts"))
