"""Moving running cases to another version from the browser: a dry run with its verdicts per case (counts
per verdict, paginated), then "move every movable case" as a worker job with its progress, the result
per case, and a rollback. Registered on the designer blueprint by ``portal.designer.views``.

Who: the ontwerper only. A run spans every municipality, and the ontwerper is the one staff role that
works across municipalities; a beheerder belongs to one and would see other municipalities' cases. The
pages show a case by its reference only (no name, no link to the case); reading a run's cases is audited.
"""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.audit.services import record
from portal.cases.models import Case
from portal.cases.paging import capped_page
from portal.designer import services
from portal.designer.deploy_forms import ConfirmForm, MigrationForm
from portal.designer.verdicts import explain
from portal.designer.views import bp
from portal.extensions import db
from portal.forms import choices
from portal.forms.bounds import page_number
from portal.processes.models import ProcessVersion
from portal.security import Role, roles_required
from portal.tasks import migration_jobs as jobs
from portal.tasks.migration import MigrationRefused
from portal.tasks.models import CaseMigration, ProcessMigration

VIEWERS = (Role.ONTWERPER,)
ANY = "alle"
OUTCOMES = (CaseMigration.MOVABLE, CaseMigration.BLOCKED, CaseMigration.MOVED, CaseMigration.REFUSED,
            CaseMigration.FAILED, CaseMigration.ROLLED_BACK, CaseMigration.KEPT)


def _migration_form() -> MigrationForm:
    form = MigrationForm()
    recent = services.recent_version_ids()
    versions = [(str(v), _("Versie %(number)d", number=v)) for v in recent]
    form.van.choices = choices([(ANY, _("Alle versies behalve de nieuwe")), *versions])
    form.naar.choices = choices(versions)
    if not form.is_submitted():
        form.van.data = ANY
        form.naar.data = str(recent[0]) if recent else None
    return form


def _runs_page(form: MigrationForm, status: int = 200):
    page = db.paginate(select(ProcessMigration).order_by(ProcessMigration.id.desc()),
                       page=page_number(request.args.get("page")), per_page=current_app.config["PAGE_SIZE"],
                       error_out=False)
    return render_template("designer/migrations.html", form=form, page=page,
                           can_act=current_user.role == Role.ONTWERPER), status


@bp.route("/ontwerp/migraties")
@roles_required(*VIEWERS)
def migrations():
    return _runs_page(_migration_form())


@bp.route("/ontwerp/migraties", methods=["POST"])
@roles_required(Role.ONTWERPER)
def migration_start():
    form = _migration_form()
    if not form.validate_on_submit():
        return _runs_page(form, 422)
    target = db.session.get(ProcessVersion, int(form.naar.data))
    source = None if form.van.data == ANY else db.session.get(ProcessVersion, int(form.van.data))
    try:
        run = jobs.queue_run(target, source, current_user.id, dry=True)
    except MigrationRefused:
        form.van.errors.append(_("Kies twee verschillende versies."))
        return _runs_page(form, 422)
    flash(_("De proefrun staat klaar en begint zo."), "success")
    return redirect(url_for("designer.migration", run_id=run.id))


def _run(run_id: int) -> ProcessMigration:
    run = db.session.get(ProcessMigration, run_id)
    if run is None:
        abort(404)
    return run


@bp.route("/ontwerp/migraties/<int:run_id>")
@roles_required(*VIEWERS)
def migration(run_id: int):
    run = _run(run_id)
    outcome = request.args.get("uitkomst")
    if outcome not in OUTCOMES:
        outcome = None
    query = (select(CaseMigration, Case.reference).join(Case, Case.id == CaseMigration.case_id)
             .where(CaseMigration.migration_id == run.id).order_by(CaseMigration.case_id))
    if outcome:
        query = query.where(CaseMigration.outcome == outcome)
    # one read of the page's rows (with their references) and a count that stops at COUNT_CAP
    page = capped_page(query, page_number(request.args.get("page")), current_app.config["PAGE_SIZE"] * 5,
                       scalars=False)
    rows = page.items
    record("read", f"process_migration:{run.id}", "designer.migration", detail={"page": page.page, "outcome": outcome})
    progress = jobs.progress(run)
    counts = jobs.outcome_counts(run)
    reasons = jobs.reason_counts(run, (CaseMigration.BLOCKED, CaseMigration.REFUSED, CaseMigration.FAILED)) \
        if progress.finished else []
    return render_template("designer/migration.html", run=run, progress=progress, counts=counts, reasons=reasons,
                           rows=rows, page=page, outcome=outcome, explain=explain, form=ConfirmForm(),
                           can_act=current_user.role == Role.ONTWERPER)


@bp.route("/ontwerp/migraties/<int:run_id>/voortgang")
@roles_required(*VIEWERS)
def migration_progress(run_id: int):
    return jsonify(jobs.progress(_run(run_id)).as_dict())


@bp.route("/ontwerp/migraties/<int:run_id>/verplaatsen", methods=["POST"])
@roles_required(Role.ONTWERPER)
def migration_migrate(run_id: int):
    dry = _run(run_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not dry.dry_run or dry.status != ProcessMigration.DONE:
        abort(409)
    target = db.session.get(ProcessVersion, dry.target_version_id)
    source = db.session.get(ProcessVersion, dry.source_version_id) if dry.source_version_id else None
    run = jobs.queue_run(target, source, current_user.id, dry=False)
    flash(_("Het verplaatsen staat klaar en begint zo."), "success")
    return redirect(url_for("designer.migration", run_id=run.id))


@bp.route("/ontwerp/migraties/<int:run_id>/terugdraaien", methods=["GET", "POST"])
@roles_required(Role.ONTWERPER)
def migration_rollback(run_id: int):
    run = _run(run_id)
    if run.dry_run:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            jobs.queue_rollback(run.id, current_user.id)
        except MigrationRefused:
            form.form_errors.append(_("Deze migratie kan niet (meer) worden teruggedraaid: ze is nog bezig of al "
                                      "teruggedraaid."))
            return render_template("designer/migration_rollback.html", run=run, form=form), 422
        flash(_("Het terugdraaien staat klaar en begint zo."), "success")
        return redirect(url_for("designer.migration", run_id=run.id))
    status = 422 if form.is_submitted() else 200
    return render_template("designer/migration_rollback.html", run=run, form=form), status
