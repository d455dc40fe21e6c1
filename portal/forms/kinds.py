"""One object per form field kind (the ``FieldSpec.kind`` values of portal.engine.forms).

A kind knows everything the portal does with a field of that kind: build the WTForms field, read the
submitted data back as a JSON-native value, show a stored value to a reader and make a valid sample
value for demo data. The builder (:mod:`portal.forms.builder`), the plan text, the demo and the
newcomer's own pages all go through :data:`KINDS`, so a new kind is added here (and in
``portal.engine.forms``, which reads it from the JSON Schema).
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any, NamedTuple, Protocol

from flask_babel import gettext
from wtforms import (
    Field,
    FloatField,
    Form,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    validators,
)
from wtforms.fields.core import UnboundField

from portal.engine.forms import DEFAULT_MAX_ROWS, FieldSpec
from portal.forms.base import PortalSubform, choices
from portal.forms.bounds import CheckboxField, DateWindow, MaxRows
from portal.forms.dates import DayField, sentence_name
from portal.forms.fields import (
    CheckboxListField,
    GroupField,
    field_kwargs,
    left_blank,
    presence,
    strip,
    translated,
)
from portal.forms.rows import ReadOnlyField, RowsField
from portal.i18n import format_day


def in_sentence(label: str) -> str:
    """A label inside a sentence: "Oorzaak" → "oorzaak"; "V-nummer", "DigiD" and "COA-locatie" stay as they are."""
    return sentence_name(label)


#: The last word of a label that is a statement rather than the name of a thing: a past participle
#: ("Tolk ingezet", "Hulp gewenst", "Toets gevolgd"). "Kies tolk ingezet." does not read; such a
#: label is quoted instead.
_PARTICIPLE = re.compile(r"(?:aan|af|in|op|uit|mee|door|toe|voor|na|bij|vast|terug|weg|over)?ge[a-z]{2,}(?:d|t|en)")

#: The codes of a yes/no question.
YES_NO = frozenset({"ja", "nee"})


def required_message(label: str, *, choose: bool = False, yes_no: bool = False, source: str | None = None) -> str:
    """The message for a missing answer that names the field (GOV.UK): "Vul oorzaak in." for what is typed,
    "Kies leefgebied." for what is chosen. A question ("Waarom …?") or a long label does not fit in that
    sentence: "Vul een antwoord in." / "Kies een antwoord." (the error summary names the question). A yes/no
    question: "Kies ja of nee." A label that states something ("Tolk ingezet") is quoted: "Kies een
    antwoord bij ‘Tolk ingezet’.". ``source``: the Dutch label, to tell a statement by (in any language)."""
    name = in_sentence(str(label)).strip()
    words = str(source if source is not None else label).split()
    if choose and yes_no:
        return gettext("Kies ja of nee.")
    if not name:
        return gettext("Vul dit veld in.")
    if name.endswith("?") or len(name.split()) > 4:
        return gettext("Kies een antwoord.") if choose else gettext("Vul een antwoord in.")
    if len(words) > 1 and _PARTICIPLE.fullmatch(words[-1].lower()):
        return (gettext("Kies een antwoord bij ‘%(label)s’.", label=str(label).strip()) if choose
                else gettext("Vul een antwoord in bij ‘%(label)s’.", label=str(label).strip()))
    return gettext("Kies %(label)s.", label=name) if choose else gettext("Vul %(label)s in.", label=name)


def _required(spec: FieldSpec, label: str | None, message: str | None, *, choose: bool = False) -> list:
    """:func:`presence` with :func:`required_message`; ``message`` (the caller's own) wins."""
    if message is None:
        yes_no = {choice.value for choice in spec.choices} == YES_NO
        message = required_message(translated(spec.label) if label is None else str(label), choose=choose,
                                   yes_no=yes_no, source=spec.label if label is None else None)
    return presence(spec, message)


#: The sample text for free-text fields (repeated up to ``minLength``, cut at ``maxLength``).
SAMPLE_TEXT = "Besproken in het gesprek."


class Answer(NamedTuple):
    """One answered field of a section or row as a reader sees it: translated label, displayed value."""

    label: str
    value: Any


class FieldKind(Protocol):
    """What the portal knows about one kind of form field."""

    def field(self, spec: FieldSpec, *, label: str | None = None, description: str | None = None,
              required_message: str | None = None) -> UnboundField:
        """The WTForms field for ``spec``, texts translated now (so build the form class per request).

        :param label: a translated label instead of the schema's ``title``.
        :param description: a translated hint instead of the schema's ``description``.
        :param required_message: a translated message instead of the kind's own for a missing answer.
        """

    def read(self, spec: FieldSpec, field: Field) -> Any:
        """The validated field's data as a JSON-native value; ``None`` leaves it out of the task data."""

    def display(self, spec: FieldSpec, value: Any) -> Any:
        """A stored value as its reader sees it, in the current locale."""

    def sample(self, spec: FieldSpec, today: date | None = None) -> Any:
        """A value that keeps the field's own schema rules (for demo data and tests)."""


class _Kind:
    """Defaults: the field's data as is ("" is no answer), shown as stored."""

    def read(self, spec: FieldSpec, field: Field) -> Any:
        return None if field.data == "" else field.data

    def display(self, spec: FieldSpec, value: Any) -> Any:
        return value


class TextKind(_Kind):
    """Free text on one line (``StringField``) or several (``TextAreaField``, ``x-widget: textarea``)."""

    def __init__(self, field_class: type[Field]):
        self.field_class = field_class

    def field(self, spec, *, label=None, description=None, required_message=None):
        checks = _required(spec, label, required_message)
        if spec.max_length:
            checks.append(validators.Length(
                max=spec.max_length, message=gettext("Gebruik maximaal %(max)d tekens.", max=spec.max_length)))
        if spec.min_length:
            checks.append(validators.Length(
                min=spec.min_length, message=gettext("Schrijf minstens %(min)d tekens.", min=spec.min_length)))
        if spec.pattern:
            example = " " + gettext("Bijvoorbeeld: %(example)s", example=spec.example) if spec.example else ""
            checks.append(validators.Regexp(spec.pattern, message=gettext("Dit heeft niet de goede vorm.") + example))
        return self.field_class(validators=checks, filters=[strip], **field_kwargs(spec, label, description))

    def sample(self, spec, today=None):
        if spec.example is not None:
            return spec.example
        text = SAMPLE_TEXT
        while len(text) < (spec.min_length or 0):
            text = f"{text} {SAMPLE_TEXT}"
        return text[: spec.max_length or None]


class NumberKind(_Kind):
    """A whole number (``integer``) or any number (``number``), with the schema's minimum and maximum."""

    def __init__(self, field_class: type[Field], number_type: type):
        self.field_class, self.number_type = field_class, number_type

    def field(self, spec, *, label=None, description=None, required_message=None):
        checks = _required(spec, label, required_message)
        if spec.minimum is not None or spec.maximum is not None:
            checks.append(validators.NumberRange(
                min=spec.minimum, max=spec.maximum,
                message=gettext("Vul een getal in tussen %(min)s en %(max)s.",
                                min=spec.minimum if spec.minimum is not None else "…",
                                max=spec.maximum if spec.maximum is not None else "…")))
        checks.append(_finite)
        return self.field_class(validators=checks, **field_kwargs(spec, label, description))

    def sample(self, spec, today=None):
        if spec.example is not None:
            return spec.example
        value = max(spec.minimum if spec.minimum is not None else 1, 1)
        return self.number_type(min(value, spec.maximum) if spec.maximum is not None else value)


def _finite(form, field) -> None:
    """NaN and infinity parse as floats but are no answer (and JSON cannot hold them)."""
    if isinstance(field.data, float) and not math.isfinite(field.data):
        raise validators.ValidationError(gettext("Vul een getal in."))


class DateKind(_Kind):
    """A date: typed as dd-mm-jjjj (:class:`portal.forms.dates.DayField`), a ``date`` in the form, an ISO
    string in the task data, shown in the reader's language (:func:`portal.i18n.format_day`). It lies in
    a plausible window, narrowed by the schema's ``x-notBefore``/``x-notAfter``."""

    def field(self, spec, *, label=None, description=None, required_message=None):
        checks = [*_required(spec, label, required_message), DateWindow(spec.date_window)]
        return DayField(validators=checks, **field_kwargs(spec, label, description))

    def read(self, spec, field):
        return field.data.isoformat() if isinstance(field.data, date) else None

    def display(self, spec, value):
        return format_day(value)

    def sample(self, spec, today=None):
        return (today or date.today()).isoformat()


class BooleanKind(_Kind):
    """A checkbox; unticked is ``False`` and stored (it is an answer). ``const: true`` must be ticked.
    Only what a browser sends for a ticked box ticks it (:class:`portal.forms.bounds.CheckboxField`)."""

    def field(self, spec, *, label=None, description=None, required_message=None):
        checks = [validators.DataRequired(message=required_message or gettext("Vink dit aan om verder te gaan."))
                  ] if spec.must_be_true else []
        return CheckboxField(validators=checks, **field_kwargs(spec, label, description))

    def display(self, spec, value):
        return gettext("Ja") if value else gettext("Nee")  # a value on its own, as the case page shows it

    def sample(self, spec, today=None):
        return spec.must_be_true


def _choice_title(spec: FieldSpec, code: Any) -> str:
    titles = {choice.value: choice.label for choice in spec.choices}
    return gettext(titles.get(str(code), str(code)))


class ChoiceKind(_Kind):
    """One code of a list (``oneOf``/``enum``): a select, or radio buttons with ``x-widget: radio``."""

    def field(self, spec, *, label=None, description=None, required_message=None):
        options = [(choice.value, translated(choice.label)) for choice in spec.choices]
        checks = _required(spec, label, required_message, choose=True)
        if spec.widget == "radio":
            return RadioField(choices=choices(options), validators=checks, **field_kwargs(spec, label, description))
        return SelectField(choices=choices([("", gettext("— Maak een keuze —")), *options]), validators=checks,
                           **field_kwargs(spec, label, description))

    def read(self, spec, field):
        return None if field.data in ("", None) else field.data

    def display(self, spec, value):
        return _choice_title(spec, value)

    def sample(self, spec, today=None):
        return spec.choices[0].value


class _AtMost:
    """At most ``maximum`` different choices (a browser never sends one twice)."""

    def __init__(self, maximum: int):
        self.maximum = maximum

    def __call__(self, form, field) -> None:
        codes = list(field.data or ())
        if len(codes) > self.maximum or len(set(codes)) < len(codes):
            raise validators.ValidationError(gettext("Kies hoogstens %(max)d, elk één keer.", max=self.maximum))


class MultiChoiceKind(_Kind):
    """Several codes of a list (an array of choices) as checkboxes; shown as their titles joined."""

    def field(self, spec, *, label=None, description=None, required_message=None):
        checks = [*_required(spec, label, required_message, choose=True),
                  _AtMost(spec.max_items or len(spec.choices))]
        return CheckboxListField(choices=choices((choice.value, translated(choice.label)) for choice in spec.choices),
                                 validators=checks, **field_kwargs(spec, label, description))

    def read(self, spec, field):
        codes = list(field.data or [])
        return codes if codes or spec.required else None

    def display(self, spec, value):
        return ", ".join(_choice_title(spec, code) for code in value)

    def sample(self, spec, today=None):
        return [spec.choices[0].value]


class SectionKind(_Kind):
    """A group of fields (an object); shown as its answered fields, a list of :class:`Answer`."""

    def field(self, spec, *, label=None, description=None, required_message=None):
        return GroupField(subform(spec.children), optional=not spec.required,
                          label=translated(spec.label) if label is None else label,
                          description=translated(spec.help) if description is None else description)

    def read(self, spec, field):
        values = read_fields(spec.children, field.form)
        if not spec.required and any(child.name not in values for child in spec.children if child.required):
            return None  # left blank (GroupField did not check it): unticked boxes alone are no answer
        return values if values or spec.required else None

    def display(self, spec, value):
        return display_answers(spec.children, value)

    def sample(self, spec, today=None):
        return sample_answers(spec.children, today)


class RowsKind(_Kind):
    """Repeating rows (an array of objects); a row left blank is no row. Shown as a list of rows of
    :class:`Answer`."""

    def field(self, spec, *, label=None, description=None, required_message=None):
        most = spec.max_items or DEFAULT_MAX_ROWS
        # RowsField skips blank rows the array can do without; MaxRows refuses too many (not cut off).
        return RowsField(GroupField(subform(spec.children)), row_label=translated(spec.row_label or spec.label),
                         min_rows=spec.min_items, max_rows=most, fixed=spec.fixed_rows, validators=[MaxRows(most)],
                         label=translated(spec.label) if label is None else label,
                         description=translated(spec.help) if description is None else description)

    def read(self, spec, field):
        rows = [read_fields(spec.children, entry.form) for entry in field.entries if not left_blank(entry.form)]
        rows = [row for row in rows if row]
        return rows if rows or spec.required else None

    def display(self, spec, value):
        return [display_answers(spec.children, row) for row in value]

    def sample(self, spec, today=None):
        return [sample_answers(spec.children, today)]


#: Field kind → the object that knows it; every kind of portal.engine.forms.FIELD_KINDS (tests/forms checks).
KINDS: dict[str, FieldKind] = {
    "text": TextKind(StringField),
    "textarea": TextKind(TextAreaField),
    "date": DateKind(),
    "integer": NumberKind(IntegerField, int),
    "number": NumberKind(FloatField, float),
    "boolean": BooleanKind(),
    "choice": ChoiceKind(),
    "multichoice": MultiChoiceKind(),
    "section": SectionKind(),
    "rows": RowsKind(),
}


def build_field(spec: FieldSpec, **overrides: Any) -> UnboundField:
    """The WTForms field for ``spec`` (``overrides``: label, description, required_message; see
    :meth:`FieldKind.field`); a ``readOnly`` one is shown as text and posted back in a hidden input."""
    if spec.read_only:
        return ReadOnlyField(spec, **field_kwargs(spec, overrides.get("label"), overrides.get("description")))
    return KINDS[spec.kind].field(spec, **overrides)


def subform(specs: tuple[FieldSpec, ...]) -> type[Form]:
    """A plain (CSRF-less) form class for the fields of a section or row."""
    return type("SectionForm", (PortalSubform,), {spec.name: build_field(spec) for spec in specs})


def read_fields(specs: tuple[FieldSpec, ...] | list[FieldSpec], form: Form) -> dict[str, Any]:
    """The fields of the validated ``form`` named by ``specs`` as task data; empty optional ones left out."""
    values = {spec.name: (form[spec.name].data if spec.read_only else KINDS[spec.kind].read(spec, form[spec.name]))
              for spec in specs}
    values = {name: None if value == "" else value for name, value in values.items()}
    return {name: value for name, value in values.items() if value is not None}


def display_value(spec: FieldSpec, value: Any) -> Any:
    """A stored value as its reader sees it, in the current locale: a choice code as its title, a boolean
    as ja/nee, a date formatted, several choices as their titles joined with commas, free text and numbers
    as stored; a section as a list of :class:`Answer`, rows as a list of such lists (unanswered fields
    left out)."""
    return KINDS[spec.kind].display(spec, value)


def is_blank(value: Any) -> bool:
    """Nothing was answered (``False`` and ``0`` are answers)."""
    return value is None or (isinstance(value, str | list | dict) and not value)


def display_answers(specs: tuple[FieldSpec, ...], values: dict[str, Any]) -> list[Answer]:
    """The answered fields among ``specs``, each as its translated label and displayed value."""
    return [Answer(gettext(spec.label), display_value(spec, values[spec.name]))
            for spec in specs if not is_blank(values.get(spec.name))]


def sample_value(spec: FieldSpec, today: date | None = None) -> Any:
    """A valid value for a field (sections and rows: their required fields); dates are ``today``."""
    return KINDS[spec.kind].sample(spec, today)


def sample_answers(specs: tuple[FieldSpec, ...], today: date | None = None) -> dict[str, Any]:
    """Sample values for the required fields among ``specs``."""
    return {spec.name: sample_value(spec, today) for spec in specs if spec.required}
