"""The case pages: the case list, opening a case, the case page, reassigning a case.

Views load, check access, build the form, call one service and answer; the request commits
(:mod:`portal.transaction`): a response with status >= 400 is rolled back.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import false

from portal.audit.services import record
from portal.auth.models import User
from portal.casefile.progress import progress_overview
from portal.casefile.reading import deadlines, reading, urgency, waiting_until
from portal.casefile.services import completed_tasks, open_case, open_tasks, reassign
from portal.cases.forms import CaseFilterForm, KoppelingForm, ReassignForm, koppeling_data
from portal.cases.languages import language_label
from portal.cases.paging import capped_page
from portal.cases.services import DuplicateCase, case_for, regisseurs_of, stages_of, visible_cases_query
from portal.enforcement.forms import NoShowForm
from portal.enforcement.services import may_report_no_show
from portal.extensions import db
from portal.forms import choices
from portal.forms.bounds import page_number
from portal.refusal import Refused
from portal.security import CASE_ROLES, Role, roles_required
from portal.tasks.workflow import NoProcessDeployed, StepFailed
from portal.tasks.worklist import may_open, page_size

bp = Blueprint("casefile", __name__, url_prefix="/cases")


@bp.route("/")
@roles_required(*CASE_ROLES)
def index():
    filters = CaseFilterForm(request.args)
    stages = [(stage, _("%(stage)s (%(count)d)", stage=_(label), count=count))
              for stage, label, count in stages_of(current_user)]
    filters.stage.choices = choices([("", _("Alle fasen")), *stages])
    valid = filters.validate()  # a bad filter (e.g. a control character in the search) lists nothing: 400
    query = visible_cases_query(current_user, search=filters.q.data or None, stage=filters.stage.data or None,
                                mine=filters.mine.data) if valid else visible_cases_query(current_user).where(false())
    page = capped_page(query, page_number(request.args.get("page")), page_size())
    record("read", "case.list", "casefile.index", detail={"cases": [case.id for case in page.items]})
    return render_template("casefile/index.html", page=page, filters=filters), 200 if valid else 400


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*CASE_ROLES)
def new():
    form = KoppelingForm()
    form.regisseur.choices = choices((u.id, u.display_name) for u in regisseurs_of(current_user.municipality_id))
    if request.method == "GET" and current_user.role == Role.REGISSEUR:
        form.regisseur.data = current_user.id
    if form.validate_on_submit():
        try:
            case = open_case(koppeling_data(form), current_user.municipality, form.regisseur.data, current_user.id,
                             "casefile.new")
        except DuplicateCase:
            form.v_nummer.errors.append(_("Voor dit V-nummer bestaat al een dossier."))
        except NoProcessDeployed:
            form.form_errors.append(_("Er is nog geen proces in gebruik genomen. Vraag de procesontwerper "
                                      "om ‘portal bpmn deploy’ uit te voeren."))
        except StepFailed as exc:  # a script of the process failed or ran over its budget
            form.form_errors.append(exc.reason)
        else:
            flash(_("Dossier %(ref)s is geopend; de brede intake is gestart.", ref=case.reference), "success")
            return redirect(url_for("casefile.show", case_id=case.id))
    status = 422 if form.is_submitted() else 200
    return render_template("casefile/new.html", form=form), status


def _reassign_form(case) -> ReassignForm:
    form = ReassignForm()
    form.regisseur.choices = choices((u.id, u.display_name) for u in regisseurs_of(case.municipality_id))
    return form


@bp.route("/<int:case_id>")
@roles_required(*CASE_ROLES)
def show(case_id: int):
    case = case_for(current_user, case_id, "casefile.show")
    return _case_page(case, _reassign_form(case) if current_user.role == Role.TEAMLEIDER else None)


@bp.route("/<int:case_id>/reassign", methods=["POST"])
@roles_required(Role.TEAMLEIDER)
def reassign_case(case_id: int):
    case = case_for(current_user, case_id, "casefile.reassign", lock=True)
    form = _reassign_form(case)
    if form.validate_on_submit():
        regisseur = db.session.get(User, form.regisseur.data)
        try:
            if regisseur is None:
                raise Refused(_("Kies een regisseur van deze gemeente."))
            reassign(case, regisseur, form.reden.data, current_user)
        except Refused as exc:
            form.regisseur.errors.append(exc.reason)
        else:
            flash(_("Het dossier is overgedragen aan %(name)s.", name=regisseur.display_name), "success")
            return redirect(url_for("casefile.show", case_id=case.id))
    return _case_page(case, form, status=422)


def _case_page(case, reassign_form, status: int = 200):
    progress = progress_overview(case, current_user, page=page_number(request.args.get("page")))
    no_show_form = NoShowForm() if may_report_no_show(case, current_user) else None
    tasks, timeline = open_tasks(case), completed_tasks(case)
    return render_template("casefile/show.html", case=case, reading=reading(case, current_user, timeline, may_open),
                           progress=progress, deadlines=deadlines(case, tasks, progress.concerns), timeline=timeline,
                           tasks=tasks, language=language_label(case.language), reassign_form=reassign_form,
                           no_show_form=no_show_form, may_open=may_open, urgency=urgency,
                           waiting_until=None if tasks else waiting_until(case)), status
