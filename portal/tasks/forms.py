from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional

from portal.forms import PortalForm


class WorklistFilterForm(PortalForm):
    """GET filter of the worklist (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Zoek op naam of dossiernummer"), [Optional(), Length(max=80)])
    step = SelectField(_l("Stap"), [Optional()], choices=[])
    overdue = BooleanField(_l("Alleen te laat"))
