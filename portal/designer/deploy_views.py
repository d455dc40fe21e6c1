"""Deploying from the browser (role ontwerper), the four-eyes requests (ontwerper and beheerder) and the
beheerder's four-eyes switch. Registered on the designer blueprint by ``portal.designer.views``.

Deploy page: pick a source (GET), see its lint result and its diff against the current version in
words, then deploy (POST) with a required note. The form carries the digest of the files shown, so
what is deployed is what was seen; the same files give the same version (a double submit says so).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal.designer import deploying, services
from portal.designer.deploy_forms import DecideForm, DeployForm, FourEyesForm, RejectForm, SourceForm
from portal.designer.services import processes_of
from portal.designer.views import bp
from portal.forms import choices
from portal.security import Role, roles_required

DECIDERS = (Role.ONTWERPER, Role.BEHEERDER)


def _names(files: dict[str, str] | None) -> dict[str, str]:
    try:
        processes = processes_of(files) if files else {}
    except ValueError:
        return {}
    names = {}
    for pid, process in processes.items():
        names[pid] = process.label
        names.update({sub: process.nodes[sub].label for sub in process.subprocesses})
    return names


def _page(source_form: SourceForm, form: DeployForm | None, prepared, status: int = 200, refusal=None,
          messages=()):
    names = (_names(prepared.current.files if prepared.current else None) | _names(prepared.files)) \
        if prepared else {}
    if form is not None and refusal:
        form.form_errors.extend([refusal, *messages])
    return render_template("designer/deploy.html", source_form=source_form, form=form, prepared=prepared,
                           four_eyes=deploying.four_eyes_on(), names=names,
                           pending=deploying.pending_requests()), status


def _source_form(source: str | None) -> SourceForm:
    form = SourceForm(MultiDict({"bron": source}) if source else None)
    form.bron.choices = choices(deploying.sources())
    return form


@bp.route("/ontwerp/uitrollen")
@roles_required(Role.ONTWERPER)
def deploy_page():
    source = request.args.get("bron")
    source_form = _source_form(source)
    if source is None:
        return _page(source_form, None, None)
    if not source_form.validate():
        return _page(source_form, None, None, 400)
    prepared = deploying.prepare(source)
    if prepared is None:
        abort(404)
    form = DeployForm(data={"source": source, "digest": prepared.digest})
    return _page(source_form, form, prepared)


@bp.route("/ontwerp/uitrollen", methods=["POST"])
@roles_required(Role.ONTWERPER)
def deploy_post():
    form = DeployForm()
    source = form.source.data or ""
    prepared = deploying.prepare(source) if deploying.deployable(source) else None
    if prepared is None:
        abort(400)
    source_form = _source_form(source)
    if not form.validate_on_submit():
        return _page(source_form, form, prepared, 422)
    try:
        if deploying.four_eyes_on():
            deploy_request, created = deploying.request_deploy(source, form.digest.data, form.note.data,
                                                               current_user.id)
            flash(_("Je verzoek staat klaar. Een andere ontwerper of de beheerder moet het goedkeuren.") if created
                  else _("Voor deze bestanden staat al een verzoek open."), "success" if created else "info")
            return redirect(url_for("designer.deploy_request", request_id=deploy_request.id))
        version, created = deploying.deploy_source(source, form.digest.data, form.note.data, current_user.id)
    except deploying.DeployRefused as exc:
        return _page(source_form, form, prepared, 422, exc.reason, exc.messages)
    except deploying.Refused as exc:
        return _page(source_form, form, prepared, 422, exc.reason)
    if created:
        flash(_("Versie %(number)d is in gebruik genomen. Nieuwe dossiers starten op deze versie.",
                number=version.id), "success")
    else:
        flash(_("Deze bestanden zijn al in gebruik als versie %(number)d; er is geen nieuwe versie gemaakt.",
                number=version.id), "info")
    return redirect(url_for("designer.version", version_id=version.id))


# -- four-eyes requests -------------------------------------------------------------------------------

@bp.route("/ontwerp/uitrolverzoeken")
@roles_required(*DECIDERS)
def deploy_requests():
    pending, decided = deploying.pending_requests(), deploying.decided_requests()
    users = services.display_names(*(r.requested_by_id for r in pending + decided), *(r.decided_by_id for r in decided))
    return render_template("designer/deploy_requests.html", pending=pending, decided=decided, users=users,
                           four_eyes=deploying.four_eyes_on())


def _request_page(deploy_request, status: int = 200, refusal: str | None = None, messages=(),
                  reject_form: RejectForm | None = None):
    prepared = deploying.prepare(deploy_request.source) if deploy_request.status == "pending" else None
    changed = prepared is not None and prepared.digest != deploy_request.digest
    users = services.display_names(deploy_request.requested_by_id, deploy_request.decided_by_id)
    names = (_names(prepared.current.files if prepared.current else None) | _names(prepared.files)) \
        if prepared else {}
    approve_form = DecideForm()
    if refusal:
        approve_form.form_errors.extend([refusal, *messages])
    return render_template("designer/deploy_request.html", item=deploy_request, prepared=prepared, changed=changed,
                           users=users, names=names, approve_form=approve_form,
                           reject_form=reject_form or RejectForm(),
                           own=deploy_request.requested_by_id == current_user.id), status


def _request(request_id: int):
    found = deploying.request_or_none(request_id)
    if found is None:
        abort(404)
    return found


@bp.route("/ontwerp/uitrolverzoeken/<int:request_id>")
@roles_required(*DECIDERS)
def deploy_request(request_id: int):
    return _request_page(_request(request_id))


@bp.route("/ontwerp/uitrolverzoeken/<int:request_id>/goedkeuren", methods=["POST"])
@roles_required(*DECIDERS)
def deploy_approve(request_id: int):
    item = _request(request_id)
    form = DecideForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        item, version, created = deploying.approve(item.id, current_user.id)
    except deploying.DeployRefused as exc:
        return _request_page(item, 422, exc.reason, exc.messages)
    except deploying.Refused as exc:
        return _request_page(item, 422, exc.reason)
    flash(_("Goedgekeurd: versie %(number)d is in gebruik genomen.", number=version.id) if created else
          _("Goedgekeurd: deze bestanden waren al in gebruik als versie %(number)d.", number=version.id), "success")
    return redirect(url_for("designer.deploy_request", request_id=item.id))


@bp.route("/ontwerp/uitrolverzoeken/<int:request_id>/afwijzen", methods=["POST"])
@roles_required(*DECIDERS)
def deploy_reject(request_id: int):
    item = _request(request_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _request_page(item, 422, reject_form=form)
    try:
        deploying.reject(item.id, current_user.id, form.reason.data)
    except deploying.Refused as exc:
        return _request_page(item, 422, exc.reason, reject_form=form)
    flash(_("Het verzoek is afgewezen."), "success")
    return redirect(url_for("designer.deploy_request", request_id=item.id))


# -- the beheerder's switch ---------------------------------------------------------------------------------

@bp.route("/ontwerp/instellingen", methods=["GET", "POST"])
@roles_required(Role.BEHEERDER)
def deploy_settings():
    form = FourEyesForm(data={"four_eyes": "aan" if deploying.four_eyes_on() else "uit"})
    if form.validate_on_submit():
        try:
            changed = deploying.set_four_eyes(form.four_eyes.data == "aan", current_user.id)
        except deploying.Refused as exc:
            form.four_eyes.errors.append(exc.reason)
        else:
            flash(_("De instelling is gewijzigd.") if changed else _("Er is niets gewijzigd."),
                  "success" if changed else "info")
            return redirect(url_for("designer.deploy_settings"))
    return render_template("designer/deploy_settings.html", form=form, locked=deploying.four_eyes_locked()), \
        422 if form.is_submitted() else 200
