"""Forms of the beheerder's account pages."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from portal.forms import LongSelectField, PortalForm

#: An e-mail address as far as a form can tell (one @, a dot in the domain, no spaces).
EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Vul een geldig e-mailadres in."))


class AccountFilterForm(PortalForm):
    """GET search of the account lists (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Zoek op gebruikersnaam of naam"), [Optional(), Length(max=80)])
    #: Only for a regional beheerder (portal.admin.scope); a code outside the scope answers 404 before this.
    gemeente = SelectField(_l("Gemeente"), [Optional()], choices=[])


class NewStaffForm(PortalForm):
    username = StringField(_l("Gebruikersnaam"), [InputRequired(_l("Vul een gebruikersnaam in.")), Length(max=80)],
                           description=_l("Kleine letters, cijfers, punt of streepje, bijvoorbeeld r.devries."),
                           render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"})
    display_name = StringField(_l("Naam"), [InputRequired(_l("Vul de naam in.")), Length(max=160)],
                               render_kw={"autocomplete": "off"})
    email = EmailField(_l("E-mailadres"), [Optional(), EMAIL, Length(max=254)],
                       render_kw={"autocomplete": "off"})
    role = SelectField(_l("Rol"), [InputRequired(_l("Kies een rol."))], choices=[])
    #: Only for a regional beheerder: one of the municipalities they administer.
    gemeente = SelectField(_l("Gemeente"), [InputRequired(_l("Kies de gemeente."))], choices=[])


class ReasonForm(PortalForm):
    """Blocking an account: why (kept in the audit trail)."""

    reden = TextAreaField(_l("Reden"), [InputRequired(_l("Geef de reden.")), Length(max=500)],
                          description=_l("Bijvoorbeeld: uit dienst per 1 januari. De reden komt in het auditlog."))


class ReassignAllForm(PortalForm):
    regisseur = LongSelectField(_l("Nieuwe regisseur"), [InputRequired(_l("Kies de nieuwe regisseur."))], coerce=int,
                                choices=[])
    reden = TextAreaField(_l("Reden"), [InputRequired(_l("Geef de reden van de overdracht.")), Length(max=500)])
