"""Forms of the cases room: the COA handover (koppeling), reassignment and the case list filter."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    validators,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from portal.dates import add_years
from portal.forms import LongSelectField, PortalForm, PortalSubform
from portal.forms.bounds import DateWindow
from portal.forms.dates import DayField

#: Plausible dates of a COA handover: a birth date from 1900 to today, the handover and the residence
#: permit from ten years ago to a year ahead.
BORN = DateWindow(lambda today: (date(1900, 1, 1), today))
RECENT = DateWindow(lambda today: (add_years(today, -10), add_years(today, 1)))

V_NUMBER = Regexp(r"^\d{10}$", message=_l("Een V-nummer bestaat uit 10 cijfers."))


class KoppelingFields(PortalSubform):
    """The COA handover of one newcomer. Used by the web form and, row by row, by the CSV import."""

    v_nummer = StringField(_l("V-nummer"), [InputRequired(_l("Vul het V-nummer in.")), V_NUMBER],
                           description=_l("Het vreemdelingennummer van 10 cijfers uit het COA-profiel."))
    voornaam = StringField(_l("Voornaam"), [InputRequired(_l("Vul de voornaam in.")), Length(max=120)])
    achternaam = StringField(_l("Achternaam"), [InputRequired(_l("Vul de achternaam in.")), Length(max=120)])
    geboortedatum = DayField(_l("Geboortedatum"), [InputRequired(_l("Vul de geboortedatum in.")), BORN], birth=True)
    land_van_herkomst = StringField(_l("Land van herkomst"), [InputRequired(_l("Vul het land van herkomst in.")),
                                                              Length(max=80)])
    taal = StringField(_l("Voertaal"), [InputRequired(_l("Vul de taal in waarin het gesprek kan.")), Length(max=40)],
                       description=_l("De taal die de nieuwkomer het best spreekt."))
    huishoudgrootte = IntegerField(
        _l("Grootte huishouden"),
        [InputRequired(_l("Vul de grootte van het huishouden in.")), NumberRange(min=1, max=20)],
        default=1,
    )
    azc_locatie = StringField(_l("Azc-locatie"), [Optional(), Length(max=120)])
    coa_contactpersoon = StringField(_l("Contactpersoon COA"), [Optional(), Length(max=160)])
    koppelingsdatum = DayField(_l("Datum koppeling"), [InputRequired(_l("Vul de datum van de koppeling in.")), RECENT])
    vergunningsdatum = DayField(_l("Datum verblijfsvergunning"), [Optional(), RECENT])

    def validate_koppelingsdatum(self, field):
        if field.data and self.vergunningsdatum.data and field.data < self.vergunningsdatum.data:
            raise validators.ValidationError(_l("De koppeling kan niet vóór de verblijfsvergunning liggen."))


class KoppelingForm(PortalForm, KoppelingFields):
    regisseur = LongSelectField(_l("Regisseur"), [InputRequired(_l("Kies de regisseur."))], coerce=int,
                                description=_l("De vaste contactpersoon van de nieuwkomer."))


class ReassignForm(PortalForm):
    regisseur = LongSelectField(_l("Nieuwe regisseur"), [InputRequired(_l("Kies de nieuwe regisseur."))], coerce=int)
    reden = TextAreaField(_l("Reden"), [InputRequired(_l("Geef de reden van de overdracht.")), Length(max=500)])


class CaseFilterForm(PortalForm):
    """GET filter of the case list (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Zoek op naam, V-nummer of dossiernummer"), [Optional(), Length(max=80)])
    stage = SelectField(_l("Fase"), [Optional()], choices=[])
    mine = BooleanField(_l("Alleen mijn dossiers"))


def koppeling_data(form: KoppelingFields):
    """The validated handover as a service-level :class:`KoppelingData` (empty optionals → None)."""
    from portal.cases.services import KoppelingData

    return KoppelingData(**{name: form[name].data if form[name].data != "" else None
                            for name in KoppelingData.__dataclass_fields__})
