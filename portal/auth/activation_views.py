"""The staff member's one-time link: set the first password, then sign in (with two-factor enrolment
where the role requires it). Routes on the auth blueprint (imported by :mod:`portal.auth.views`)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.accounts import set_first_password, user_for_activation
from portal.auth.forms import StaffActivationForm
from portal.auth.views import bp
from portal.security import public


@bp.route("/account/activeren/<token>", methods=["GET", "POST"])
@public
def activate_staff(token: str):
    if current_user.is_authenticated:
        flash(_("Je bent al ingelogd. Log eerst uit om een ander account te activeren."), "info")
        return redirect(url_for("auth.index"))
    user = user_for_activation(token)
    if user is None:
        return render_template("errors/error.html", code=410, title=_("Deze link werkt niet meer"),
                               message=_("De link is al gebruikt, verlopen of onvolledig. Vraag de beheerder van "
                                         "je gemeente om een nieuwe link.")), 410
    form = StaffActivationForm()
    if form.validate_on_submit():
        set_first_password(user, form.new_password.data)
        flash(_("Je wachtwoord is ingesteld. Log nu in met je gebruikersnaam %(name)s.", name=user.username),
              "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/activate_staff.html", form=form, user=user), 422 if form.is_submitted() else 200
