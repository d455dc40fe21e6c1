"""Staff forms about a newcomer's account (staff texts: Dutch and English only, see babel-newcomer.cfg)."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.forms import PortalForm, choices


class ResetRequestForm(PortalForm):
    reason = TextAreaField(_l("Waarom is een nieuwe code nodig?"), [
        InputRequired(_l("Schrijf waarom de inburgeraar een nieuwe code nodig heeft.")),
        Length(max=500, message=_l("Gebruik hoogstens 500 tekens."))],
        description=_l("Bijvoorbeeld: wachtwoord kwijt, gemeld aan de balie op 2 december. De teamleider leest dit "
                       "voordat hij of zij akkoord geeft."))


class ResetDecisionForm(PortalForm):
    decision = RadioField(_l("Besluit"), [InputRequired(_l("Kies of je akkoord gaat."))], choices=[])
    note = TextAreaField(_l("Toelichting"), [Length(max=500, message=_l("Gebruik hoogstens 500 tekens."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = choices([("approve", _l("Akkoord: de aanvrager mag een nieuwe code maken")),
                                         ("reject", _l("Niet akkoord"))])


#: What the staff pages say after an action (kept here, with the other staff texts).
REQUEST_SENT = _l("Aanvraag verstuurd. Een teamleider beoordeelt hem; daarna kun je de brief maken.")
APPROVED = _l("Akkoord gegeven. De aanvrager kan nu de brief met de nieuwe code maken.")
REJECTED = _l("Niet akkoord gegeven. Er komt geen nieuwe code.")
