from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import false

from portal.audit.services import record
from portal.db import utcnow
from portal.extensions import db
from portal.forms import choices
from portal.forms.bounds import draft_problems, page_number
from portal.forms.builder import attach_violations, build_task_form, draft_formdata, form_to_data, raw_form_input
from portal.forms.rows import apply_row_action, data_formdata
from portal.processes.actions import ActionRefused
from portal.refusal import Refused
from portal.security import CASE_ROLES, roles_required
from portal.tasks.answers import earlier_answers, recorded_answers
from portal.tasks.context import panels_for
from portal.tasks.forms import WorklistFilterForm
from portal.tasks.initial import initial_data_for
from portal.tasks.models import HumanTask
from portal.tasks.workflow import InvalidSubmission, StaleTask, complete_task, form_spec_for, save_draft
from portal.tasks.worklist import may_open, notices_for, page_size, worklist_query, worklist_steps

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


@bp.route("/")
@roles_required(*CASE_ROLES)
def worklist():
    filters = WorklistFilterForm(request.args)
    filters.step.choices = choices([("", _("Alle stappen")), *worklist_steps(current_user)])
    valid = filters.validate()  # a bad filter (e.g. a control character in the search) lists nothing: 400
    query = worklist_query(current_user, step=filters.step.data or None, overdue=filters.overdue.data,
                           search=filters.q.data or None) if valid else worklist_query(current_user).where(false())
    page = db.paginate(query, page=page_number(request.args.get("page")), per_page=page_size(), error_out=False)
    record("read", "case.list", "tasks.worklist", detail={"cases": sorted({t.case_id for t in page.items})})
    return render_template("tasks/worklist.html", page=page, filters=filters, now=utcnow(),
                           notices=notices_for(current_user)), 200 if valid else 400


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
    context = earlier_answers(task, current_user)
    panels = panels_for(task, current_user)
    record("read", f"task:{task.bpmn_id}", "tasks.show", case_id=task.case_id)
    # A submitted form shown again did not complete the task: 422, and the request's changes are rolled back.
    status = 422 if form.is_submitted() and not rows_changed else 200
    return render_template("tasks/task.html", task=task, spec=spec, form=form, now=utcnow(), context=context,
                           panels=panels), status


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
