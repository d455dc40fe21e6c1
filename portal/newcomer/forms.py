from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from portal.forms import PortalForm


class ActivationForm(PortalForm):
    code = StringField(_l("Activeringscode"), [InputRequired(_l("Vul de code van je brief in.")), Length(max=40)],
                       description=_l("De code staat op de brief van de gemeente, bijvoorbeeld ABCD-EFGH-JKLM-NPQR."),
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "characters"})
    language = SelectField(_l("Taal"), [InputRequired()], description=_l("In deze taal zie je je plan."))
    password = PasswordField(_l("Nieuw wachtwoord"), [
        InputRequired(_l("Kies een wachtwoord.")),
        Length(min=10, max=200, message=_l("Gebruik minstens 10 tekens."))],
        description=_l("Minstens 10 tekens."), render_kw={"autocomplete": "new-password"})
    password_again = PasswordField(_l("Herhaal het wachtwoord"), [
        InputRequired(_l("Herhaal je wachtwoord.")),
        EqualTo("password", message=_l("De twee wachtwoorden zijn niet hetzelfde."))],
        render_kw={"autocomplete": "new-password"})


class SignForm(PortalForm):
    version_id = HiddenField()
    consent = BooleanField(_l("Ik heb het plan gelezen en ga ermee akkoord."),
                           [DataRequired(_l("Vink aan dat je het plan hebt gelezen en ermee akkoord gaat."))])
    typed_name = StringField(_l("Je volledige naam"), [InputRequired(_l("Schrijf je volledige naam.")),
                                                        Length(max=200)],
                             description=_l("Zo zet je je handtekening."), render_kw={"autocomplete": "name"})
    password = PasswordField(_l("Je wachtwoord"), [InputRequired(_l("Vul je wachtwoord in."))],
                             description=_l("Ter controle dat jij het bent."),
                             render_kw={"autocomplete": "current-password"})


class QuestionForm(PortalForm):
    version_id = HiddenField()
    message = TextAreaField(_l("Je vraag of waarom je het niet eens bent"),
                            [InputRequired(_l("Schrijf je vraag.")), Length(max=2000)],
                            description=_l("Je regisseur neemt contact met je op. Je plan is dan nog niet "
                                           "ondertekend."))


class VerifyCodeForm(PortalForm):
    class Meta:
        csrf = False

    code = StringField(_l("Controlecode"), [InputRequired(_l("Vul de controlecode in.")), Length(max=20)],
                       description=_l("De code staat onderaan elke pagina van het document."))


class VerifyFileForm(PortalForm):
    document = FileField(_l("PDF-bestand"), [FileRequired(_l("Kies een PDF-bestand."))])
