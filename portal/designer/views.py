"""The process designer's pages: versions, diagrams with live counts, diffs; and where a case is.

The designer sees counts, never case data. A case's position is for staff of its municipality
(``case_for`` checks and audits). Diagrams are drawn by bpmn-js from a local script; the page hands it
the XML's address and the counts in data- attributes (no inline scripts).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.cases.services import case_for
from portal.designer import services
from portal.designer.diagram import node_counts, node_rows
from portal.designer.drafts import draft_id_of, open_drafts, source_name
from portal.designer.forms import DiffForm
from portal.engine.diff import REMOVED, VersionDiff
from portal.extensions import db
from portal.forms import choices
from portal.forms.bounds import page_number
from portal.processes.models import ProcessVersion
from portal.security import CASE_ROLES, Role, roles_required
from portal.tasks.models import CaseWait, HumanTask, WorkflowInstance

bp = Blueprint("designer", __name__)


def _names(processes) -> dict[str, str]:
    """Process and embedded subprocess id → the name a person reads."""
    names = {}
    for pid, process in processes.items():
        names[pid] = process.label
        names.update({sub: process.nodes[sub].label for sub in process.subprocesses})
    return names


def _version(version_id: int) -> ProcessVersion:
    version = services.version_by_number(version_id)
    if version is None:
        abort(404)
    return version


def _process(files: dict[str, str], process_id: str):
    processes = services.processes_of(files)
    if process_id not in processes:
        abort(404)
    return processes, processes[process_id]


def _xml(files: dict[str, str], process_id: str) -> Response:
    _processes, process = _process(files, process_id)
    return Response(files[process.file], mimetype="application/xml")


@bp.route("/ontwerp/")
@roles_required(Role.ONTWERPER)
def versions():
    page = db.paginate(services.versions_query(), page=page_number(request.args.get("page")),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    newest = services.newest_version()
    workdir_changed = newest is not None and services.workdir_digest() != newest.digest
    return render_template("designer/versions.html", page=page, rows=services.version_rows(list(page.items)),
                           newest=newest, workdir_changed=workdir_changed)


@bp.route("/ontwerp/versies/<int:version_id>")
@roles_required(Role.ONTWERPER)
def version(version_id: int):
    version = _version(version_id)
    row = services.version_rows([version])[0]
    processes = services.processes_of(version.files)
    return render_template("designer/version.html", version=version, row=row, processes=processes,
                           names=_names(processes))


@bp.route("/ontwerp/versies/<int:version_id>/proces/<process_id>")
@roles_required(Role.ONTWERPER)
def diagram(version_id: int, process_id: str):
    version = _version(version_id)
    processes, process = _process(version.files, process_id)
    steps = services.waiting_steps([version.id]).get(version.id, [])
    counts = node_counts(process, processes, version.id, steps)
    links = {pid: url_for("designer.diagram", version_id=version.id, process_id=pid) for pid in processes}
    return render_template("designer/diagram.html", version=version, processes=processes, process=process,
                           rows=node_rows(process, version.files, counts), counts=counts, links=links,
                           bpmn_url=url_for("designer.version_xml", version_id=version.id, process_id=process.id))


@bp.route("/ontwerp/versies/<int:version_id>/bpmn/<process_id>")
@roles_required(Role.ONTWERPER)
def version_xml(version_id: int, process_id: str):
    return _xml(_version(version_id).files, process_id)


@bp.route("/ontwerp/werkmap/bpmn/<process_id>")
@roles_required(Role.ONTWERPER)
def workdir_xml(process_id: str):
    return _xml(services.workdir_files(), process_id)


def _diff_form() -> DiffForm:
    form = DiffForm(request.args)
    recent = services.recent_version_ids()
    options = choices([(services.WORKDIR, _("Werkmap (workflows/)")),
                       *((str(v), _("Versie %(number)d", number=v)) for v in recent),
                       *((source_name(d), _("Concept %(name)s", name=d.name)) for d in open_drafts())])
    form.van.choices, form.naar.choices = options, options
    if not request.args:
        form.van.data = str(recent[0]) if recent else services.WORKDIR
        form.naar.data = services.WORKDIR
    return form


def _compare(form: DiffForm) -> VersionDiff | None:
    if not request.args or not form.validate():
        return None
    try:
        return services.diff_sources(form.van.data, form.naar.data)
    except services.UnknownSource:
        abort(404)
    except ValueError:  # a BPMN file in the working directory does not parse: lint says where
        form.naar.errors.append(_("De BPMN-bestanden zijn niet te lezen. Voer ‘portal bpmn lint’ uit."))
        return None


@bp.route("/ontwerp/verschil")
@roles_required(Role.ONTWERPER)
def diff():
    form = _diff_form()
    result = _compare(form)
    new_files = services.files_of(form.naar.data) if result is not None else None
    processes = services.processes_of(new_files) if new_files else {}
    touched = sorted({c.process for c in result.changes if c.process and c.kind != REMOVED} & processes.keys()
                     | {pid for pid, p in processes.items() if result.markers(p)}) if result else []
    status = 400 if request.args and result is None else 200
    names = _names(processes) | (_names(services.processes_of(services.files_of(form.van.data) or {}))
                                 if result else {})
    return render_template("designer/diff.html", form=form, result=result, processes=processes,
                           touched=touched, names=names), status


@bp.route("/ontwerp/verschil/<process_id>")
@roles_required(Role.ONTWERPER)
def diff_diagram(process_id: str):
    form = _diff_form()
    result = _compare(form)
    if result is None:
        abort(400)
    new_files = services.files_of(form.naar.data)
    processes, process = _process(new_files, process_id)
    if form.naar.data == services.WORKDIR:
        bpmn_url = url_for("designer.workdir_xml", process_id=process.id)
    elif draft_id_of(form.naar.data) is not None:
        bpmn_url = url_for("designer.draft_xml", draft_id=draft_id_of(form.naar.data), process_id=process.id)
    else:
        bpmn_url = url_for("designer.version_xml", version_id=int(form.naar.data), process_id=process.id)
    changes = [c for c in result.changes if c.process in process.scopes]
    links = {pid: url_for("designer.diff_diagram", process_id=pid, van=form.van.data, naar=form.naar.data)
             for pid in processes}
    return render_template("designer/diff_diagram.html", form=form, process=process, processes=processes,
                           changes=changes, markers=result.markers(process), links=links, bpmn_url=bpmn_url,
                           names=_names(processes),
                           rows=node_rows(process, new_files, {}))


@bp.route("/cases/<int:case_id>/proces")
@roles_required(*CASE_ROLES)
def case_position(case_id: int):
    case = case_for(current_user, case_id, "designer.case_position")
    instance = db.session.scalar(select(WorkflowInstance).where(WorkflowInstance.case_id == case.id))
    if instance is None:
        abort(404)
    version = services.version_by_number(instance.process_version_id)
    processes = services.processes_of(version.files)
    open_tasks = list(db.session.scalars(select(HumanTask).where(
        HumanTask.case_id == case.id, HumanTask.status == HumanTask.OPEN).order_by(HumanTask.created_at)))
    waits = list(db.session.scalars(select(CaseWait).where(CaseWait.case_id == case.id).order_by(CaseWait.since)))
    done = list(db.session.scalars(select(HumanTask).where(
        HumanTask.case_id == case.id, HumanTask.status == HumanTask.COMPLETED).order_by(HumanTask.completed_at)))
    home = {sub: pid for pid, p in processes.items() for sub in p.scopes}
    here = [home.get(t.process_id) for t in open_tasks] + [home.get(w.process_id) for w in waits if w.timer]
    process_id = request.args.get("proces") or next((p for p in here if p), version.entry_process)
    _processes, process = _process(version.files, process_id)
    markers = {t.bpmn_id: "visited" for t in done if t.process_id in process.scopes}
    markers |= {item.bpmn_id: "active" for item in [*open_tasks, *waits] if item.process_id in process.scopes}
    # call activities the case is inside of are active too
    for node in process.nodes.values():
        inside = processes[node.called].scopes if node.called in processes else frozenset()
        if node.type == "subProcess":
            inside = frozenset({node.id})
        if any(item.process_id in inside for item in [*open_tasks, *waits]):
            markers[node.id] = "active"
    links = {pid: url_for("designer.case_position", case_id=case.id, proces=pid) for pid in processes}
    return render_template("designer/case.html", case=case, version=version, processes=processes, process=process,
                           open_tasks=open_tasks, waits=waits, done=done, markers=markers, links=links,
                           rows=node_rows(process, version.files, {}),
                           bpmn_url=url_for("designer.case_xml", case_id=case.id, process_id=process.id))


@bp.route("/cases/<int:case_id>/proces/bpmn/<process_id>")
@roles_required(*CASE_ROLES)
def case_xml(case_id: int, process_id: str):
    case = case_for(current_user, case_id, "designer.case_xml")
    instance = db.session.scalar(select(WorkflowInstance).where(WorkflowInstance.case_id == case.id))
    if instance is None:
        abort(404)
    return _xml(services.version_by_number(instance.process_version_id).files, process_id)


# Pages in modules of their own, routed on this blueprint (imported last: they import ``bp`` from here):
# the drafts and the modeler; the form editor and the label status; deploying with four-eyes; moving running cases.
from portal.designer import deploy_views, draft_views, form_views, migration_views  # noqa: E402, F401, I001
