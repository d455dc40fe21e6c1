"""The WTForms pieces the field kinds (:mod:`portal.forms.kinds`) build with."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from wtforms import Form, FormField, SelectMultipleField, validators, widgets

from portal.engine.forms import FieldSpec


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes (rendered by the macro, subfield by subfield)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class GroupField(FormField):
    """A section, or one row of repeating rows. An optional one the user left completely blank is not
    checked: its required fields only apply once something in it is filled in (as in the JSON Schema,
    where they apply only when the object is there)."""

    def __init__(self, form_class: type[Form], optional: bool = False, **kwargs: Any):
        super().__init__(form_class, **kwargs)
        self.optional = optional

    def validate(self, form, extra_validators=()):
        if self.optional and left_blank(self.form):
            return True
        return super().validate(form, extra_validators)


def left_blank(form: Form) -> bool:
    """Nothing was typed, chosen or ticked in ``form`` (a section or row)."""
    return not any(str(value).strip() for field in form for value in (field.raw_data or ()))


def translated(text: str) -> str:
    """A text of the form schema in the current locale ("" stays "": gettext("") is the catalog header)."""
    return gettext(text) if text else ""


def presence(spec: FieldSpec, message: str | None = None) -> list:
    """Required (with ``message`` or "Vul dit veld in.") or optional, as the schema says."""
    if spec.required:
        return [validators.InputRequired(message=message or gettext("Vul dit veld in."))]
    return [validators.Optional()]


def field_kwargs(spec: FieldSpec, label: str | None = None, description: str | None = None) -> dict[str, Any]:
    """Label, hint and the macro's hints (``x-sensitivity``, ``x-help``) of a field, translated."""
    render_kw = {}
    if spec.sensitivity:
        render_kw["data-sensitivity"] = spec.sensitivity
    if spec.extra_help:
        render_kw["data-help"] = translated(spec.extra_help)
    return {"label": translated(spec.label) if label is None else label,
            "description": translated(spec.help) if description is None else description,
            "render_kw": render_kw}


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value
