"""The designer's forms: choosing two sources to compare (a GET form, no CSRF: it changes nothing)."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import InputRequired

from portal.forms import PortalForm


class DiffForm(PortalForm):
    class Meta:
        csrf = False

    van = SelectField(_l("Van"), [InputRequired()], choices=[])
    naar = SelectField(_l("Naar"), [InputRequired()], choices=[])
