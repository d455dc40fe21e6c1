"""The designer's drafts: list, start, open, upload a file, import/export a zip, discard, and the modeler.

Every page works without JavaScript except the modeler canvas itself: the draft page lists the lint
messages and takes a single .bpmn/.json upload. The modeler saves through a JSON endpoint (CSRF in the
``X-CSRFToken`` header) that names the revision it started from; somebody else's save in between is
answered 409 with who and when, never overwritten. Every change goes through
:mod:`portal.designer.drafts`, which audits it.
"""

from __future__ import annotations

import io

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from portal.audit.services import record
from portal.designer import archive, drafts, form_editor, modeler, services
from portal.designer.draft_texts import modeler_texts
from portal.designer.forms import DiscardForm, ImportZipForm, NewDraftForm, UploadFileForm
from portal.designer.models import ProcessDraft
from portal.designer.views import bp
from portal.forms import choices
from portal.processes.actions import ACTIONS
from portal.security import Role, roles_required

FORM_EDITOR = "designer.form_edit"  # built by the form editor's own module, when present


def _draft(draft_id: int) -> ProcessDraft:
    draft = drafts.draft_or_none(draft_id)
    if draft is None:
        abort(404)
    return draft


def _form_link(draft: ProcessDraft, form_file: str) -> str | None:
    name = form_file.removesuffix(".json")
    if FORM_EDITOR not in current_app.view_functions or not form_editor.valid_form_name(name):
        return None
    return url_for(FORM_EDITOR, draft_id=draft.id, form_name=name)


def _base_choices(form: NewDraftForm) -> None:
    recent = services.recent_version_ids()
    form.basis.choices = choices([*((str(v), _("Versie %(number)d", number=v) + (
        " " + _("(nieuwste)") if i == 0 else "")) for i, v in enumerate(recent)),
        (services.WORKDIR, _("Werkmap (workflows/)"))])
    if not form.basis.data:
        wanted = request.args.get("basis", "")
        form.basis.data = wanted if wanted in {str(v) for v in recent} else (
            str(recent[0]) if recent else services.WORKDIR)


@bp.route("/ontwerp/concepten", methods=["GET", "POST"])
@roles_required(Role.ONTWERPER)
def drafts_list():
    form = NewDraftForm()
    _base_choices(form)
    if form.validate_on_submit():
        files = services.files_of(form.basis.data)
        if files is None:
            abort(404)
        base = int(form.basis.data) if form.basis.data.isdigit() else None
        try:
            draft = drafts.create_draft(form.naam.data, files, user_id=current_user.id, base_version_id=base)
        except drafts.DraftError as exc:
            form.naam.errors.append(str(exc))
        else:
            flash(_("Concept ‘%(name)s’ is aangemaakt.", name=draft.name), "success")
            return redirect(url_for("designer.draft", draft_id=draft.id))
    rows = drafts.open_drafts()
    names = services.display_names(*(d.updated_by_id for d in rows))
    status = 400 if form.errors else 200
    return render_template("designer/drafts.html", form=form, rows=rows, names=names), status


def _draft_page(draft: ProcessDraft, *, upload: UploadFileForm | None = None, zip_form: ImportZipForm | None = None,
                discard: DiscardForm | None = None, conflict: ProcessDraft | None = None, status: int = 200):
    try:
        processes = services.processes_of(draft.files)
    except ValueError:
        processes = None  # a BPMN file is not well-formed: lint says where
    lint = modeler.lint_draft(draft.files)
    revision = str(draft.revision)
    upload = upload or UploadFileForm(revisie=revision, formdata=None)
    zip_form = zip_form or ImportZipForm(revisie=revision, formdata=None)
    upload.revisie.data = zip_form.revisie.data = revision  # a retry after a conflict starts from now
    forms = [(name, _form_link(draft, name)) for name in modeler.form_files(draft)]
    names = services.display_names(draft.created_by_id, draft.updated_by_id,
                                   conflict.updated_by_id if conflict else None)
    base = draft.base_version_id
    diff_url = url_for("designer.diff", van=base if base else services.WORKDIR, naar=drafts.source_name(draft))
    return render_template("designer/draft.html", draft=draft, bpmn=modeler.bpmn_files(draft, processes, lint),
                           forms=forms, lint=lint, upload=upload, zip_form=zip_form,
                           discard=discard or DiscardForm(formdata=None), names=names, conflict=conflict,
                           conflict_by=names.get(conflict.updated_by_id) if conflict else None,
                           diff_url=diff_url), status


@bp.route("/ontwerp/concepten/<int:draft_id>")
@roles_required(Role.ONTWERPER)
def draft(draft_id: int):
    return _draft_page(_draft(draft_id))


def _change(draft: ProcessDraft, form, change, done: str, **forms):
    """Run ``change(expected_revision)`` for a valid ``form``; the draft page again on any refusal."""
    if not form.validate_on_submit():
        return _draft_page(draft, status=400, **forms)
    try:
        change(int(form.revisie.data))
    except drafts.DraftConflict as conflict:
        return _draft_page(conflict.draft, conflict=conflict.draft, status=409, **forms)
    except drafts.DraftError as exc:
        next(field for field in form if field.type == "FileField").errors.append(str(exc))
        return _draft_page(draft, status=400, **forms)
    flash(done, "success")
    return redirect(url_for("designer.draft", draft_id=draft.id) + "#controle")


@bp.route("/ontwerp/concepten/<int:draft_id>/bestand", methods=["POST"])
@roles_required(Role.ONTWERPER)
def draft_upload(draft_id: int):
    draft = _draft(draft_id)
    form = UploadFileForm()
    path: list[str] = []

    def change(expected: int) -> None:
        upload = form.bestand.data
        path.append(modeler.path_for(upload.filename or ""))
        text = modeler.decode(upload.read(drafts.MAX_FILE_CHARS * 4 + 1), path[0])
        drafts.save_file(draft.id, path[0], text, expected=expected, user_id=current_user.id)

    return _change(draft, form, change, _("Het bestand is opgeslagen in het concept."), upload=form)


@bp.route("/ontwerp/concepten/<int:draft_id>/import", methods=["POST"])
@roles_required(Role.ONTWERPER)
def draft_import(draft_id: int):
    draft = _draft(draft_id)
    form = ImportZipForm()

    def change(expected: int) -> None:
        files = archive.import_zip(form.archief.data.read(archive.MAX_ZIP_BYTES + 1))
        drafts.replace_files(draft.id, files, expected=expected, user_id=current_user.id)

    return _change(draft, form, change, _("De zip is geïmporteerd: alle bestanden van het concept zijn vervangen."),
                   zip_form=form)


@bp.route("/ontwerp/concepten/<int:draft_id>/export.zip")
@roles_required(Role.ONTWERPER)
def draft_export(draft_id: int):
    draft = _draft(draft_id)
    record("read", f"process_draft:{draft.id}", "designer.draft_export", user_id=current_user.id,
           detail={"revision": draft.revision})
    return send_file(io.BytesIO(archive.export_zip(draft.files)), mimetype="application/zip", as_attachment=True,
                     download_name=f"concept-{draft.id}-r{draft.revision}-workflows.zip", max_age=0)


@bp.route("/ontwerp/concepten/<int:draft_id>/weggooien", methods=["POST"])
@roles_required(Role.ONTWERPER)
def draft_discard(draft_id: int):
    draft = _draft(draft_id)
    form = DiscardForm()
    if not form.validate_on_submit():
        return _draft_page(draft, discard=form, status=400)
    try:
        drafts.close_draft(draft.id, "discarded", user_id=current_user.id)
    except drafts.DraftError as exc:
        form.bevestig.errors.append(str(exc))
        return _draft_page(draft, discard=form, status=409)
    flash(_("Concept ‘%(name)s’ is weggegooid.", name=draft.name), "success")
    return redirect(url_for("designer.drafts_list"))


def _bpmn_path(draft: ProcessDraft, bpmn_name: str) -> str:
    path = f"bpmn/{bpmn_name}"
    if path not in draft.files:  # names were checked when the file came in (drafts.check_files)
        abort(404)
    return path


@bp.route("/ontwerp/concepten/<int:draft_id>/modeler/<bpmn_name>")
@roles_required(Role.ONTWERPER)
def draft_modeler(draft_id: int, bpmn_name: str):
    draft = _draft(draft_id)
    _bpmn_path(draft, bpmn_name)
    lint = modeler.lint_draft(draft.files)
    config = {
        "xmlUrl": url_for("designer.draft_bpmn", draft_id=draft.id, bpmn_name=bpmn_name),
        "saveUrl": url_for("designer.draft_save", draft_id=draft.id, bpmn_name=bpmn_name),
        "file": f"bpmn/{bpmn_name}", "csrf": generate_csrf(), "readonly": draft.status != "open",
        "actions": sorted(ACTIONS), "forms": modeler.form_files(draft),
        "select": request.args.get("element", "")[:200], "messages": [row.as_json() for row in lint],
        "otherFiles": {path: url_for("designer.draft_modeler", draft_id=draft.id, bpmn_name=path.removeprefix("bpmn/"))
                       for path in draft.files if path.startswith("bpmn/")},
    }
    return render_template("designer/modeler.html", draft=draft, bpmn_name=bpmn_name, config=config, lint=lint,
                           texts=modeler_texts())


@bp.route("/ontwerp/concepten/<int:draft_id>/bpmn/<bpmn_name>")
@roles_required(Role.ONTWERPER)
def draft_bpmn(draft_id: int, bpmn_name: str):
    """The file and the revision it belongs to, in one answer (the modeler saves against that revision)."""
    draft = _draft(draft_id)
    path = _bpmn_path(draft, bpmn_name)
    response = jsonify(revision=draft.revision, xml=draft.files[path], status=draft.status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/ontwerp/concepten/<int:draft_id>/proces/<process_id>.bpmn")
@roles_required(Role.ONTWERPER)
def draft_xml(draft_id: int, process_id: str):
    """The BPMN file that draws ``process_id`` (for the diff's diagram of a draft)."""
    draft = _draft(draft_id)
    try:
        processes = services.processes_of(draft.files)
    except ValueError:
        abort(404)
    if process_id not in processes:
        abort(404)
    return Response(draft.files[processes[process_id].file], mimetype="application/xml")


def _conflict_json(draft: ProcessDraft):
    by = services.display_names(draft.updated_by_id).get(draft.updated_by_id) or _("iemand anders")
    return jsonify(conflict=True, revision=draft.revision, by=by, at=draft.updated_at.isoformat(),
                   error=_("%(name)s heeft het concept intussen opgeslagen (revisie %(revision)d). Je wijzigingen "
                           "zijn niet opgeslagen.", name=by, revision=draft.revision)), 409


@bp.route("/ontwerp/concepten/<int:draft_id>/opslaan/<bpmn_name>", methods=["POST"])
@roles_required(Role.ONTWERPER)
def draft_save(draft_id: int, bpmn_name: str):
    """Save the modeler's XML, lint the whole draft, answer the new revision and the messages (JSON)."""
    draft = _draft(draft_id)
    payload = request.get_json(silent=True)
    if (not isinstance(payload, dict) or not isinstance(payload.get("xml"), str)
            or not isinstance(payload.get("revision"), int) or isinstance(payload.get("revision"), bool)):
        return jsonify(error=_("Ongeldig verzoek: verwacht {\"xml\": tekst, \"revision\": getal}.")), 400
    try:
        saved = modeler.save_bpmn(draft.id, bpmn_name, payload["xml"], expected=payload["revision"],
                                  user_id=current_user.id)
    except drafts.DraftConflict as conflict:
        return _conflict_json(conflict.draft)
    except drafts.DraftError as exc:
        return jsonify(error=str(exc)), 400 if draft.status == "open" else 409
    lint = modeler.lint_draft(saved.files)
    return jsonify(revision=saved.revision, messages=[row.as_json() for row in lint],
                   problems_here=sum(1 for row in lint if row.path == f"bpmn/{bpmn_name}"))
