"""What a completed step recorded, as a reader may see it: health data masked, its reads audited.

Used by the task pages (a done step, the earlier steps a form shows alongside) and by the rooms
above that show answers on the case page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portal.audit.services import record
from portal.auth.models import User
from portal.cases.models import Case
from portal.engine import FormSpec
from portal.forms import display_value
from portal.tasks.models import HumanTask
from portal.tasks.workflow import context_tasks, form_spec_for


@dataclass
class DossierItem:
    label: str
    value: Any
    step: str
    sensitive: bool = False
    hidden: bool = False
    path: tuple[str, ...] = ()


def task_items(task: HumanTask, user: User) -> list[tuple[str, DossierItem]]:
    """(life domain, item) for every answered field of a completed task, masking what the user may not see."""
    return answered_items(form_spec_for(task), task.submitted_data or {}, user, task.title)


def answered_items(spec: FormSpec, data: dict[str, Any], user: User, step: str,
                   shown: Callable[[Any, Any], Any] = display_value) -> list[tuple[str, DossierItem]]:
    """(life domain, item) for every answered field of ``data`` (rows left out), masked for ``user``;
    ``shown`` turns a stored value into what the page shows."""
    items = []
    for top in spec.fields:
        if top.kind == "section":
            entries = [((top.name, c.name), c, (data.get(top.name) or {}).get(c.name), c.domain or top.domain)
                       for c in top.children]
        else:
            entries = [((top.name,), top, data.get(top.name), top.domain)]
        for path, spec_field, value, domain in entries:
            if value in (None, "", []) or spec_field.kind == "rows":
                continue
            hidden = spec_field.sensitive and not user.may_see_sensitive
            items.append((domain or "overig", DossierItem(
                label=spec_field.label, value=None if hidden else shown(spec_field, value), step=step,
                sensitive=spec_field.sensitive, hidden=hidden, path=path)))
    return items


def audit_sensitive_read(case: Case, user: User, items: list[DossierItem], purpose: str) -> None:
    if any(item.sensitive and not item.hidden for item in items):
        record("read", "case.health", purpose, case_id=case.id, user_id=user.id)


def recorded_answers(task: HumanTask, user: User) -> list[DossierItem]:
    """What one completed step recorded, as the user may see it (health reads audited)."""
    items = [item for _domain, item in task_items(task, user)]
    audit_sensitive_read(task.case, user, items, "tasks.show")
    return items


def earlier_answers(task: HumanTask, user: User) -> list[tuple[HumanTask, list[DossierItem]]]:
    """The earlier steps a form shows alongside (BPMN ``showSteps``), as the user may see them."""
    shown = [(earlier, [item for _domain, item in task_items(earlier, user)]) for earlier in context_tasks(task)]
    audit_sensitive_read(task.case, user, [item for _task, items in shown for item in items], "tasks.show")
    return shown
