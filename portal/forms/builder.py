"""Build WTForms classes from task form specifications (one function, a registry of field kinds).

The same generated class renders the GET and validates the POST; labels and hints are
translated with the request's locale when the class is built. Submitted values are turned into
JSON-native task data (dates as ISO strings) by :func:`form_to_data`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import gettext
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    Field,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    validators,
    widgets,
)

from portal.engine.forms import FieldSpec, FormSpec
from portal.forms.base import PortalForm, choices


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes (rendered by the macro, subfield by subfield)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _t(text: str) -> str:
    return gettext(text) if text else ""


def _presence(spec: FieldSpec) -> list:
    if spec.required:
        return [validators.InputRequired(message=gettext("Vul dit veld in."))]
    return [validators.Optional()]


def _render_kw(spec: FieldSpec) -> dict[str, str]:
    kw = {}
    if spec.sensitivity:
        kw["data-sensitivity"] = spec.sensitivity
    if spec.extra_help:
        kw["data-help"] = _t(spec.extra_help)
    return kw


def _common(spec: FieldSpec) -> dict[str, Any]:
    return {"label": _t(spec.label), "description": _t(spec.help), "render_kw": _render_kw(spec)}


def _text(spec: FieldSpec) -> Field:
    checks = _presence(spec)
    if spec.max_length:
        checks.append(validators.Length(max=spec.max_length,
                                        message=gettext("Gebruik maximaal %(max)d tekens.", max=spec.max_length)))
    if spec.min_length:
        checks.append(validators.Length(min=spec.min_length,
                                        message=gettext("Schrijf minstens %(min)d tekens.", min=spec.min_length)))
    if spec.pattern:
        checks.append(validators.Regexp(spec.pattern, message=gettext("Dit heeft niet de goede vorm.") + (
            " " + gettext("Bijvoorbeeld: %(example)s", example=spec.example) if spec.example else "")))
    cls = TextAreaField if spec.kind == "textarea" else StringField
    return cls(validators=checks, filters=[lambda v: v.strip() if isinstance(v, str) else v], **_common(spec))


def _date(spec: FieldSpec) -> Field:
    return DateField(validators=_presence(spec), format="%Y-%m-%d", **_common(spec))


def _number(spec: FieldSpec) -> Field:
    checks = _presence(spec)
    if spec.minimum is not None or spec.maximum is not None:
        checks.append(validators.NumberRange(
            min=spec.minimum, max=spec.maximum,
            message=gettext("Vul een getal in tussen %(min)s en %(max)s.",
                            min=spec.minimum if spec.minimum is not None else "…",
                            max=spec.maximum if spec.maximum is not None else "…")))
    cls = IntegerField if spec.kind == "integer" else FloatField
    return cls(validators=checks, **_common(spec))


def _boolean(spec: FieldSpec) -> Field:
    checks = [validators.DataRequired(message=gettext("Vink dit aan om verder te gaan."))] if spec.must_be_true else []
    return BooleanField(validators=checks, **_common(spec))


def _choice(spec: FieldSpec) -> Field:
    options = [(c.value, _t(c.label)) for c in spec.choices]
    if spec.widget == "radio":
        return RadioField(choices=choices(options), validators=_presence(spec), **_common(spec))
    return SelectField(choices=choices([("", gettext("— Maak een keuze —")), *options]),
                       validators=_presence(spec), **_common(spec))


def _multichoice(spec: FieldSpec) -> Field:
    return CheckboxListField(choices=choices((c.value, _t(c.label)) for c in spec.choices),
                             validators=_presence(spec), **_common(spec))


def _section(spec: FieldSpec) -> Field:
    return FormField(_subform(spec.children), label=_t(spec.label), description=_t(spec.help))


def _rows(spec: FieldSpec) -> Field:
    return FieldList(FormField(_subform(spec.children)), label=_t(spec.label), description=_t(spec.help),
                     min_entries=1)


#: Field kind → factory. A new kind is added here and in portal.engine.forms.
FIELD_FACTORIES: dict[str, Callable[[FieldSpec], Field]] = {
    "text": _text,
    "textarea": _text,
    "date": _date,
    "integer": _number,
    "number": _number,
    "boolean": _boolean,
    "choice": _choice,
    "multichoice": _multichoice,
    "section": _section,
    "rows": _rows,
}


def _subform(children: tuple[FieldSpec, ...]) -> type[Form]:
    attrs = {child.name: FIELD_FACTORIES[child.kind](child) for child in children}
    return type("SectionForm", (Form,), attrs)


def build_task_form(form_spec: FormSpec) -> type[PortalForm]:
    """A :class:`PortalForm` subclass with one field per top-level field of ``form_spec``."""
    attrs = {spec.name: FIELD_FACTORIES[spec.kind](spec) for spec in form_spec.fields}
    # Pressing "save as draft" stores the raw input without validating it (see tasks.views.show).
    attrs["save_draft"] = SubmitField(gettext("Concept opslaan"))
    return type(f"TaskForm_{form_spec.task_id}", (PortalForm,), attrs)


def _value(spec: FieldSpec, field: Field) -> Any:
    if spec.kind == "section":
        return _values(spec.children, field.form)
    if spec.kind == "rows":
        rows = [_values(spec.children, entry.form) for entry in field.entries]
        return [row for row in rows if row]
    data = field.data
    if isinstance(data, date):
        return data.isoformat()
    if spec.kind == "choice" and data in ("", None):
        return None
    if spec.kind == "multichoice":
        return list(data or [])
    if isinstance(data, str) and data == "":
        return None
    return data


def _values(specs: tuple[FieldSpec, ...], form: Form) -> dict[str, Any]:
    result = {}
    for spec in specs:
        value = _value(spec, form[spec.name])
        if value is None or (spec.kind in ("section", "rows") and not value and not spec.required):
            continue
        if spec.kind == "multichoice" and not value and not spec.required:
            continue
        result[spec.name] = value
    return result


def form_to_data(form: PortalForm, form_spec: FormSpec) -> dict[str, Any]:
    """The validated form as JSON-native task data: dates as ISO strings, empty optionals left out."""
    return _values(form_spec.fields, form)


def data_to_form_data(form_spec: FormSpec, data: dict[str, Any]) -> dict[str, Any]:
    """Task data → the ``data=`` mapping WTForms expects (ISO strings back to dates)."""

    def convert(specs: tuple[FieldSpec, ...], values: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for spec in specs:
            if spec.name not in values:
                continue
            value = values[spec.name]
            if spec.kind == "section":
                value = convert(spec.children, value or {})
            elif spec.kind == "rows":
                value = [convert(spec.children, row) for row in value or []]
            elif spec.kind == "date" and isinstance(value, str):
                value = date.fromisoformat(value)
            out[spec.name] = value
        return out

    return convert(form_spec.fields, data or {})


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


def _violation_message(violation) -> str:
    """A schema rule the generated form could not check itself (e.g. inside if/then), in words."""
    messages = {
        "required": lambda: gettext("Vul dit veld in."),
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
        message = _violation_message(violation)
        if isinstance(target, Field) and not isinstance(target, FormField | FieldList):
            target.errors = [*target.errors, message]
        else:
            form.form_errors.append(message)
