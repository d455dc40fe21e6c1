"""The filters of the audit trail and of the unusual-access report (GET forms: no CSRF, they change nothing)."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from portal.audit.trail import ACTIONS
from portal.forms import LongSelectField, PortalForm, choices
from portal.forms.dates import DayField


class _Period:
    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("De einddatum ligt voor de begindatum."))


class AuditFilterForm(_Period, PortalForm):
    class Meta:
        csrf = False

    #: Only for a regional beheerder or fg (portal.admin.scope); a code outside the scope answers 404.
    gemeente = SelectField(_l("Gemeente"), [Optional()], choices=[])
    user = LongSelectField(_l("Medewerker"), [Optional()], choices=[])
    action = SelectField(_l("Handeling"), [Optional()], choices=[])
    case = StringField(_l("Dossiernummer"), [Optional(), Length(max=32)],
                       description=_l("Bijvoorbeeld 0344-2026-00012."))
    subject = StringField(_l("Onderwerp begint met"), [Optional(), Length(max=120)],
                          description=_l("Bijvoorbeeld plan, case.health of task:intake."))
    purpose = StringField(_l("Doel begint met"), [Optional(), Length(max=120)],
                          description=_l("De pagina of opdracht, bijvoorbeeld casefile.show."))
    since = DayField(_l("Vanaf"), [Optional()])
    until = DayField(_l("Tot en met"), [Optional()])
    sensitive = BooleanField(_l("Alleen inzage in bijzondere persoonsgegevens"))

    def set_choices(self, staff: list[tuple[int, str]], municipalities: list[tuple[str, str]]) -> None:
        self.gemeente.choices = choices(municipalities)
        self.user.choices = choices([("", _l("Iedereen")), *((str(uid), name) for uid, name in staff)])
        labels = {"read": _l("Gelezen"), "write": _l("Gewijzigd"), "login": _l("Inloggen"),
                  "logout": _l("Uitloggen")}
        self.action.choices = choices([("", _l("Alle handelingen")), *((a, labels[a]) for a in ACTIONS)])


class UnusualAccessForm(_Period, PortalForm):
    class Meta:
        csrf = False

    gemeente = SelectField(_l("Gemeente"), [Optional()], choices=[])
    since = DayField(_l("Vanaf"), [Optional()])
    until = DayField(_l("Tot en met"), [Optional()])

    def check_length(self, max_days: int) -> bool:
        if self.since.data and self.until.data and self.until.data - self.since.data > timedelta(days=max_days):
            self.until.errors = [*self.until.errors, _l("Kies een periode van hoogstens %(days)d dagen.",
                                                        days=max_days)]
            return False
        return True
