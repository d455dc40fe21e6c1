from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from portal.forms import LongSelectField, PortalForm
from portal.forms.bounds import DateWindow
from portal.forms.dates import DayField
from portal.tasks.worklist import MINE, SORTS, TEAM


class WorklistFilterForm(PortalForm):
    """GET filter of the worklist (no CSRF: it changes nothing). Sort and scope ride along as hidden fields."""

    class Meta:
        csrf = False

    q = StringField(_l("Zoek op naam, dossiernummer of V-nummer"), [Optional(), Length(max=80)])
    step = SelectField(_l("Stap"), [Optional()], choices=[])
    stage = SelectField(_l("Fase"), [Optional()], choices=[])
    regisseur = LongSelectField(_l("Regisseur"), [Optional()], choices=[])
    overdue = BooleanField(_l("Alleen te laat"))
    scope = HiddenField(validators=[Optional(), AnyOf([MINE, TEAM])])
    sort = HiddenField(validators=[Optional(), AnyOf(SORTS)])
    dir = HiddenField(validators=[Optional(), AnyOf(["asc", "desc"])])


def _extension_window(today: date) -> tuple[date, date]:
    return today + timedelta(days=1), today + timedelta(days=366)


class ReassignEscalationForm(PortalForm):
    """On an escalation page beside the task's own form: its fields are prefixed ("reassign-…")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="reassign", **kwargs)

    regisseur = LongSelectField(_l("Nieuwe regisseur"), [InputRequired(_l("Kies de nieuwe regisseur."))], coerce=int,
                                choices=[])
    reden = TextAreaField(_l("Reden van de overdracht"),
                          [InputRequired(_l("Geef de reden van de overdracht.")), Length(max=500)])


class ExtendDeadlineForm(PortalForm):
    """On an escalation page beside the task's own form: its fields are prefixed ("extend-…")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="extend", **kwargs)

    nieuwe_termijn = DayField(_l("Nieuwe termijn (uiterlijk op)"),
                              [InputRequired(_l("Vul de nieuwe termijn in.")), DateWindow(_extension_window)],
                              description=_l("De open stappen krijgen deze datum als nieuwe termijn."))
    reden = TextAreaField(_l("Reden van het uitstel"),
                          [InputRequired(_l("Geef de reden van het uitstel.")), Length(max=1000)])

