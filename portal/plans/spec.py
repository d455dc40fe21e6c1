"""The form a case's plan is drafted with (read from the process version the case runs on)."""

from __future__ import annotations

from flask_babel import gettext

from portal.cases.models import Case
from portal.engine import FormSpec
from portal.processes.diagram import user_task
from portal.tasks.workflow import case_runtime

#: The regisseur's step in the PIP process that drafts the plan (its form is the plan's shape).
PLAN_TASK = user_task("pip_opstellen", __name__)


def plan_form(case: Case) -> FormSpec:
    return case_runtime(case).form_spec(PLAN_TASK)


#: DUO's decision on an extension; its ``grond`` choices name the grounds a term decision records.
EXTENSION_TASK = user_task("verlenging_besluit", __name__)


def extension_grounds(case: Case) -> dict[str, str]:
    """Ground code → its title in the current locale (from the form the case's process version has)."""
    try:
        fields = {spec.name: spec for spec in case_runtime(case).form_spec(EXTENSION_TASK).fields}
    except KeyError:
        return {}
    ground = fields.get("grond")
    return {choice.value: gettext(choice.label) for choice in ground.choices} if ground else {}
