"""Repeating groups ("add another", GOV.UK): the rows of a JSON-Schema array of objects.

A :class:`RowsField` knows its row label and bounds, so the macro can offer "Nog een … toevoegen" and
"Verwijderen" buttons. They are plain submit buttons (``_add`` = the list's name, ``_remove`` =
the row's name), so they work without JavaScript: the view calls :func:`apply_row_action`, which changes
the bound form by one row and renders it again (nothing validated, nothing saved). ``static/js/portal.js``
does the same in the page when JavaScript runs.

A row left completely blank is no row: it is not checked as long as the other rows reach ``minItems``,
and it is left out of the task data. :func:`data_formdata` turns task data (a task's initial data, see
``portal.tasks.initial``) into the fields a browser would post, so prefilled rows render like typed ones.
"""

from __future__ import annotations

import itertools
from typing import Any

from flask_babel import gettext
from werkzeug.datastructures import MultiDict
from wtforms import Field, FieldList, Form, FormField, StringField, widgets
from wtforms.validators import ValidationError

from portal.engine.forms import FieldSpec
from portal.forms.dates import shown_for_input
from portal.forms.fields import left_blank
from portal.i18n import format_day

ADD, REMOVE = "_add", "_remove"


class RowsField(FieldList):
    """The rows of an array of objects, with what the macro needs for its add and remove buttons."""

    def __init__(self, unbound_field, *, row_label: str, min_rows: int, max_rows: int, fixed: bool = False,
                 **kwargs: Any):
        # One row more than allowed is read, so that too many rows is an error rather than cut off.
        super().__init__(unbound_field, min_entries=max(min_rows, 1), max_entries=max_rows + 1, **kwargs)
        self.row_label, self.min_rows, self.max_rows, self.fixed = row_label, min_rows, max_rows, fixed

    @property
    def can_add(self) -> bool:
        return not self.fixed and len(self.entries) < self.max_rows

    @property
    def can_remove(self) -> bool:
        """A row may go while more than ``minItems`` are left (with none required, the last one is
        emptied: a blank row is shown again)."""
        return not self.fixed and len(self.entries) > max(self.min_rows, 0) and \
            (len(self.entries) > 1 or self.min_rows == 0)

    def filled(self) -> list[Field]:
        return [entry for entry in self.entries if not left_blank(entry.form)]

    def validate(self, form, extra_validators=()):
        """Check each row, except blank ones the array can do without; then the number of rows."""
        self.errors = []
        spare_blank = len(self.filled()) - self.min_rows  # < 0: that many blank rows must be filled in
        for entry in self.entries:
            if left_blank(entry.form) and spare_blank >= 0:
                self.errors.append({})
                continue
            if left_blank(entry.form):
                spare_blank += 1
            entry.validate(form)
            self.errors.append(entry.errors)
        if not any(self.errors):
            self.errors = []
        self._run_validation_chain(form, itertools.chain(self.validators, extra_validators))
        return len(self.errors) == 0


class _HiddenValue(widgets.Input):
    """``<input type="hidden">``, but not a ``HiddenInput``: ``form.hidden_tag()`` leaves it to the macro."""

    input_type = "hidden"
    validation_attrs: list[str] = []


class ReadOnlyField(StringField):
    """A value shown as text and posted back unchanged (``readOnly`` in the schema). ``shown`` is the text
    a reader sees (a choice's title); ``data`` is the value as the schema's type (a number for an integer)."""

    widget = _HiddenValue()

    def __init__(self, spec: FieldSpec, **kwargs: Any):
        super().__init__(**kwargs)
        self.spec = spec

    @property
    def shown(self) -> str:
        if self.data in (None, ""):
            return "—"
        if self.spec.kind == "date":
            try:
                return format_day(self.data)
            except ValueError:
                return str(self.data)
        titles = {choice.value: choice.label for choice in self.spec.choices}
        return gettext(titles[str(self.data)]) if str(self.data) in titles else str(self.data)

    def process_formdata(self, valuelist):
        text = str(valuelist[0]).strip() if valuelist else ""
        self.data = text
        if not text:
            return
        if self.spec.kind in ("integer", "number"):
            try:
                self.data = int(text) if self.spec.kind == "integer" else float(text)
            except ValueError as exc:
                raise ValueError(gettext("Deze waarde is veranderd; laad de pagina opnieuw.")) from exc
        elif self.spec.choices and text not in {choice.value for choice in self.spec.choices}:
            raise ValueError(gettext("Deze waarde is veranderd; laad de pagina opnieuw."))

    def _value(self):
        return "" if self.data is None else str(self.data)

    def pre_validate(self, form):
        if self.spec.required and self.data in (None, ""):
            raise ValidationError(gettext("Vul dit veld in."))


def _fields(form: Form):
    """Every field of ``form``, sections and rows included, depth first."""
    for field in form:
        yield field
        if isinstance(field, FormField):
            yield from _fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield entry
                if isinstance(entry, FormField):
                    yield from _fields(entry.form)


def apply_row_action(form: Form, formdata) -> bool:
    """If the post pressed "add" (``_add`` = a list's name) or "remove" (``_remove`` = a row's name),
    change ``form`` by that row and return True (render it again); else False. A button the list does
    not allow (past ``maxItems``, below ``minItems``, fixed rows) changes nothing."""
    add, remove = formdata.get(ADD), formdata.get(REMOVE)
    if add is None and remove is None:
        return False
    for field in _fields(form):
        if not isinstance(field, RowsField):
            continue
        if add == field.name and field.can_add:
            field.append_entry()
        elif remove is not None and field.can_remove:
            names = [entry.name for entry in field.entries]
            if remove in names:
                field.entries.pop(names.index(remove))
                field._compact_indices()
                while len(field.entries) < field.min_entries:
                    field.append_entry()
    return True


def data_formdata(specs: tuple[FieldSpec, ...], data: dict[str, Any], prefix: str = "") -> MultiDict:
    """Task data as the fields a browser posts (sections ``a-b``, rows ``a-0-b``, a ticked box ``y``, a date
    ``dd-mm-jjjj``)."""
    pairs: list[tuple[str, str]] = []
    for spec in specs:
        value, name = data.get(spec.name), f"{prefix}{spec.name}"
        if value is None:
            continue
        if spec.kind == "section" and isinstance(value, dict):
            pairs.extend(data_formdata(spec.children, value, f"{name}-").items(multi=True))
        elif spec.kind == "rows" and isinstance(value, list):
            for number, row in enumerate(value):
                if isinstance(row, dict):
                    pairs.extend(data_formdata(spec.children, row, f"{name}-{number}-").items(multi=True))
        elif spec.kind == "multichoice" and isinstance(value, list):
            pairs.extend((name, str(item)) for item in value)
        elif spec.kind == "boolean":
            if value is True:
                pairs.append((name, "y"))
        elif spec.kind == "date" and not spec.read_only:
            pairs.append((name, shown_for_input(value)))  # ISO in the data, dd-mm-jjjj in the field
        else:
            pairs.append((name, str(value)))
    return MultiDict(pairs)
