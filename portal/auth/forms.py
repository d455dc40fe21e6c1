from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from portal.forms import PortalForm


class LoginForm(PortalForm):
    username = StringField(_l("Gebruikersnaam"), [InputRequired(_l("Vul je gebruikersnaam in.")), Length(max=80)],
                           render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Wachtwoord"), [InputRequired(_l("Vul je wachtwoord in.")), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class LanguageForm(PortalForm):
    language = SelectField(_l("Taal"), [InputRequired()])
    next = HiddenField()



def _code_field(label, hint):
    return StringField(label, [InputRequired(_l("Vul de code in.")), Length(max=20)], description=hint,
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false",
                                  "autocapitalize": "off"})


class CodeForm(PortalForm):
    """The second step of signing in."""

    code = _code_field(_l("Code"), _l("De 6 cijfers uit je authenticator-app, of een van je herstelcodes."))


class PasswordConfirmForm(PortalForm):
    """Signing in again before changing the second factor."""

    password = PasswordField(_l("Je wachtwoord"), [InputRequired(_l("Vul je wachtwoord in.")), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class EnrolForm(PasswordConfirmForm):
    """Confirming the authenticator app with a code (and, when replacing one, the password)."""

    code = _code_field(_l("Code uit de app"), _l("De 6 cijfers die de app nu laat zien."))


def new_password_field() -> PasswordField:
    """A new password: the one rule for staff (password change) and newcomers (activation)."""
    return PasswordField(_l("Nieuw wachtwoord"), [
        InputRequired(_l("Kies een wachtwoord.")),
        Length(min=10, max=200, message=_l("Gebruik minstens 10 tekens."))],
        description=_l("Minstens 10 tekens."), render_kw={"autocomplete": "new-password"})


def repeated_password_field(of: str) -> PasswordField:
    """The new password typed again; must equal the field named ``of``."""
    return PasswordField(_l("Herhaal het wachtwoord"), [
        InputRequired(_l("Herhaal je wachtwoord.")),
        EqualTo(of, message=_l("De twee wachtwoorden zijn niet hetzelfde."))],
        render_kw={"autocomplete": "new-password"})


class PasswordChangeForm(PasswordConfirmForm):
    """A new password after the current one."""

    new_password = new_password_field()
    new_password_again = repeated_password_field("new_password")


class StaffActivationForm(PortalForm):
    """The first password of a staff account, from the beheerder's one-time link."""

    new_password = new_password_field()
    new_password_again = repeated_password_field("new_password")
