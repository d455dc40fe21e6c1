"""Words for the codes the progress record stores.

A code that a task's form offered (a ladder rung, a MAP status, an MDO outcome …) is shown with that
form's own title for it, read from the case's deployed process version and translated like every form
text (:func:`portal.forms.display_value`). So the form, the record and the catalogs share one
text, and a process designer who renames a choice renames it everywhere. Only what no form offers is
named here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from portal.cases.models import Case
from portal.engine import DeployedProcess, FieldSpec
from portal.forms import display_value
from portal.tasks.workflow import case_runtime

#: Where each coded field of the progress record was chosen: (task, path in its form).
LADDER = ("voortgangsgesprek", "participatie.trede")
FINAL_LADDER = ("eindverslag", "trede")
MAP_STATUS = ("voortgangsgesprek", "map_pvt.map_status")
PVT_STATUS = ("voortgangsgesprek", "map_pvt.pvt_status")
GOAL_STATUS = ("voortgangsgesprek", "doelen.status")
EXAM_PART = ("voortgangsgesprek", "examens.onderdeel")
EXAM_RESULT = ("voortgangsgesprek", "examens.resultaat")
SIGNAL_DOMAINS = ("voortgangsgesprek", "signalen.leefgebieden")
COOPERATION = ("voortgangsgesprek", "medewerking.oordeel")
SUPPORT = ("signaal_opvolgen", "ondersteuning")
CONFERENCE_OUTCOMES = ("mdo", "uitkomst")
EVALUATION_EXTENSION = ("eindevaluatie", "verlenging")
EXTENSION_DECISIONS = ("verlenging_besluit", "besluit")
CONCLUSIONS = ("eindverslag", "conclusie")
ENFORCEMENT_MEASURES = ("handhaving_voorstel", "maatregel")
#: FollowUp.kind → the task whose form records it (its title names the follow-up).
FOLLOW_UP_TASKS = {"ondersteuning": "signaal_opvolgen", "mdo": "mdo", "eindevaluatie": "eindevaluatie",
                   "verlenging": "verlenging_besluit", "afschalen": "afschalen_besluit"}


class Words:
    """The words of one process version's forms, for the codes its tasks stored."""

    def __init__(self, runtime: DeployedProcess):
        self.runtime = runtime
        self._fields: dict[str, dict[str, FieldSpec]] = {}

    def _field(self, task: str, path: str) -> FieldSpec | None:
        fields = self._fields.get(task)
        if fields is None:
            try:
                spec = self.runtime.form_spec(task)
            except KeyError:  # an older process version without this task
                spec = None
            fields = self._fields[task] = {".".join(p): f for p, f in spec.iter_fields()} if spec else {}
        return fields.get(path)

    def __call__(self, where: tuple[str, str], code: Any) -> str:
        """The form's title for ``code`` (a list of codes: joined), or the code itself if the form has none."""
        if code is None or code == "" or code == []:
            return ""
        field = self._field(*where)
        if field is None:
            return ", ".join(map(str, code)) if isinstance(code, list) else str(code)
        if field.kind == "multichoice" and not isinstance(code, list):
            code = [code]  # one code of a multiple choice (e.g. one signal)
        return str(display_value(field, code))

    def task_title(self, task: str) -> str:
        try:
            return gettext(self.runtime.form_spec(task).title)
        except KeyError:
            return task


def words_for(case: Case) -> Words:
    """The words of the forms the case's own process version uses."""
    return Words(case_runtime(case))


# -- codes the portal sets itself (no form offers them) ----------------------------------------------

#: portal.progress.services.assess: the reasons behind a stagnation verdict
STAGNATION_REASONS = {
    "geen_trede_vooruit": _l("Geen trede vooruit over twee gesprekken"),
    "aanwezigheid_onder_norm": _l("Aanwezigheid onder de norm"),
}

#: EnforcementStep.track
ENFORCEMENT_TRACKS = {
    "intake": _l("Brede intake (art. 22 Wi2021)"),
    "pip": _l("PIP (art. 23 Wi2021)"),
}

#: EnforcementStep.status
ENFORCEMENT_STATUS = {
    "voorgesteld": _l("Voorgesteld"),
    "goedgekeurd": _l("Goedgekeurd"),
    "afgewezen": _l("Afgewezen"),
    "geen_sanctie": _l("Geen sanctie"),
}

#: Concern.CATEGORIES as staff read them (the newcomer's own words are in portal.newcomer.forms)
CONCERN_CATEGORIES = {
    "gesprek_afgezegd": _l("Een afspraak of gesprek ging niet door"),
    "geen_school": _l("Nog geen taalschool of cursus"),
    "hulp_nodig": _l("Hulp nodig"),
    "anders": _l("Anders"),
}

#: Concern.status
CONCERN_STATUS = {
    "open": _l("Open"),
    "beantwoord": _l("Beantwoord"),
}


def label(mapping: Mapping[Any, Any], code: Any) -> str:
    """The label for ``code``, or the code itself for a value this mapping does not know (never an error)."""
    if code is None or code == "":
        return ""
    return str(mapping.get(code, code))
