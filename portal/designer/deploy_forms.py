"""Forms for deploying (with four-eyes) and for moving running cases to another version."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from portal.forms import PortalForm, choices


class SourceForm(PortalForm):
    """Which files to check before deploying (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    bron = SelectField(_l("Wat wil je in gebruik nemen?"), [InputRequired(_l("Kies een concept of de werkmap."))],
                       choices=[])


class DeployForm(PortalForm):
    source = HiddenField(validators=[InputRequired(), Length(max=20)])
    #: The files the designer saw (their digest): a change since then is refused, not deployed unseen.
    digest = HiddenField(validators=[InputRequired(), Regexp(r"^[0-9a-f]{64}$")])
    note = TextAreaField(_l("Notitie: wat verandert er en waarom?"),
                         [DataRequired(_l("Schrijf in een notitie wat er verandert en waarom.")),
                          Length(max=500, message=_l("Schrijf hoogstens 500 tekens."))],
                         description=_l("De notitie staat in de lijst met versies en in het auditlog."))


class DecideForm(PortalForm):
    """Approving a deploy request: a button only (CSRF-protected)."""


class RejectForm(PortalForm):
    reason = TextAreaField(_l("Waarom wijs je het verzoek af?"),
                           [DataRequired(_l("Schrijf waarom je het verzoek afwijst.")),
                            Length(max=500, message=_l("Schrijf hoogstens 500 tekens."))])


class FourEyesForm(PortalForm):
    four_eyes = RadioField(_l("Vier-ogen bij in gebruik nemen"), [InputRequired(_l("Kies aan of uit."))],
                           choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.four_eyes.choices = choices([
            ("aan", _l("Aan: een tweede ontwerper of de beheerder keurt elke nieuwe versie goed")),
            ("uit", _l("Uit: een ontwerper neemt een versie zelf in gebruik"))])


class MigrationForm(PortalForm):
    """Start a dry run: which cases (on which version) should move to which version."""

    van = SelectField(_l("Dossiers op versie"), [InputRequired()], choices=[])
    naar = SelectField(_l("Verplaatsen naar versie"), [InputRequired(_l("Kies de versie waarnaar je verplaatst."))],
                       choices=[])


class ConfirmForm(PortalForm):
    """A button only (CSRF-protected): start the migration, or roll it back."""
