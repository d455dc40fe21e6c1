"""The newcomer's pages. Every route works on the logged-in newcomer's own case: there are no ids to
guess, so one newcomer can never open another's plan."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user

from portal.audit.services import record
from portal.cases.services import case_for
from portal.concerns.services import concerns_of, raise_concern
from portal.extensions import limiter
from portal.forms import PortalForm, choices
from portal.forms.builder import attach_violations
from portal.i18n import LANGUAGE_NAMES, NEWCOMER_LOCALES
from portal.newcomer import recovery
from portal.newcomer.account_forms import APPROVED, REJECTED, REQUEST_SENT, ResetDecisionForm, ResetRequestForm
from portal.newcomer.activation import ActivationError, activate
from portal.newcomer.forms import (
    CONCERN_CATEGORIES,
    ActivationForm,
    ConcernForm,
    QuestionForm,
    SignForm,
    VerifyCodeForm,
    VerifyFileForm,
    self_assessment_data,
    self_assessment_form,
)
from portal.newcomer.letter import letter_parts
from portal.newcomer.recovery import RecoveryRefused, account_state, may_manage_account, reset_notices
from portal.newcomer.services import (
    SELF_ASSESSMENT_TASK,
    SIGN_TASK,
    ask_about_my_plan,
    assess_myself,
    my_meetings,
    my_plan_goals,
    newcomer_case,
    open_concerns,
    open_newcomer_task,
    self_assessment_spec,
    sign_my_plan,
)
from portal.plans.documents import document_for, my_copy_document, pdf_download, verify_code, verify_pdf
from portal.plans.models import PlanDocument
from portal.plans.render import plan_sections
from portal.plans.services import (
    SigningRefused,
    SignRequest,
    changes_since_previous,
    current_version,
    open_response,
)
from portal.plans.spec import plan_form
from portal.processes.actions import ActionRefused
from portal.progress import labels
from portal.progress.labels import words_for
from portal.progress.services import final_report
from portal.refusal import Refused
from portal.security import Role, public, roles_required
from portal.tasks.workflow import InvalidSubmission, StaleTask
from portal.transaction import SAFE_METHODS, discard

bp = Blueprint("newcomer", __name__)


@bp.route("/activeren", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["ACTIVATION_RATE_LIMIT"], methods=["POST"])
def activate_account():
    form = ActivationForm()
    form.language.choices = choices((code, LANGUAGE_NAMES[code]) for code in NEWCOMER_LOCALES)
    if request.method == "GET":
        form.code.data = request.args.get("code", "")[:40]
        form.language.data = session.get("locale") or "nl"
    if form.validate_on_submit():
        try:
            user = activate(form.code.data, form.password.data, form.language.data)
        except ActivationError as exc:
            form.code.errors.append(exc.reason)
        else:
            session.clear()
            session["locale"] = user.locale
            login_user(user, fresh=True)
            flash(_("Je account werkt. Je gebruikersnaam is %(name)s.", name=user.username), "success")
            return redirect(url_for("newcomer.my_plan"))
    return render_template("newcomer/activate.html", form=form), 422 if form.is_submitted() else 200


def _my_case():
    """The logged-in newcomer's own case; locked first when the request may change it."""
    case = newcomer_case(current_user, lock=request.method not in SAFE_METHODS)
    if case is None:
        abort(404)
    return case


@bp.route("/mijn/")
@roles_required(Role.INBURGERAAR)
def my_plan():
    case = _my_case()
    version = current_version(case)
    sections = plan_sections(version.content, plan_form(case)) if version else []
    signed = version is not None and version.signed_by(current_user.id)
    record("read", "plan", "newcomer.my_plan", case_id=case.id)
    return render_template("newcomer/my_plan.html", case=case, version=version, sections=sections, signed=signed,
                           copy_ready=version is not None and my_copy_document(version) is not None,
                           sign_task=open_newcomer_task(case, current_user, SIGN_TASK),
                           assessment_task=open_newcomer_task(case, current_user, SELF_ASSESSMENT_TASK),
                           question=open_response(case), open_concerns=open_concerns(case),
                           report=final_report(case), reset_notices=reset_notices(current_user))


@bp.route("/mijn/plan/nl")
@roles_required(Role.INBURGERAAR)
def dutch_text():
    case = _my_case()
    version = current_version(case) or abort(404)
    with force_locale("nl"):
        sections = plan_sections(version.content, plan_form(case))
    record("read", "plan", "newcomer.dutch_text", case_id=case.id)
    return render_template("newcomer/dutch_text.html", case=case, version=version, sections=sections)


@bp.route("/mijn/plan/ondertekenen", methods=["GET", "POST"])
@roles_required(Role.INBURGERAAR)
def sign_plan():
    case = _my_case()
    version = current_version(case)
    task = open_newcomer_task(case, current_user, SIGN_TASK)
    form, question = SignForm(), QuestionForm()
    if version is None or task is None:
        # a POST here came too late (signed in another tab, or the plan changed): nothing is stored
        return render_template("newcomer/nothing_to_sign.html", case=case, version=version), \
            409 if request.method == "POST" else 200
    if request.method == "GET":
        form.version_id.data = question.version_id.data = version.id
    if form.validate_on_submit():
        try:
            sign_my_plan(case, current_user, SignRequest(
                version_id=form.version_id.data or 0, typed_name=form.typed_name.data,
                password=form.password.data, consent=form.consent.data, locale=str(current_user.locale or "nl"),
                remote_addr=request.remote_addr, user_agent=request.user_agent.string))
        except (SigningRefused, ActionRefused, StaleTask) as exc:
            form.form_errors.append(getattr(exc, "reason", None) or _("Dit plan kan nu niet worden ondertekend."))
        else:
            flash(_("Je hebt je plan ondertekend. Je kunt je kopie nu downloaden."), "success")
            return redirect(url_for("newcomer.my_plan"))
    record("read", "plan", "newcomer.sign_plan", case_id=case.id)
    plan_document = document_for(version, PlanDocument.PLAN)
    before, changes = changes_since_previous(case, version)
    return render_template("newcomer/sign.html", case=case, version=version, form=form, question=question,
                           plan_ready=plan_document is not None and plan_document.is_ready,
                           sections=plan_sections(version.content, plan_form(case)), before=before,
                           changes=changes), \
        422 if form.is_submitted() else 200


@bp.route("/mijn/plan/vraag", methods=["POST"])
@roles_required(Role.INBURGERAAR)
def ask_question():
    case = _my_case()
    question = QuestionForm()
    if not question.validate_on_submit():
        flash(_("Schrijf je vraag."), "error")
        return redirect(url_for("newcomer.sign_plan"))
    try:
        ask_about_my_plan(case, current_user, question.version_id.data or 0, question.message.data)
    except StaleTask:
        discard()
        flash(_("Er is nu niets te ondertekenen."), "info")
    except (SigningRefused, ActionRefused) as exc:
        discard()
        flash(exc.reason if isinstance(exc, SigningRefused) else _("Je vraag kon niet worden verstuurd."), "error")
    else:
        flash(_("Je vraag is verstuurd naar je regisseur. Je plan is nog niet ondertekend."), "success")
        return redirect(url_for("newcomer.my_plan"))
    return redirect(url_for("newcomer.sign_plan"))


@bp.route("/mijn/plan.pdf")
@roles_required(Role.INBURGERAAR)
def my_copy():
    case = _my_case()
    version = current_version(case) or abort(404)
    document = my_copy_document(version)
    if document is None:  # still being prepared by the worker
        flash(_("Je kopie (PDF) wordt klaargemaakt. Kijk over een paar minuten opnieuw."), "info")
        return redirect(url_for("newcomer.my_plan"))
    record("read", f"plan_document:{document.id}", "newcomer.my_copy", case_id=case.id)
    return pdf_download(document, f"pip-{case.reference}-v{version.number}.pdf")


@bp.route("/mijn/voortgang/hoe-gaat-het", methods=["GET", "POST"])
@roles_required(Role.INBURGERAAR)
def self_assessment():
    case = _my_case()
    task = open_newcomer_task(case, current_user, SELF_ASSESSMENT_TASK)
    # A POST without an open task still gets its form back, so nothing typed is lost.
    spec = self_assessment_spec(case, task) if task is not None or request.method == "POST" else None
    if spec is None:
        return render_template("newcomer/nothing_to_assess.html", case=case)
    goals = my_plan_goals(case)
    form = self_assessment_form(spec, goals)()
    if form.validate_on_submit():
        try:
            assess_myself(case, current_user, self_assessment_data(form, goals))
        except StaleTask:
            form.form_errors.append(_("Je antwoorden zijn niet verstuurd: je hebt dit al ingevuld, of je gesprek is "
                                      "al begonnen. Vertel het je regisseur in het gesprek."))
        except InvalidSubmission as exc:
            attach_violations(form, exc.violations)
        except ActionRefused as exc:
            form.form_errors.append(exc.reason)
        else:
            flash(_("Dank je wel. Je regisseur leest je antwoorden voor het gesprek."), "success")
            return redirect(url_for("newcomer.my_plan"))
    record("read", "progress", "newcomer.self_assessment", case_id=case.id)
    return render_template("newcomer/self_assessment.html", case=case, form=form, spec=spec, task=task), \
        422 if form.is_submitted() else 200


@bp.route("/mijn/voortgang")
@roles_required(Role.INBURGERAAR)
def my_progress():
    case = _my_case()
    views, report = my_meetings(case), final_report(case)
    record("read", "progress", "newcomer.my_progress", case_id=case.id)
    return render_template("newcomer/progress.html", case=case, meetings=views, report=report, labels=labels,
                           words=words_for(case))


def _per_newcomer() -> str:
    """Rate-limit key: the logged-in newcomer (several may share one address, e.g. at a library)."""
    return f"user:{current_user.get_id()}"


@bp.route("/mijn/zorgen", methods=["GET", "POST"])
@roles_required(Role.INBURGERAAR)
@limiter.limit(lambda: current_app.config["CONCERN_RATE_LIMIT"], methods=["POST"],
               key_func=_per_newcomer)
def concerns():
    case = _my_case()
    form = ConcernForm()
    if form.validate_on_submit():
        try:
            raise_concern(case, current_user, form.category.data, form.text.data)
        except Refused:  # an unknown category, or the case's process takes no concerns any more
            form.form_errors.append(_("Je zorg kon niet worden verstuurd. Misschien is je traject al afgesloten. "
                                      "Neem contact op met je regisseur. Wat je schreef, staat hieronder nog."))
        else:
            flash(_("Je zorg is verstuurd. Je krijgt antwoord in dit portaal."), "success")
            return redirect(url_for("newcomer.concerns"))
    entries = concerns_of(case)
    record("read", "concerns", "newcomer.concerns", case_id=case.id)
    return render_template("newcomer/concerns.html", case=case, form=form, concerns=entries,
                           categories=CONCERN_CATEGORIES), 422 if form.is_submitted() else 200


@bp.route("/cases/<int:case_id>/account")
@roles_required(Role.REGISSEUR, Role.TEAMLEIDER)
def account(case_id: int):
    """The newcomer's account as staff see it: its state, letters and resets, and what this user may do."""
    case = case_for(current_user, case_id, "newcomer.account")
    return _account_page(case)


def _account_page(case, *, request_form=None, decision_form=None, refusal: str | None = None, status: int = 200):
    return render_template("accounts/newcomer_account.html", case=case, state=account_state(case),
                           request_form=request_form or ResetRequestForm(formdata=None),
                           decision_form=decision_form or ResetDecisionForm(formdata=None),
                           letter_form=PortalForm(formdata=None), refusal=refusal,
                           may_manage=may_manage_account(case, current_user)), status


@bp.route("/cases/<int:case_id>/account/herstel", methods=["POST"])
@roles_required(Role.REGISSEUR, Role.TEAMLEIDER)
def request_reset(case_id: int):
    case = case_for(current_user, case_id, "newcomer.request_reset", lock=True)
    form = ResetRequestForm()
    if form.validate_on_submit():
        try:
            recovery.request_reset(case, current_user, form.reason.data)
        except RecoveryRefused as exc:
            return _account_page(case, request_form=form, refusal=exc.reason, status=422)
        flash(str(REQUEST_SENT), "success")
        return redirect(url_for("newcomer.account", case_id=case.id))
    return _account_page(case, request_form=form, status=422)


@bp.route("/cases/<int:case_id>/account/herstel/<int:reset_id>", methods=["POST"])
@roles_required(Role.TEAMLEIDER)
def decide_reset(case_id: int, reset_id: int):
    case = case_for(current_user, case_id, "newcomer.decide_reset", lock=True)
    form = ResetDecisionForm()
    if form.validate_on_submit():
        try:
            recovery.decide_reset(case, reset_id, current_user, form.decision.data == "approve", form.note.data)
        except RecoveryRefused as exc:
            return _account_page(case, decision_form=form, refusal=exc.reason, status=422)
        flash(str(APPROVED if form.decision.data == "approve" else REJECTED), "success")
        return redirect(url_for("newcomer.account", case_id=case.id))
    return _account_page(case, decision_form=form, status=422)


@bp.route("/cases/<int:case_id>/plan/activation", methods=["POST"])
@roles_required(Role.REGISSEUR, Role.TEAMLEIDER)
def activation_letter(case_id: int):
    """Issue a one-time activation code and show the printable letter (the code is shown only here)."""
    case = case_for(current_user, case_id, "newcomer.activation_letter", lock=True)
    form = PortalForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        code, activation = recovery.issue_code(case, current_user)
    except RecoveryRefused as exc:
        return _account_page(case, refusal=exc.reason, status=422)
    return render_template("accounts/activation_letter.html", case=case, parts=letter_parts(case, code, activation))


@bp.route("/verify", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["VERIFY_RATE_LIMIT"],
               exempt_when=lambda: request.method == "GET" and not request.args.get("code"))
def verify():
    code_form, file_form = VerifyCodeForm(request.args), VerifyFileForm()
    result = None
    if request.method == "GET" and request.args.get("code") and code_form.validate():
        result = verify_code(code_form.code.data)
    elif file_form.validate_on_submit():
        result = verify_pdf(file_form.document.data.read())  # size bounded by MAX_CONTENT_LENGTH
    return render_template("newcomer/verify.html", code_form=code_form, file_form=file_form, result=result)

# The privacy pages (who read my file, a copy of my data) add their routes to this blueprint.
from portal.newcomer import privacy_views  # noqa: E402,F401
