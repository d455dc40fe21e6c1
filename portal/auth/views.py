import time
from datetime import UTC, datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_user, logout_user

from portal.auth import two_factor
from portal.auth.forms import (
    CodeForm,
    EnrolForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    PasswordConfirmForm,
)
from portal.auth.models import User
from portal.auth.redirects import safe_next
from portal.auth.services import authenticate, change_password, complete_login, confirm_password, set_locale
from portal.auth.sessions import end_session, session_expired
from portal.auth.throttle import CODE_FAILED, PASSWORD_FAILED, locked_until, record_attempt
from portal.extensions import db, limiter
from portal.forms import choices
from portal.i18n import supported_locales
from portal.qr import qr_svg_data_uri
from portal.security import STAFF_ROLES, Role, public, roles_required

bp = Blueprint("auth", __name__)

#: Session keys: the user between password and code; a required enrolment; a secret being enrolled.
PENDING, MUST_ENROL, SETUP = "two_factor_pending", "two_factor_must_enrol", "two_factor_setup"
#: Seconds between the password and the code before the sign-in starts over.
PENDING_SECONDS = 300
#: What a user who must enrol the second factor may still do.
ENROL_ENDPOINTS = frozenset({"auth.two_factor", "auth.logout", "auth.set_language", "static"})


def home_for(user) -> str:
    if user.role in (Role.REGISSEUR, Role.TEAMLEIDER):
        return url_for("tasks.worklist")
    if user.role == Role.INBURGERAAR:
        return url_for("newcomer.my_plan")
    if user.role == Role.BEHEERDER:
        return url_for("admin.documents")
    if user.role == Role.ONTWERPER:
        return url_for("designer.versions")
    if user.role == Role.PRIVACY:
        return url_for("admin.audit_trail")
    return url_for("auth.account")


def _is_public(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "access", ("",))[0] == "public"


@bp.before_app_request
def end_expired_sessions():
    """An idle or too old session ends here, before any view runs (a POST writes nothing)."""
    if request.endpoint in (None, "static") or not current_user.is_authenticated:
        return None
    if session_expired(current_user):
        user = current_user._get_current_object()
        end_session(user, "expired")
        logout_user()
        session.clear()
        flash(_("Je sessie is verlopen. Log opnieuw in; wat je net verstuurde is niet opgeslagen.")
              if request.method == "POST" else _("Je sessie is verlopen. Log opnieuw in."), "info")
        if _is_public(request.endpoint):
            return None
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    if session.get(MUST_ENROL) and request.endpoint not in ENROL_ENDPOINTS:
        return redirect(url_for("auth.two_factor"))
    return None


def _until(moment: datetime) -> str:
    return format_time(moment, "short")


@bp.app_errorhandler(RateLimitExceeded)
def too_many_attempts(_error):
    limit = limiter.current_limit
    message = _("Te veel pogingen vanaf dit adres. Wacht even en probeer het dan opnieuw.")
    if limit is not None and limit.reset_at:
        message = _("Te veel pogingen vanaf dit adres. Probeer het na %(time)s opnieuw.",
                    time=_until(datetime.fromtimestamp(limit.reset_at, UTC)))
    return render_template("errors/error.html", code=429, title=_("Te veel pogingen"), message=message), 429


def _locked_message(until: datetime) -> str:
    return _("Er is te vaak een verkeerd wachtwoord of een verkeerde code gebruikt voor deze gebruikersnaam. "
             "Inloggen kan weer na %(time)s.", time=_until(until))


@bp.route("/", endpoint="index")
@public
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


def _sign_in(user: User, next_url: str | None):
    session.clear()
    login_user(user)  # starts the server-side session (portal.auth.sessions.start_session)
    complete_login(user)
    if two_factor.required_for(user) and two_factor.enrolment(user) is None:
        session[MUST_ENROL] = True
        flash(_("Stel eerst inloggen in twee stappen in. Daarna kun je verder."), "info")
        return redirect(url_for("auth.two_factor"))
    return redirect(next_url or home_for(user))


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        until = locked_until(form.username.data)
        if until is not None:
            record_attempt(form.username.data, "throttled")
            form.form_errors.append(_locked_message(until))
            status = 429
        elif (user := authenticate(form.username.data, form.password.data)) is not None:
            if two_factor.enrolment(user) is None:
                return _sign_in(user, next_url)
            session.clear()
            session[PENDING] = {"user": user.id, "at": int(time.time()), "next": next_url}
            return redirect(url_for("auth.login_code"))
        else:
            form.form_errors.append(_("Gebruikersnaam of wachtwoord klopt niet."))
    return render_template("auth/login.html", form=form, next_url=next_url), status


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or int(time.time()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = db.session.get(User, int(pending.get("user", 0)))
    return user if user is not None and user.is_active else None


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login_code():
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Het inloggen duurde te lang of is niet begonnen. Log opnieuw in."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        until = locked_until(user.username, CODE_FAILED)
        if until is not None:
            record_attempt(user.username, "code_throttled", user_id=user.id)
            form.form_errors.append(_locked_message(until))
            status = 429
        elif two_factor.verify(user, form.code.data):
            return _sign_in(user, safe_next(session[PENDING].get("next")))
        else:
            record_attempt(user.username, CODE_FAILED, user_id=user.id)
            form.code.errors.append(_("Deze code klopt niet. Controleer de tijd op je telefoon, of gebruik een "
                                      "herstelcode."))
    return render_template("auth/login_code.html", form=form), status


@bp.route("/logout", methods=["POST"])
@roles_required()
def logout():
    end_session(current_user)
    logout_user()
    session.clear()
    flash(_("Je bent uitgelogd."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
@roles_required()
def account():
    enrolled = two_factor.enrolment(current_user) if current_user.is_staff else None
    remaining = two_factor.remaining_recovery_codes(current_user) if enrolled else 0
    return render_template("auth/account.html", enrolled=enrolled, remaining=remaining,
                           required=two_factor.required_for(current_user))


def _password_ok(form: PasswordConfirmForm) -> bool:
    """The signed-in user's password, re-checked (throttled like a sign-in)."""
    until = locked_until(current_user.username, PASSWORD_FAILED)
    if until is not None:
        form.password.errors.append(_locked_message(until))
        return False
    if not confirm_password(current_user, form.password.data):
        form.password.errors.append(_("Dit wachtwoord klopt niet."))
        return False
    return True


@bp.route("/account/tweestaps", methods=["GET", "POST"], endpoint="two_factor")
@roles_required(*STAFF_ROLES)
def enrol_two_factor():
    enrolled = two_factor.enrolment(current_user)
    form = EnrolForm()
    if enrolled is None:  # just signed in with the password: no second time
        del form.password
    secret = two_factor.decrypt(session[SETUP]) if isinstance(session.get(SETUP), str) else None
    if secret is None:
        secret = two_factor.new_secret()
        session[SETUP] = two_factor.encrypt(secret)
    if form.validate_on_submit() and (enrolled is None or _password_ok(form)):
        codes = two_factor.confirm_enrolment(current_user, secret, form.code.data)
        if codes is not None:
            session.pop(SETUP, None)
            session.pop(MUST_ENROL, None)
            return render_template("auth/recovery_codes.html", codes=codes)
        form.code.errors.append(_("Deze code klopt niet. Scan de QR-code opnieuw en typ de code die de app nu "
                                  "laat zien."))
    uri = two_factor.provisioning_uri(current_user, secret)
    return render_template("auth/two_factor.html", form=form, enrolled=enrolled, secret=secret,
                           qr=qr_svg_data_uri(uri, scale=4)), 422 if form.is_submitted() else 200


@bp.route("/account/herstelcodes", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def recovery_codes():
    if two_factor.enrolment(current_user) is None:
        return redirect(url_for("auth.two_factor"))
    form = PasswordConfirmForm()
    if form.validate_on_submit() and _password_ok(form):
        return render_template("auth/recovery_codes.html", codes=two_factor.new_recovery_codes(current_user))
    return render_template("auth/recovery_codes_confirm.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
@roles_required()
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit() and _password_ok(form):
        user, locale = current_user._get_current_object(), session.get("locale")
        change_password(user, form.new_password.data)  # ends every session, this one included
        session.clear()
        if locale:
            session["locale"] = locale
        login_user(user)  # a new session for this browser only
        flash(_("Je wachtwoord is gewijzigd. Je bent op je andere apparaten uitgelogd."), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/password.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/language", methods=["POST"])
@public
def set_language():
    form = LanguageForm()
    form.language.choices = choices((code, code) for code in supported_locales())
    if form.validate_on_submit():
        session["locale"] = form.language.data
        if current_user.is_authenticated:
            set_locale(current_user, form.language.data)
    return redirect(safe_next(form.next.data) or url_for("auth.index"))


from portal.auth import activation_views  # noqa: E402,F401  (its routes are on bp)
