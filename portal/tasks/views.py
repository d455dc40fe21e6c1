from functools import partial
from urllib.parse import quote

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.audit.services import record
from portal.auth.models import User
from portal.db import local_today, utcnow
from portal.extensions import db
from portal.forms import choices
from portal.forms.bounds import draft_problems, page_number
from portal.forms.builder import attach_violations, build_task_form, draft_formdata, form_to_data, raw_form_input
from portal.forms.rows import apply_row_action, data_formdata
from portal.i18n import format_day, translated_text
from portal.processes.actions import ActionRefused
from portal.refusal import Refused
from portal.security import CASE_ROLES, Role, roles_required
from portal.tasks.answers import earlier_answers, recorded_answers
from portal.tasks.assignment import extend_deadline, reassign_from_escalation
from portal.tasks.context import panels_for
from portal.tasks.escalations import EXTEND, REASSIGN, facts_for, reassign_candidates
from portal.tasks.forms import ExtendDeadlineForm, ReassignEscalationForm, WorklistFilterForm
from portal.tasks.initial import initial_data_for
from portal.tasks.models import HumanTask
from portal.tasks.workflow import InvalidSubmission, StaleTask, complete_task, form_spec_for, save_draft
from portal.tasks.worklist import MINE, TEAM, Filters, Worklist, may_open, notices_for, page_size
from portal.tasks.workload import team_workload

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def _filters(form: WorklistFilterForm) -> Filters:
    regisseur = form.regisseur.data
    return Filters(scope=_scope(form), search=form.q.data or None, step=form.step.data or None,
                   stage=form.stage.data or None,
                   regisseur_id=int(regisseur) if regisseur and regisseur.isdigit() else None,
                   overdue=bool(form.overdue.data), sort=form.sort.data or "deadline",
                   descending=form.dir.data == "desc")


def _scope(form: WorklistFilterForm) -> str:
    return TEAM if form.scope.data == TEAM and current_user.role == Role.TEAMLEIDER else MINE


def _offer(field, options, everything: str) -> None:
    """The field's choices: what is in the list; a value asked for that is not (an old link) stays
    selectable, so the page says "nothing" instead of refusing the request."""
    pairs = [("", everything), *options]
    asked = request.args.get(field.name)
    if asked and asked not in {str(value) for value, _label in pairs}:
        pairs.append((asked, asked))
    field.choices = choices((str(value), label) for value, label in pairs)


@bp.route("/")
@roles_required(*CASE_ROLES)
def worklist():
    form = WorklistFilterForm(request.args)
    scope = _scope(form)
    user = current_user._get_current_object()  # asked for per row and step: not through the proxy each time
    listing = Worklist(user)  # the user's case ids read once for the choices and the page
    options = listing.filter_options(scope)
    _offer(form.step, [(bpmn_id, _(title)) for bpmn_id, title in options.steps], _("Alle stappen"))
    _offer(form.stage, [(stage, _(label)) for stage, label in options.stages], _("Alle fasen"))
    _offer(form.regisseur, options.regisseurs, _("Alle regisseurs"))
    valid = form.validate()  # a bad filter (e.g. a control character in the search) lists nothing: 400
    filters = _filters(form) if valid else Filters(scope=scope)
    page = listing.page(filters, page_number(request.args.get("page")), local_today())
    if not valid:
        page.items, page.total = [], 0
    record("read", "case.list", "tasks.worklist", detail={"cases": sorted(row.case.id for row in page.items)})
    return render_template("tasks/worklist.html", page=page, filters=filters, form=form, now=utcnow(),
                           notices=notices_for(current_user) if scope == MINE else [],
                           teamleider=current_user.role == Role.TEAMLEIDER, team=scope == TEAM,
                           may_open=partial(may_open, user), link=_link_maker(filters)), 200 if valid else 400


def _link_maker(filters: Filters):
    """``link(**changes)``: the worklist URL with the current filters and ``changes`` (sort, page …)."""
    current = {"scope": filters.scope if filters.scope == TEAM else None, "q": filters.search, "step": filters.step,
               "stage": filters.stage, "regisseur": filters.regisseur_id, "overdue": "y" if filters.overdue else None,
               "sort": filters.sort, "dir": "desc" if filters.descending else None}

    def link(**changes) -> str:
        params = {key: value for key, value in {**current, **changes}.items() if value not in (None, "")}
        return url_for("tasks.worklist", **params)

    return link


@bp.route("/team")
@roles_required(Role.TEAMLEIDER)
def workload():
    # a page of regisseurs (a region's municipality has hundreds), with the team's totals above it
    page, totals = team_workload(current_user.municipality_id, page_number(request.args.get("page")), page_size())
    record("read", "case.list", "tasks.workload", detail={"regisseurs": [
        load.regisseur.id for load in page.items if load.regisseur is not None]})
    # each stage's words and link parameter once, not once per regisseur
    labels = {label for load in page.items for label, _count in load.stages}
    stages = {label: (translated_text(label), quote(label)) for label in labels}
    return render_template("tasks/workload.html", page=page, stages=stages, totals=totals)


def _load(task_id: int) -> HumanTask:
    task = db.session.get(HumanTask, task_id)
    if task is None or task.municipality_id != current_user.municipality_id:
        abort(404)
    if not may_open(current_user, task):
        abort(403)
    return task


@bp.route("/<int:task_id>", methods=["GET", "POST"])
@roles_required(*CASE_ROLES)
def show(task_id: int):
    task = _load(task_id)
    spec = form_spec_for(task)
    form_class = build_task_form(spec)
    if not task.is_open:
        record("read", f"task:{task.bpmn_id}", "tasks.show", case_id=task.case_id)
        if request.method == "POST":
            return _stale(task, form_class(), spec)
        items = recorded_answers(task, current_user)
        return render_template("tasks/done.html", task=task, spec=spec, items=items)
    if request.method == "GET":  # a draft (the user's own typing) wins over the task's initial data
        formdata = draft_formdata(task.draft) if task.draft else data_formdata(spec.fields, initial_data_for(
            task, current_user))
        form = form_class(formdata=formdata or None)
    else:
        form = form_class()
    # "Nog een … toevoegen" / "Verwijderen" without JavaScript: the same form, a row more or less, everything
    # typed kept; nothing checked or saved.
    rows_changed = form.is_submitted() and apply_row_action(form, request.form)
    if not rows_changed and form.is_submitted() and form.save_draft.data:
        # A draft keeps what was typed, valid or not, within bounds (characters, lengths, rows, size);
        # the CSRF token must be right.
        form.validate()
        if "csrf_token" not in form.errors and not draft_problems(form):
            try:
                save_draft(task, raw_form_input(form), current_user)
            except Refused as exc:
                form.form_errors.append(exc.reason)
            else:
                flash(_("Concept opgeslagen. Je kunt later verder."), "success")
                return redirect(url_for("tasks.show", task_id=task.id))
    elif not rows_changed and form.validate_on_submit():
        try:
            complete_task(task.id, form_to_data(form, spec), current_user)
        except StaleTask:
            return _stale(task, form, spec)
        except InvalidSubmission as exc:
            attach_violations(form, exc.violations)
        except ActionRefused as exc:  # the rules refuse (a route switch too late, a fine too high …)
            form.form_errors.append(exc.reason)
        else:
            flash(_("‘%(title)s’ is afgerond.", title=_(task.title)), "success")
            return redirect(url_for("casefile.show", case_id=task.case_id))
    # A submitted form shown again did not complete the task: 422, and the request's changes are rolled back
    # (a row added or removed is no failed submission: 200).
    return _task_page(task, spec, form, 422 if form.is_submitted() and not rows_changed else 200)


def _task_page(task: HumanTask, spec, form, status: int, reassign_form=None, extend_form=None):
    context = earlier_answers(task, current_user)
    panels = panels_for(task, current_user)
    escalation = facts_for(task, local_today())
    if escalation is not None:  # the actions that fit this rule, beside recording the discussion
        if escalation.offers(REASSIGN):
            reassign_form = reassign_form or ReassignEscalationForm(formdata=None)
            reassign_form.regisseur.choices = choices((u.id, u.display_name) for u in reassign_candidates(task))
        if escalation.offers(EXTEND) and escalation.open_steps:
            extend_form = extend_form or ExtendDeadlineForm(formdata=None)
    record("read", f"task:{task.bpmn_id}", "tasks.show", case_id=task.case_id)
    return render_template("tasks/task.html", task=task, spec=spec, form=form, now=utcnow(), context=context,
                           panels=panels, escalation=escalation, reassign_form=reassign_form,
                           extend_form=extend_form, may_open=may_open), status


def _open_escalation(task_id: int) -> HumanTask:
    task = _load(task_id)
    if not task.is_open or facts_for(task, local_today()) is None:
        abort(404)
    return task


@bp.route("/<int:task_id>/reassign", methods=["POST"])
@roles_required(Role.TEAMLEIDER)
def reassign(task_id: int):
    """Escalation: hand the case to another regisseur of the municipality (audited)."""
    task = _open_escalation(task_id)
    spec = form_spec_for(task)
    form = ReassignEscalationForm()
    form.regisseur.choices = choices((u.id, u.display_name) for u in reassign_candidates(task))
    if form.validate_on_submit():
        regisseur = db.session.get(User, form.regisseur.data)
        try:
            if regisseur is None:
                raise Refused(_("Kies een regisseur van deze gemeente."))
            reassign_from_escalation(task, regisseur, form.reden.data, current_user)
        except StaleTask:
            return _stale(task, form, spec)
        except Refused as exc:
            form.regisseur.errors.append(exc.reason)
        else:
            flash(_("Het dossier is overgedragen aan %(name)s. Leg hieronder de bespreking vast om de escalatie "
                    "af te ronden.", name=regisseur.display_name), "success")
            return redirect(url_for("tasks.show", task_id=task.id))
    return _task_page(task, spec, build_task_form(spec)(formdata=None), 422, reassign_form=form)


@bp.route("/<int:task_id>/extend", methods=["POST"])
@roles_required(Role.TEAMLEIDER)
def extend(task_id: int):
    """Escalation: give the open steps a new deadline, with a reason (recorded and audited)."""
    task = _open_escalation(task_id)
    spec = form_spec_for(task)
    form = ExtendDeadlineForm()
    if form.validate_on_submit():
        try:
            extension = extend_deadline(task, form.nieuwe_termijn.data, form.reden.data, current_user)
        except StaleTask:
            return _stale(task, form, spec)
        except Refused as exc:
            form.nieuwe_termijn.errors.append(exc.reason)
        else:
            flash(_("De termijn is verschoven naar %(date)s. Leg hieronder de bespreking vast om de escalatie "
                    "af te ronden.", date=format_day(extension.new_due)), "success")
            return redirect(url_for("tasks.show", task_id=task.id))
    return _task_page(task, spec, build_task_form(spec)(formdata=None), 422, extend_form=form)


def _stale(task: HumanTask, form, spec):
    """Someone else completed the task: say so (409) and show what this user entered, so nothing is lost."""
    submitted = {}
    for field in form:
        if field.type in ("CSRFTokenField", "HiddenField", "SubmitField"):
            continue
        if field.raw_data:
            submitted[str(field.label.text)] = ", ".join(str(v) for v in field.raw_data if v)
    return render_template(
        "errors/error.html", code=409, title=_("Deze taak is al afgerond"),
        message=_("Iemand anders (of jij in een ander venster) heeft deze taak al afgerond. "
                  "Je invoer is niet opgeslagen; hieronder staat wat je had ingevuld."),
        submitted=submitted, back_url=url_for("casefile.show", case_id=task.case_id),
    ), 409
