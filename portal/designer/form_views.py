"""The form editor: a draft's form files as JSON and as a list of fields, with a live preview drawn by the
portal's own form builder (the HTML a regisseur sees on the task page), saved into the draft with the
revision it started from; and which labels of a version or draft lack a translation.

Every page here is the ontwerper's; nothing here reads case data.
"""

from __future__ import annotations

import re

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.designer import drafts, form_check, form_editor, labels, services
from portal.designer.editor_forms import FormEditorForm, LabelSourceForm, NewFormForm
from portal.designer.models import ProcessDraft
from portal.designer.views import bp
from portal.engine.babel_extract import _walk, _walk_choices
from portal.forms import build_task_form, choices
from portal.forms.bounds import page_number
from portal.i18n import LANGUAGE_NAMES
from portal.security import Role, roles_required


def _draft(draft_id: int) -> ProcessDraft:
    draft = drafts.draft_or_none(draft_id)
    if draft is None:
        abort(404)
    return draft


def _form_name(draft: ProcessDraft, form_name: str, *, must_exist: bool = True) -> str:
    if not form_editor.valid_form_name(form_name) or (
            must_exist and form_editor.form_path(form_name) not in draft.files):
        abort(404)
    return form_name


def _tasks_by_form(files: dict[str, str]) -> dict[str, list]:
    """Form file → the user tasks that show it ({} when a BPMN file cannot be read: lint says why)."""
    try:
        processes = services.processes_of(files)
    except ValueError:
        return {}
    found: dict[str, list] = {}
    for process in processes.values():
        for node in process.nodes.values():
            if node.type == "userTask" and node.form:
                found.setdefault(node.form, []).append(node)
    return found


def _missing_forms(files: dict[str, str]) -> dict[str, tuple[str, object]]:
    """User task id → (its form file, the task) for tasks whose form file the set lacks."""
    return {node.id: (file, node) for file, nodes in _tasks_by_form(files).items() for node in nodes
            if file.endswith(".json") and f"forms/{file}" not in files
            and form_editor.valid_form_name(file.removesuffix(".json"))}


def _list_page(draft: ProcessDraft, new_form: NewFormForm, status: int = 200):
    tasks = _tasks_by_form(draft.files)
    forms = []
    for path in sorted(p for p in draft.files if p.startswith("forms/") and p.endswith(".json")):
        name = path.removeprefix("forms/").removesuffix(".json")
        schema, problems = form_check.parse(draft.files[path])
        title = schema.get("title") if schema and isinstance(schema.get("title"), str) else ""
        forms.append((name, title, tasks.get(f"{name}.json", []), bool(problems)))
    missing = sorted(((file, node.id, node.label) for file, node in _missing_forms(draft.files).values()),
                     key=lambda item: item[1])
    if new_form.revisie.data is None:
        new_form.revisie.data = str(draft.revision)
    return render_template("designer/forms/list.html", draft=draft, forms=forms, missing=missing,
                           new_form=new_form, editable=draft.status == "open"), status


@bp.route("/ontwerp/concepten/<int:draft_id>/formulieren")
@roles_required(Role.ONTWERPER)
def draft_forms(draft_id: int):
    return _list_page(_draft(draft_id), NewFormForm(formdata=None))


@bp.route("/ontwerp/concepten/<int:draft_id>/formulieren/nieuw", methods=["POST"])
@roles_required(Role.ONTWERPER)
def form_new(draft_id: int):
    """A starter form for a user task that has none (lint: "no form: create workflows/forms/<id>.json")."""
    draft = _draft(draft_id)
    form = NewFormForm()
    if not form.validate_on_submit():
        return _list_page(draft, form, 400 if "csrf_token" in form.errors else 422)
    missing = _missing_forms(draft.files)
    if form.taak.data not in missing:
        form.form_errors.append(_("Deze taak heeft al een formulier, of bestaat niet in dit concept."))
        return _list_page(draft, form, 422)
    file, node = missing[form.taak.data]
    name = file.removesuffix(".json")
    try:
        drafts.save_file(draft.id, form_editor.form_path(name), form_editor.starter(node.label),
                         expected=_revision(form.revisie.data), user_id=current_user.id)
    except drafts.DraftConflict as exc:
        form.form_errors.append(_("%(who)s heeft het concept intussen opgeslagen. Er is niets gemaakt; probeer het "
                                  "nog een keer.", who=_saved_by(exc.draft)))
        form.revisie.data = str(exc.draft.revision)
        return _list_page(draft, form, 409)
    except drafts.DraftError as exc:
        form.form_errors.append(str(exc))
        return _list_page(draft, form, 422)
    flash(_("Formulier %(name)s gemaakt. Vul nu de velden in.", name=name + ".json"), "success")
    return redirect(url_for("designer.form_edit", draft_id=draft.id, form_name=name))


def _revision(value) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else -1


def _saved_by(draft: ProcessDraft) -> str:
    return services.display_names(draft.updated_by_id).get(draft.updated_by_id) or _("Iemand anders")


def _preview(name: str, checked: form_check.Checked):
    """The task page's form for this schema, unfilled, as the builder makes it (None when it cannot)."""
    if checked.spec is None:
        return None
    try:
        return build_task_form(checked.spec)(formdata=None)
    except (TypeError, ValueError, re.error) as exc:  # a schema the engine takes but the builder cannot draw
        checked.problems.append(_("Het voorbeeld kan niet getekend worden: %(detail)s", detail=str(exc)))
        return None


def _markers(path: str, schema: dict | None, current: form_editor.Structure) -> list[tuple[str, ...]]:
    """Per row of the list: the languages that lack a translation of its texts."""
    if schema is None:
        return [() for _row in current.rows]
    out = []
    for row in current.rows:
        container = form_editor.container_of(schema, row.parent) or {}
        prop = (container.get("properties") or {}).get(row.orig or row.key)
        if not isinstance(prop, dict):
            out.append(())
            continue
        inner = {k: v for k, v in prop.items() if k not in ("properties", "items")} \
            if row.kind in ("section", "rows") else prop
        texts = list(dict.fromkeys(_walk(inner)))
        out.append(labels.missing_for(texts, path, frozenset(_walk_choices(inner))))
    return out


def _process(form: FormEditorForm, draft: ProcessDraft, name: str) -> tuple[str, form_check.Checked, bool]:
    """Merge the list into the JSON (after a list button), check the result; the list is redrawn from it.

    :returns: the text, its check, and whether the list (not the text) had problems.
    """
    text = form.bron.data or ""
    schema, _problems = form_check.parse(text)
    submitted = form.structure()
    if form.actie.data:
        submitted = form_editor.act(submitted, form.actie.data)
    basis_schema, _ignored = form_check.parse(form.basis.data or "")
    base = form_editor.structure(basis_schema) if basis_schema is not None else \
        form_editor.structure(schema) if schema is not None else submitted
    wrong = form_editor.row_problems(submitted.rows) if submitted != base else {}
    if wrong:
        form.show(submitted)
        for index, fields in wrong.items():
            entry = form.velden.entries[index].form
            target = {"key": entry.naam, "kind": entry.soort, "options": entry.opties}
            for attribute, message in fields.items():
                target[attribute].errors = [*target[attribute].errors, message]
        return text, form_check.check(name, text), True
    if schema is not None and submitted != base:
        text = form_editor.dump(form_editor.apply(schema, base, submitted))
    checked = form_check.check(name, text)
    if checked.schema is not None:
        form.bron.data = text
        form.basis.data = form_editor.canonical(checked.schema)
        form.show(form_editor.structure(checked.schema))
    elif submitted != base:  # the list changed but the JSON cannot be read: keep both as typed
        form.show(submitted)
        checked.problems.append(_("Je wijzigingen in de lijst met velden zijn nog niet in de JSON verwerkt: "
                                  "herstel eerst de JSON."))
    else:
        form.show(submitted)
    return text, checked, False


def _stale(draft: ProcessDraft, path: str, checked: form_check.Checked) -> list[form_check.StaleUse]:
    """Fields gone from this form (against the version the draft started from and the saved draft) that the
    draft's BPMN scripts, conditions or timers still use."""
    base = services.version_or_none(draft.base_version_id) if draft.base_version_id else None
    before = [form_check.parse(text)[0] for text in (draft.files.get(path), (base.files or {}).get(path)
                                                    if base is not None else None) if text]
    return form_check.stale_uses(draft.files, path, before, checked.schema)


def _page(draft, name, form: FormEditorForm, checked, status: int, conflict: ProcessDraft | None = None):
    current = form.structure()
    path = form_editor.form_path(name)
    tasks = _tasks_by_form(draft.files).get(f"{name}.json", [])
    before = len(checked.problems)
    preview = _preview(name, checked)
    _attach(form, checked.problems[before:])
    return render_template(
        "designer/forms/edit.html", draft=draft, name=name, path=path, form=form, checked=checked,
        preview=preview, spec=checked.spec, markers=_markers(path, checked.schema, current),
        form_markers=labels.missing_for([current.title, current.description], path), tasks=tasks,
        conflict=conflict, conflict_by=_saved_by(conflict) if conflict is not None else None,
        language_names=LANGUAGE_NAMES, stale=_stale(draft, path, checked),
        editable=draft.status == "open"), status


def _attach(form: FormEditorForm, problems: list[str]) -> None:
    form.bron.errors = [*(form.bron.errors or []), *problems]


@bp.route("/ontwerp/concepten/<int:draft_id>/formulieren/<form_name>", methods=["GET", "POST"])
@roles_required(Role.ONTWERPER)
def form_edit(draft_id: int, form_name: str):
    draft = _draft(draft_id)
    name = _form_name(draft, form_name)
    path = form_editor.form_path(name)
    if request.method == "GET":
        form = FormEditorForm(formdata=None, prefix="editor")
        form.bron.data, form.revisie.data = draft.files[path], str(draft.revision)
        checked = form_check.check(name, draft.files[path])
        if checked.schema is not None:
            form.basis.data = form_editor.canonical(checked.schema)
            form.show(form_editor.structure(checked.schema))
        _attach(form, checked.problems)
        return _page(draft, name, form, checked, 200)
    form = FormEditorForm(prefix="editor")
    form.validate()  # the CSRF token; the text and the list are checked below, as the engine would
    if "csrf_token" in form.errors:
        return _page(draft, name, form, form_check.check(name, form.bron.data or ""), 400)
    form.bron.errors = []
    text, checked, list_wrong = _process(form, draft, name)
    _attach(form, checked.problems)
    if not (form.opslaan.data or form.overschrijven.data) or form.actie.data:
        # "Voorbeeld tonen" or a list button: the page again, everything typed kept, nothing saved
        return _page(draft, name, form, checked, 422 if list_wrong or checked.problems else 200)
    if list_wrong or checked.schema is None:
        return _page(draft, name, form, checked, 422)
    expected = _revision(form.revisie.data)
    if form.overschrijven.data and _revision(form.overschrijven.data) == draft.revision:
        expected = draft.revision  # the designer chose to save over the colleague's version
    stale = _stale(draft, path, checked)  # before the save: afterwards the saved form is the new one
    try:
        drafts.save_file(draft.id, path, text, expected=expected, user_id=current_user.id)
    except drafts.DraftConflict as exc:
        return _page(draft, name, form, checked, 409, conflict=exc.draft)
    except drafts.DraftError as exc:
        form.form_errors.append(str(exc))
        return _page(draft, name, form, checked, 422)
    if checked.problems:
        flash(_("Opgeslagen in het concept, maar de portal kan het formulier zo nog niet tonen; zie de problemen "
                "hieronder."), "warning")
    elif stale:
        flash(_("Opgeslagen in het concept, maar het proces gebruikt nog een veld dat niet meer bestaat: %(keys)s. "
                "Zie de waarschuwing hieronder.", keys=", ".join(sorted({use.key for use in stale}))), "warning")
    else:
        flash(_("Het formulier is opgeslagen in het concept."), "success")
    return redirect(url_for("designer.form_edit", draft_id=draft.id, form_name=name))


@bp.route("/ontwerp/concepten/<int:draft_id>/formulieren/<form_name>/voorbeeld", methods=["POST"])
@roles_required(Role.ONTWERPER)
def form_preview(draft_id: int, form_name: str):
    """The live preview for the editor's script: the same processing as "Voorbeeld tonen", as JSON parts."""
    draft = _draft(draft_id)
    name = _form_name(draft, form_name)
    form = FormEditorForm(prefix="editor")
    form.validate()  # the CSRF token
    if "csrf_token" in form.errors:
        return jsonify({"error": _("Het formulier was verlopen. Laad de pagina opnieuw.")}), 400
    _text, checked, list_wrong = _process(form, draft, name)
    _attach(form, checked.problems)
    current = form.structure()
    path = form_editor.form_path(name)
    before = len(checked.problems)
    preview = _preview(name, checked)
    _attach(form, checked.problems[before:])
    context = {"draft": draft, "name": name, "form": form, "checked": checked, "spec": checked.spec,
               "preview": preview, "markers": _markers(path, checked.schema, current),
               "form_markers": labels.missing_for([current.title, current.description], path),
               "editable": draft.status == "open", "language_names": LANGUAGE_NAMES,
               "stale": _stale(draft, path, checked)}
    parts = {part: render_template("designer/forms/_parts.html", part=part, **context)
             for part in ("preview", "fields", "problems")}
    return jsonify({**parts, "source": form.bron.data or "", "basis": form.basis.data or "",
                    "rows": [[row.orig, row.parent] for row in current.rows],
                    "ok": not (list_wrong or checked.problems)})


@bp.route("/ontwerp/formulier-voorbeeld", methods=["POST"])
@roles_required(Role.ONTWERPER)
def form_preview_sent():
    """Where the preview's own buttons lead without JavaScript: nothing is sent anywhere."""
    return render_template("designer/forms/sent.html")


# -- translations of labels -----------------------------------------------------------------------------------

class _Page:
    """A page of a list, for the pagination macro."""

    def __init__(self, items: list, page: int, per_page: int):
        self.total, self.per_page = len(items), per_page
        self.pages = max(1, -(-self.total // per_page))
        self.page = min(max(page, 1), self.pages)
        self.items = items[(self.page - 1) * per_page: self.page * per_page]
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1


@bp.route("/ontwerp/vertalingen")
@roles_required(Role.ONTWERPER)
def label_status():
    """Which labels of a version, draft or the working directory lack a translation, per language."""
    form = LabelSourceForm(request.args)
    recent = services.recent_version_ids()
    options = [*((str(v), _("Versie %(number)d", number=v)) for v in recent),
               *((drafts.source_name(d), _("Concept: %(name)s", name=d.name)) for d in drafts.open_drafts()),
               (services.WORKDIR, _("Werkmap (workflows/)"))]
    source = (request.args.get("bron") or (str(recent[0]) if recent else services.WORKDIR))[:40]
    files = services.files_of(source)
    if files is not None and source not in {value for value, _label in options}:  # e.g. a closed draft
        options.append((source, source))
    form.bron.choices, form.bron.data = choices(options), source
    if files is None:
        form.bron.errors = [_("Er is geen versie of concept “%(source)s”.", source=source)]
        return render_template("designer/forms/labels.html", form=form, status=None, page=None), 404
    status = labels.label_status(files)
    page = _Page(list(status.missing), page_number(request.args.get("page")), 50)
    return render_template("designer/forms/labels.html", form=form, status=status, page=page, source=source,
                           language_names=LANGUAGE_NAMES)
