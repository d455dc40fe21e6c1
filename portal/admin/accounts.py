"""The beheerder's staff accounts: list and search, make one (with a one-time link for its password),
block and unblock, reset two-factor, and hand every case of a leaving regisseur to a colleague.

The municipalities the beheerder administers only (portal.admin.scope: their own, plus those granted to a
regional beheerder): another one's accounts answer 404. Every change is audited (in the services).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.admin.account_forms import AccountFilterForm, NewStaffForm, ReasonForm, ReassignAllForm
from portal.admin.blocking import block, unblock
from portal.admin.scope import managed_municipalities, municipality_choices, scope_or_404
from portal.admin.staff import (
    account_of,
    accounts_query,
    cases_held,
    hand_over_all,
    handover_preview,
    regisseurs_for_handover,
)
from portal.admin.views import bp
from portal.audit.services import record
from portal.auth import two_factor
from portal.auth.accounts import MUNICIPAL_STAFF_ROLES, AccountRefused, activation_token, granted_municipalities
from portal.auth.accounts import new_staff_user as make_staff_user
from portal.extensions import db
from portal.forms import PortalForm, choices
from portal.forms.bounds import page_number
from portal.refusal import Refused
from portal.security import Role, roles_required

ROLE_LABELS = {Role.REGISSEUR: _l("Regisseur"), Role.TEAMLEIDER: _l("Teamleider"), Role.BEHEERDER: _l("Beheerder")}


def _staff(user_id: int):
    user = account_of(managed_municipalities(current_user), user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/gebruikers")
@roles_required(Role.BEHEERDER)
def accounts():
    scope, chosen = scope_or_404(current_user, request.args.get("gemeente"))
    filters = AccountFilterForm(request.args)
    filters.gemeente.choices = choices(municipality_choices(scope, _("Alle gemeenten")))
    valid = filters.validate()
    query = accounts_query(chosen, search=filters.q.data if valid else None)
    page = db.paginate(query, page=page_number(request.args.get("page")), per_page=current_app.config["PAGE_SIZE"],
                       error_out=False)
    return render_template("admin/accounts/index.html", page=page, filters=filters, scope=scope), \
        200 if valid else 400


@bp.route("/gebruikers/nieuw", methods=["GET", "POST"])
@roles_required(Role.BEHEERDER)
def new_account():
    scope = managed_municipalities(current_user)
    form = NewStaffForm()
    form.role.choices = choices([("", _("Kies een rol")),
                                 *((role.value, ROLE_LABELS[role]) for role in MUNICIPAL_STAFF_ROLES)])
    if scope.regional:  # only the municipalities this beheerder administers are offered (and accepted)
        form.gemeente.choices = choices(municipality_choices(scope, _("Kies een gemeente")))
    else:
        del form.gemeente
    if form.validate_on_submit():
        municipality = scope.by_code(form.gemeente.data) if scope.regional else current_user.municipality
        try:
            user = make_staff_user(form.username.data, form.display_name.data, form.role.data,
                                   municipality, email=form.email.data, actor_id=current_user.id,
                                   purpose="admin.new_account")
        except AccountRefused as exc:
            form.username.errors.append(exc.reason)
        else:
            db.session.commit()
            link = url_for("auth.activate_staff", token=activation_token(user), _external=True)
            return render_template("admin/accounts/created.html", user=user, link=link)
    return render_template("admin/accounts/new.html", form=form, scope=scope), 422 if form.is_submitted() else 200


@bp.route("/gebruikers/<int:user_id>")
@roles_required(Role.BEHEERDER)
def account(user_id: int):
    user = _staff(user_id)
    return render_template("admin/accounts/show.html", user=user, cases=cases_held(user),
                           enrolled=two_factor.enrolment(user), reason_form=ReasonForm(), plain_form=PortalForm(),
                           granted=granted_municipalities(user))


@bp.route("/gebruikers/<int:user_id>/blokkeren", methods=["POST"])
@roles_required(Role.BEHEERDER)
def deactivate_account(user_id: int):
    user = _staff(user_id)
    form = ReasonForm()
    if block(user, form, lambda ended: _("%(name)s kan niet meer inloggen; %(sessions)d sessie(s) beëindigd.",
                                         name=user.display_name, sessions=ended)):
        return redirect(url_for("admin.account", user_id=user.id))
    return render_template("admin/accounts/show.html", user=user, cases=cases_held(user),
                           enrolled=two_factor.enrolment(user), reason_form=form, plain_form=PortalForm(),
                           granted=granted_municipalities(user)), 422


@bp.route("/gebruikers/<int:user_id>/deblokkeren", methods=["POST"])
@roles_required(Role.BEHEERDER)
def reactivate_account(user_id: int):
    user = _staff(user_id)
    unblock(user, _("%(name)s kan weer inloggen.", name=user.display_name))
    return redirect(url_for("admin.account", user_id=user.id))


@bp.route("/gebruikers/<int:user_id>/activeringslink", methods=["POST"])
@roles_required(Role.BEHEERDER)
def new_activation_link(user_id: int):
    """A new one-time link for an account that has no password yet (the first link was lost or expired)."""
    user = _staff(user_id)
    if not PortalForm().validate_on_submit():
        abort(400)
    if user.password_hash is not None or not user.is_active:
        flash(_("Dit account heeft al een wachtwoord of is geblokkeerd; een activeringslink is niet nodig."), "info")
        return redirect(url_for("admin.account", user_id=user.id))
    record("write", f"user:{user.id}.activation_link", "admin.new_activation_link",
           municipality_id=user.municipality_id, detail={"user": user.id})
    db.session.commit()
    link = url_for("auth.activate_staff", token=activation_token(user), _external=True)
    return render_template("admin/accounts/created.html", user=user, link=link)


@bp.route("/gebruikers/<int:user_id>/tweestaps-herstellen", methods=["POST"])
@roles_required(Role.BEHEERDER)
def reset_two_factor(user_id: int):
    user = _staff(user_id)
    if not PortalForm().validate_on_submit():
        abort(400)
    two_factor.reset_two_factor(user, by=current_user)
    db.session.commit()
    flash(_("Inloggen in twee stappen van %(name)s is gewist; bij de volgende keer inloggen stelt %(name)s het "
            "opnieuw in.", name=user.display_name), "success")
    return redirect(url_for("admin.account", user_id=user.id))


@bp.route("/gebruikers/<int:user_id>/dossiers-overdragen", methods=["GET", "POST"])
@roles_required(Role.BEHEERDER)
def hand_over(user_id: int):
    leaving = _staff(user_id)
    if leaving.role != Role.REGISSEUR.value:
        abort(404)
    form = ReassignAllForm()
    form.regisseur.choices = choices([(0, _("Kies een regisseur")),
                                      *((u.id, u.display_name) for u in regisseurs_for_handover(leaving))])
    if form.validate_on_submit():
        # within the beheerder's scope; hand_over_all refuses another municipality than the leaving one's
        target = account_of(managed_municipalities(current_user), form.regisseur.data)
        try:
            if target is None:
                raise Refused(_("Kies een andere, actieve regisseur van deze gemeente."))
            cases, tasks = hand_over_all(leaving, target, form.reden.data, current_user)
        except Refused as exc:
            form.regisseur.errors.append(exc.reason)
        else:
            db.session.commit()
            flash(_("%(cases)d dossier(s) en %(tasks)d open ta(a)k(en) van %(from)s zijn overgedragen aan %(to)s.",
                    cases=cases, tasks=tasks, **{"from": leaving.display_name, "to": target.display_name}),
                  "success")
            return redirect(url_for("admin.account", user_id=leaving.id))
    return render_template("admin/accounts/hand_over.html", leaving=leaving, form=form,
                           preview=handover_preview(leaving)), 422 if form.is_submitted() else 200
