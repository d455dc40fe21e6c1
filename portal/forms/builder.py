"""Build WTForms classes from task form specifications (one function over the field kinds of
:mod:`portal.forms.kinds`).

The same generated class renders the GET and validates the POST; labels and hints are
translated with the request's locale when the class is built (one class per spec and locale, cached).
Submitted values are turned into JSON-native task data (dates as ISO strings) by :func:`form_to_data`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask_babel import get_locale, gettext
from werkzeug.datastructures import MultiDict
from wtforms import Field, FieldList, Form, FormField, SubmitField

from portal.engine.forms import FormSpec
from portal.forms.base import PortalForm
from portal.forms.kinds import build_field, read_fields, required_message


def build_task_form(form_spec: FormSpec) -> type[PortalForm]:
    """A :class:`PortalForm` subclass with one field per top-level field of ``form_spec``, built once per
    spec and locale (a form of 49 sections cost 2–3 ms to build on every GET and POST of its task)."""
    try:
        hash(form_spec)
    except TypeError:  # an unhashable part (a designer's schema with a list as its example): built each time
        return _build_task_form(form_spec)
    return _task_form(form_spec, str(get_locale()))


@lru_cache(maxsize=256)  # the deployed versions' forms × the offered locales; the designer's drafts pass through
def _task_form(form_spec: FormSpec, locale: str) -> type[PortalForm]:
    # ``locale`` is part of the key: labels and messages are translated while the class is built
    return _build_task_form(form_spec)


def _build_task_form(form_spec: FormSpec) -> type[PortalForm]:
    attrs = {spec.name: build_field(spec) for spec in form_spec.fields}
    # Pressing "save as draft" stores the raw input without validating it (see tasks.views.show).
    attrs["save_draft"] = SubmitField(gettext("Concept opslaan"))
    return type(f"TaskForm_{form_spec.task_id}", (PortalForm,), attrs)


def form_to_data(form: PortalForm, form_spec: FormSpec) -> dict[str, Any]:
    """The validated form as JSON-native task data: dates as ISO strings, empty optionals left out."""
    return read_fields(form_spec.fields, form)


def raw_form_input(form: Form) -> dict[str, list[str]]:
    """Every field's raw submitted strings, to save as a draft exactly as typed (even if invalid)."""
    raw: dict[str, list[str]] = {}
    for field in form:
        if isinstance(field, FormField):
            raw.update(raw_form_input(field.form))
        elif isinstance(field, FieldList):
            for entry in field.entries:
                raw.update(raw_form_input(entry.form))
        elif field.type not in ("CSRFTokenField", "SubmitField") and field.raw_data is not None:
            raw[field.name] = [str(v) for v in field.raw_data]
    return raw


def draft_formdata(draft: dict[str, list[str]]) -> MultiDict:
    return MultiDict([(name, value) for name, values in draft.items() for value in values])


def _violation_message(violation, label: str = "", choose: bool = False) -> str:
    """A schema rule the generated form could not check itself (e.g. inside if/then), in words; a missing
    answer names its field ("Vul toelichting in.") when the label is known."""
    messages = {
        "required": lambda: required_message(label, choose=choose),
        "minimum": lambda: gettext("Vul minstens %(limit)s in.", limit=violation.limit),
        "maximum": lambda: gettext("Vul hoogstens %(limit)s in.", limit=violation.limit),
        "minLength": lambda: gettext("Schrijf minstens %(limit)s tekens.", limit=violation.limit),
        "maxLength": lambda: gettext("Gebruik hoogstens %(limit)s tekens.", limit=violation.limit),
        "minItems": lambda: gettext("Vul er minstens %(limit)s in.", limit=violation.limit),
        "const": lambda: gettext("Dit moet aangevinkt zijn."),
    }
    if violation.rule in messages:
        return messages[violation.rule]()
    return gettext("Deze waarde past niet: %(detail)s", detail=violation.message)


def attach_violations(form: Form, violations) -> None:
    """Put schema violations found after WTForms validation on the fields they concern."""
    for violation in violations:
        target: Any = form
        for part in violation.path:
            if isinstance(target, FormField):
                target = target.form
            if isinstance(target, Form) and part in target._fields:
                target = target[part]
            else:
                break
        is_field = isinstance(target, Field) and not isinstance(target, FormField | FieldList)
        label = str(target.label.text) if is_field and target.label else ""
        message = _violation_message(violation, label, choose=is_field and hasattr(target, "choices"))
        if is_field:
            target.errors = [*target.errors, message]
        else:
            form.form_errors.append(message)
