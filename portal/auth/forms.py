from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from portal.forms import PortalForm


class LoginForm(PortalForm):
    username = StringField(_l("Gebruikersnaam"), [InputRequired(_l("Vul je gebruikersnaam in.")), Length(max=80)],
                           render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Wachtwoord"), [InputRequired(_l("Vul je wachtwoord in.")), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class LanguageForm(PortalForm):
    language = SelectField(_l("Taal"), [InputRequired()])
    next = HiddenField()
