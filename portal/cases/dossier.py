"""The case page's view of what was recorded: per life domain, and the intake conversations.

Health data (``x-sensitivity``) is masked for roles that may not see it, and every read of it is
audited separately from the read of the case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import format_date, gettext
from sqlalchemy import select

from portal.audit.services import record
from portal.auth.models import User
from portal.cases.domains import LIFE_DOMAINS
from portal.cases.models import Case
from portal.engine import FieldSpec
from portal.extensions import db
from portal.tasks.models import HumanTask
from portal.tasks.services import context_tasks, form_spec_for

#: Fields of a form's ``gesprek`` section that describe the conversation itself (shown as a table).
CONVERSATION_FIELDS = {"datum": "date", "gesproken_taal": "language", "tolk": "interpreter"}


@dataclass
class DossierItem:
    label: str
    value: Any
    step: str
    sensitive: bool = False
    hidden: bool = False
    path: tuple[str, ...] = ()


@dataclass
class DossierDomain:
    key: str
    label: str
    items: list[DossierItem] = field(default_factory=list)


@dataclass
class Conversation:
    step: str
    task_id: int
    date: str = ""
    language: str = ""
    interpreter: str = ""


@dataclass
class Dossier:
    domains: list[DossierDomain]
    conversations: list[Conversation]


def display_value(spec: FieldSpec, value: Any) -> Any:
    labels = {c.value: c.label for c in spec.choices}
    if spec.kind == "choice":
        return gettext(labels.get(str(value), str(value)))
    if spec.kind == "multichoice":
        return ", ".join(gettext(labels.get(str(v), str(v))) for v in value)
    if spec.kind == "boolean":
        return gettext("ja") if value else gettext("nee")
    if spec.kind == "date":
        return format_date(date.fromisoformat(value))
    return value


def completed_tasks(case: Case) -> list[HumanTask]:
    return list(db.session.scalars(
        select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.status == HumanTask.COMPLETED)
        .order_by(HumanTask.completed_at.desc())))


def task_items(task: HumanTask, user: User) -> list[tuple[str, DossierItem]]:
    """(life domain, item) for every answered field of a completed task, masking what the user may not see."""
    spec = form_spec_for(task)
    data = task.submitted_data or {}
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
                label=spec_field.label, value=None if hidden else display_value(spec_field, value), step=task.title,
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


#: Processes whose steps have their own section on the case page (portal.progress.dossier): the
#: progress loop, enforcement and the report branches. Listing them here too would repeat every
#: meeting under the life domains, growing with each one, and audit its health notes twice.
OWN_SECTION_PROCESSES = frozenset({"voortgang", "handhaving", "inburgering"})


def dossier(case: Case, user: User) -> Dossier:
    """What the intake and plan steps recorded: per life domain, plus one row per conversation."""
    domains = {key: DossierDomain(key, str(label)) for key, label in LIFE_DOMAINS.items()}
    conversations = []
    for task in completed_tasks(case):
        if task.process_id in OWN_SECTION_PROCESSES:
            continue
        conversation = Conversation(step=task.title, task_id=task.id)
        for domain, item in task_items(task, user):
            if len(item.path) == 2 and item.path[0] == "gesprek" and item.path[1] in CONVERSATION_FIELDS:
                setattr(conversation, CONVERSATION_FIELDS[item.path[1]], item.value)
            else:
                domains.get(domain, domains["overig"]).items.append(item)
        if conversation.date:
            conversations.append(conversation)
    shown = [d for d in domains.values() if d.items]
    audit_sensitive_read(case, user, [item for d in shown for item in d.items], "cases.show")
    return Dossier(domains=shown, conversations=conversations)
