from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal.auth.forms import LanguageForm, LoginForm
from portal.auth.services import authenticate, set_locale
from portal.extensions import limiter
from portal.forms import choices
from portal.i18n import supported_locales
from portal.security import Role, public, roles_required

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login or a language change."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def home_for(user) -> str:
    if user.role in (Role.REGISSEUR, Role.TEAMLEIDER):
        return url_for("tasks.worklist")
    if user.role == Role.INBURGERAAR:
        return url_for("newcomer.my_plan")
    if user.role == Role.BEHEERDER:
        return url_for("admin.documents")
    return url_for("auth.account")


@bp.route("/", endpoint="index")
@public
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            session.clear()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
        form.form_errors.append(_("Gebruikersnaam of wachtwoord klopt niet."))
    return render_template("auth/login.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/logout", methods=["POST"])
@roles_required()
def logout():
    logout_user()
    session.clear()
    flash(_("Je bent uitgelogd."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
@roles_required()
def account():
    return render_template("auth/account.html")


@bp.route("/language", methods=["POST"])
@public
def set_language():
    form = LanguageForm()
    form.language.choices = choices((code, code) for code in supported_locales())
    if form.validate_on_submit():
        session["locale"] = form.language.data
        if current_user.is_authenticated:
            set_locale(current_user, form.language.data)
    return redirect(_safe_next(form.next.data) or url_for("auth.index"))
