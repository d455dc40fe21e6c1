"""The designer's forms: choosing two sources to compare (a GET form, no CSRF: it changes nothing); drafts:
starting one, uploading a file or a zip into it, discarding it."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Regexp

from portal.forms import PortalForm


class DiffForm(PortalForm):
    class Meta:
        csrf = False

    van = SelectField(_l("Van"), [InputRequired()], choices=[])
    naar = SelectField(_l("Naar"), [InputRequired()], choices=[])


class NewDraftForm(PortalForm):
    naam = StringField(_l("Naam van het concept"), [InputRequired(_l("Geef het concept een naam.")),
                                                    Length(max=120, message=_l("Hoogstens 120 tekens."))],
                       description=_l("Bijvoorbeeld: Termijn ondertekening naar 3 weken."))
    basis = SelectField(_l("Begin bij"), [InputRequired()], choices=[],
                        description=_l("Het concept begint als kopie van deze versie."))


class _RevisionForm(PortalForm):
    #: The revision the designer's page showed; a change on an older one is a conflict.
    revisie = HiddenField(validators=[InputRequired(), Regexp(r"^\d{1,9}$")])


class UploadFileForm(_RevisionForm):
    bestand = FileField(_l("BPMN- of formulierbestand"), [FileRequired(_l("Kies een .bpmn- of .json-bestand."))],
                        description=_l("Een .bpmn-bestand komt in bpmn/, een .json-bestand in forms/. Een bestand "
                                       "met dezelfde naam wordt vervangen."),
                        render_kw={"accept": ".bpmn,.json,application/json,application/xml,text/xml"})


class ImportZipForm(_RevisionForm):
    archief = FileField(_l("Zip-bestand van workflows/"), [FileRequired(_l("Kies een zip-bestand."))],
                        description=_l("Met bpmn/*.bpmn en forms/*.json (eventueel in een map workflows/). Alle "
                                       "bestanden van het concept worden vervangen door die in de zip."),
                        render_kw={"accept": ".zip,application/zip"})


class DiscardForm(PortalForm):
    bevestig = BooleanField(_l("Ja, gooi dit concept weg"),
                            [InputRequired(_l("Vink aan dat je het concept wilt weggooien."))])
