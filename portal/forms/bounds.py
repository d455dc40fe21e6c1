"""Bounds on everything a user can send: characters, lengths, rows, checkboxes, page numbers.

:class:`portal.forms.PortalForm` applies :class:`NoControlCharacters` to every text field and turns
every ``BooleanField`` into a :class:`CheckboxField`, so no form can forget them. :func:`draft_problems`
checks what a task draft would store (drafts keep invalid input, but never unbounded or unstorable
input). :func:`page_number` is the one reading of ``?page=``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import gettext
from werkzeug.routing import IntegerConverter
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    FormField,
    HiddenField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, ValidationError

from portal.db import local_today
from portal.i18n import format_day

#: Characters refused in every text input: C0 and C1 control characters and DEL (NUL cannot even be
#: stored by PostgreSQL). Line breaks and tabs are allowed in multi-line fields only.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

#: The longest raw value a draft keeps for a field without a length rule of its own (a date, a number,
#: a choice code); text fields have their ``maxLength``.
DRAFT_VALUE_MAX = 200
#: The longest raw value of a multi-line text field without a length rule.
DRAFT_TEXT_MAX = 5000

#: A page number beyond this is read as this (an empty page), never an overflowing SQL OFFSET.
MAX_PAGE = 100_000

#: The largest record id in a URL (a PostgreSQL ``integer``); a larger number is no record: 404.
MAX_RECORD_ID = 2**31 - 1

#: What a browser sends for a ticked box (WTForms' own "y", HTML's default "on", and scripts' true/1),
#: and what counts as unticked; anything else is an error, not "ticked".
CHECKED = frozenset({"y", "yes", "on", "true", "1"})
UNCHECKED = frozenset({"", "n", "no", "off", "false", "0"})


def control_characters(value: str, multiline: bool = False) -> bool:
    """Whether ``value`` holds a character a person cannot type into the field."""
    return bool((_CONTROL_MULTILINE if multiline else _CONTROL).search(value))


def control_message() -> str:
    return gettext("Dit bevat tekens die hier niet kunnen staan (zoals stuurtekens). Typ de tekst opnieuw.")


def rows_message(maximum: int) -> str:
    return gettext("Gebruik hoogstens %(max)d rijen.", max=maximum)


class NoControlCharacters:
    """Refuse control characters (NUL, escape, …); tabs and line breaks only in a multi-line field."""

    field_flags: dict[str, Any] = {}

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form, field: Field) -> None:
        if any(isinstance(value, str) and control_characters(value, self.multiline)
               for value in (field.raw_data or ())):
            raise ValidationError(control_message())


class CheckboxField(BooleanField):
    """A checkbox that is ticked only by what a browser sends for a ticked box (``"False"`` is not)."""

    def process_formdata(self, valuelist):
        value = str(valuelist[0]).strip().lower() if valuelist else ""
        self.data = value in CHECKED
        if value not in CHECKED | UNCHECKED:
            raise ValueError(gettext("Vink dit aan of laat het leeg."))


class MaxRows:
    """At most ``maximum`` rows in a repeating group (the FieldList reads one more, to see the excess)."""

    def __init__(self, maximum: int):
        self.maximum = maximum

    def __call__(self, form, field: FieldList) -> None:
        if len(field.entries) > self.maximum:
            raise ValidationError(rows_message(self.maximum))


class DateWindow:
    """The date lies in ``window(today)`` (first and last date, inclusive), today being the Dutch date."""

    def __init__(self, window: Callable[[date], tuple[date, date]]):
        self.window = window

    def __call__(self, form, field: Field) -> None:
        if not isinstance(field.data, date):
            return
        first, last = self.window(local_today())
        if not first <= field.data <= last:
            raise ValidationError(gettext("Vul een datum in van %(first)s tot en met %(last)s.",
                                          first=format_day(first), last=format_day(last)))


def text_limit(field: Field) -> int:
    """The most characters a field's raw value may have (its own ``Length`` rule, else a default)."""
    limits = [v.max for v in field.validators if isinstance(v, Length) and v.max and v.max > 0]
    if limits:
        return min(limits)
    return DRAFT_TEXT_MAX if isinstance(field, TextAreaField) else DRAFT_VALUE_MAX


def _value_problem(field: Field, value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    if control_characters(value, multiline=isinstance(field, TextAreaField)):
        return control_message()
    if len(value) > (limit := text_limit(field)):
        return gettext("Gebruik hoogstens %(max)d tekens.", max=limit)
    return None


def draft_problems(form) -> bool:
    """Check only the bounds of what a draft stores (characters, lengths, number of rows and choices):
    each field's errors become just its bound problems. Returns whether there were any."""
    found = False
    for field in form:
        if isinstance(field, FormField):
            found = draft_problems(field.form) or found
            continue
        if isinstance(field, FieldList):
            field.errors = []
            rows = [v for v in field.validators if isinstance(v, MaxRows)]
            if rows and len(field.entries) > rows[0].maximum:
                field.errors = [rows_message(rows[0].maximum)]
                found = True
            for entry in field.entries:
                found = draft_problems(entry.form) or found
            continue
        if field.type in ("CSRFTokenField", "SubmitField"):
            continue
        raw = list(field.raw_data or ())
        problems = [problem for value in raw if (problem := _value_problem(field, value))]
        if isinstance(field, SelectMultipleField) and len(raw) > len(field.choices or ()):
            problems.append(gettext("Kies hoogstens %(max)d.", max=len(field.choices or ())))
        field.errors = problems[:1]
        found = found or bool(problems)
    return found


def bound_field(meta_bind, form, unbound_field, options) -> Field:
    """Bind a field as WTForms does, then add the portal's input rules (see the module docstring)."""
    if unbound_field.field_class is BooleanField:
        unbound_field = type(unbound_field)(CheckboxField, *unbound_field.args, name=unbound_field.name,
                                            **unbound_field.kwargs)
    field = meta_bind(form, unbound_field, options)
    if isinstance(field, StringField):  # also TextAreaField, PasswordField, HiddenField
        field.validators = [NoControlCharacters(multiline=isinstance(field, TextAreaField)), *field.validators]
    return field


def record_id(value: Any) -> int | None:
    """A record id as a client sent it (URL or hidden field): a whole number from 1 to :data:`MAX_RECORD_ID`,
    else None. ASCII digits only: ``"²".isdigit()`` is true, but ``int("²")`` fails."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_RECORD_ID else None


class RecordIdField(HiddenField):
    """The id of the record a form is about (the plan version read): a tampered value becomes None,
    which the service refuses with a reason, never an error page."""

    def process_formdata(self, valuelist):
        self.data = record_id(valuelist[0] if valuelist else None)


def page_number(value: Any) -> int:
    """``?page=`` as a page number from 1 to :data:`MAX_PAGE`: missing, negative or not a number is 1."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    return MAX_PAGE if len(text) > 6 else min(max(int(text), 1), MAX_PAGE)


class RecordIdConverter(IntegerConverter):
    """``<int:…>`` in a URL, up to :data:`MAX_RECORD_ID`: ``/cases/99999999999999999999`` is a 404, not an
    integer overflow in the database."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_RECORD_ID)
        super().__init__(map, *args, **kwargs)
