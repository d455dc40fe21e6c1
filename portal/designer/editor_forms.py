"""The form editor's WTForms: the JSON text, the list of fields over it, and the label-status filter."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from portal.designer.form_check import MAX_SOURCE_CHARS
from portal.designer.form_editor import FieldRow, Structure
from portal.forms import PortalForm, PortalSubform, choices

KIND_LABELS = (
    ("text", _l("Tekst (één regel)")), ("textarea", _l("Tekst (meer regels)")), ("date", _l("Datum")),
    ("integer", _l("Geheel getal")), ("number", _l("Getal")), ("boolean", _l("Vinkje (ja/nee)")),
    ("choice", _l("Keuzelijst")), ("radio", _l("Keuzerondjes")), ("multichoice", _l("Meerdere keuzes")),
    ("section", _l("Groep van velden")), ("rows", _l("Herhalende rijen")), ("other", _l("Anders (bewerk de JSON)")),
)


def _lines(value):
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class FieldRowForm(PortalSubform):
    naam = StringField(_l("Naam in de taakgegevens"), [InputRequired(message=_l("Geef het veld een naam.")),
                                                        Length(max=64)])
    titel = StringField(_l("Label"), [Optional(), Length(max=500)])
    soort = SelectField(_l("Soort veld"), choices=[])
    verplicht = BooleanField(_l("Verplicht"))
    opties = TextAreaField(_l("Keuzes"), [Optional(), Length(max=20_000)], filters=[_lines],
                           description=_l("Eén keuze per regel: waarde = label, bijvoorbeeld: ja = Ja"))
    uitleg = TextAreaField(_l("Uitleg bij het veld"), [Optional(), Length(max=5000)], filters=[_lines])
    hulp = TextAreaField(_l("Extra hulp (x-help)"), [Optional(), Length(max=5000)], filters=[_lines])
    oorspronkelijk = HiddenField()
    ouder = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.soort.choices = choices((value, str(label)) for value, label in KIND_LABELS)


class FormEditorForm(PortalForm):
    titel = StringField(_l("Titel van het formulier"), [Optional(), Length(max=500)])
    uitleg = TextAreaField(_l("Uitleg boven het formulier"), [Optional(), Length(max=5000)], filters=[_lines])
    velden = FieldList(FormField(FieldRowForm), max_entries=300)
    bron = TextAreaField(_l("JSON Schema van het formulier"),
                         [InputRequired(message=_l("Het formulier is leeg. Typ of plak het JSON Schema.")),
                          Length(max=MAX_SOURCE_CHARS)], filters=[_lines])
    #: The schema the list was drawn from, as one line of JSON (see form_editor.apply).
    basis = HiddenField()
    revisie = HiddenField()
    #: Which list button was pressed (add, remove-3, up-1 …); buttons, not an input.
    actie = StringField()
    #: "Save over theirs": the revision the designer saw in a conflict message.
    overschrijven = StringField()
    opslaan = SubmitField(_l("Opslaan in het concept"))
    voorbeeld = SubmitField(_l("Voorbeeld tonen"))

    def structure(self) -> Structure:
        rows = tuple(FieldRow(key=(entry.naam.data or "").strip(), title=entry.titel.data or "",
                              kind=entry.soort.data or "text", required=bool(entry.verplicht.data),
                              options=entry.opties.data or "", help=entry.uitleg.data or "",
                              extra_help=entry.hulp.data or "", orig=entry.oorspronkelijk.data or "",
                              parent=entry.ouder.data or "")
                     for entry in (e.form for e in self.velden.entries))
        return Structure(self.titel.data or "", self.uitleg.data or "", rows)

    def show(self, current: Structure) -> None:
        """Fill the list (and the form's texts) from ``current``."""
        self.titel.data, self.uitleg.data = current.title, current.description
        while self.velden.entries:
            self.velden.pop_entry()
        for row in current.rows:
            self.velden.append_entry({"naam": row.key, "titel": row.title, "soort": row.kind,
                                      "verplicht": row.required, "opties": row.options, "uitleg": row.help,
                                      "hulp": row.extra_help, "oorspronkelijk": row.orig, "ouder": row.parent})


class NewFormForm(PortalForm):
    taak = HiddenField(validators=[InputRequired()])
    revisie = HiddenField()


class LabelSourceForm(PortalForm):
    """Which set to check (a GET form, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    bron = SelectField(_l("Versie of concept"), [InputRequired()], choices=[])
