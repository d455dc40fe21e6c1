"""The one date input of the portal (GOV.UK-like): a text box for ``dd-mm-jjjj``.

Not ``<input type="date">``: a browser shows that in its own language's order (an English Chromium
asks for mm/dd/yyyy) and its picker is hard to use with a keyboard or a screen reader. Instead every
date is typed as day, month and year, with a visible example ("Bijvoorbeeld 27-03-2026"), a numeric
keyboard on phones and room for ten characters. :func:`portal.dates.parse_day` reads it (also ISO
``jjjj-mm-dd``, so old links and scripts keep working); the field's ``data`` is a ``date`` and what
was typed is shown again exactly as typed when it is wrong.

Used by every WTForms form with a date and by the date kind of the JSON-Schema task forms
(:mod:`portal.forms.kinds`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext
from wtforms import Field
from wtforms.widgets import TextInput

from portal.dates import EXAMPLE_DAY, DayInputError, day_text, parse_day

#: The example of a birth date (a birth date of today would look odd).
EXAMPLE_BIRTH_DAY = date(1990, 3, 27)


def sentence_name(label: str) -> str:
    """A label inside a sentence: "Datum van het gesprek" → "datum van het gesprek"; a first word with
    more capitals ("DigiD", "MAP-eindgesprek", "V-nummer") stays as it is."""
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1].islower() and not any(char.isupper() for char in first[1:]):
        return label[0].lower() + label[1:]
    return label


def _short_name(label: Any) -> str:
    """The label to name in a message, or "" when it does not fit in a sentence (a question, a long one)."""
    name = str(label or "").strip()
    return "" if not name or name.endswith("?") or len(name.split()) > 5 else name


def date_hint(example: date = EXAMPLE_DAY) -> str:
    return gettext("Bijvoorbeeld %(date)s", date=day_text(example))


def date_message(problem: str, label: Any, shown: str = "", example: date = EXAMPLE_DAY) -> str:
    """What is wrong with a typed date, naming the field: "Vul geboortedatum in als dd-mm-jjjj,
    bijvoorbeeld 27-03-1990." / "Geboortedatum bestaat niet: 31-02-2026." / the year in four digits."""
    name, sample = _short_name(label), day_text(example)
    if problem == "impossible":
        if name:
            return gettext("%(label)s bestaat niet: %(date)s.", label=name, date=shown)
        return gettext("Deze datum bestaat niet: %(date)s.", date=shown)
    if problem == "year":
        if name:
            return gettext("Vul het jaar van %(label)s in met vier cijfers, bijvoorbeeld %(example)s.",
                           label=sentence_name(name), example=sample)
        return gettext("Vul het jaar in met vier cijfers, bijvoorbeeld %(example)s.", example=sample)
    if name:
        return gettext("Vul %(label)s in als dd-mm-jjjj, bijvoorbeeld %(example)s.", label=sentence_name(name),
                       example=sample)
    return gettext("Vul de datum in als dd-mm-jjjj, bijvoorbeeld %(example)s.", example=sample)


class DayField(Field):
    """A date typed as ``dd-mm-jjjj`` (see the module docstring).

    :param birth: a birth date: a birth date as the example.
    :param autocomplete: the input's ``autocomplete`` (default ``off``: the dates in the portal, birth
        dates included, are about the newcomer, typed by staff, so a browser's ``bday`` suggestion would be
        the regisseur's own; pass ``bday`` only for a person's own birth date).
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, *, birth: bool = False, autocomplete: str | None = None,
                 **kwargs: Any):
        render_kw = {"inputmode": "numeric", "autocomplete": autocomplete or "off",
                     "spellcheck": "false", "class": "portal-date-input", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.example = EXAMPLE_BIRTH_DAY if birth else EXAMPLE_DAY

    @property
    def date_hint(self) -> str:
        """The visible example below the label (``<id>-example``, in ``aria-describedby``)."""
        return date_hint(self.example)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        text = str(valuelist[0])
        if not text.strip():
            self.raw_data = [""]  # only spaces: no answer (InputRequired does not strip)
            return
        try:
            self.data = parse_day(text)
        except DayInputError as error:
            raise ValueError(date_message(error.problem, self.label.text if self.label else "", error.shown,
                                          self.example)) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])  # exactly as typed, also when it was wrong
        return day_text(self.data) if isinstance(self.data, date) else ""


def shown_for_input(value: Any) -> str:
    """A stored date (ISO text or ``date``) as it is typed into a date field; anything else unchanged."""
    if isinstance(value, date):
        return day_text(value)
    try:
        return day_text(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)
