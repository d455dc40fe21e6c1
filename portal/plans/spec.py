"""The form a case's plan is drafted with (read from the process version the case runs on)."""

from __future__ import annotations

from portal.cases.models import Case
from portal.engine import FormSpec
from portal.processes.diagram import user_task
from portal.tasks.workflow import case_runtime

#: The regisseur's step in the PIP process that drafts the plan (its form is the plan's shape).
PLAN_TASK = user_task("pip_opstellen", __name__)


def plan_form(case: Case) -> FormSpec:
    return case_runtime(case).form_spec(PLAN_TASK)
