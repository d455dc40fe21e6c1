"""The case page's view of what the intake and plan steps recorded: per life domain, and the conversations.

Health data (``x-sensitivity``) is masked for roles that may not see it, and every read of it is
audited separately from the read of the case (:mod:`portal.tasks.answers`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from portal.auth.models import User
from portal.cases.domains import LIFE_DOMAINS
from portal.cases.models import Case
from portal.extensions import db
from portal.processes.diagram import process
from portal.tasks.answers import DossierItem, audit_sensitive_read, task_items
from portal.tasks.models import HumanTask
from portal.tasks.worklist import may_open

#: Fields of a form's ``gesprek`` section that describe the conversation itself (shown as a table).
CONVERSATION_FIELDS = {"datum": "date", "gesproken_taal": "language", "tolk": "interpreter"}


@dataclass
class DossierDomain:
    key: str
    label: str
    items: list[DossierItem] = field(default_factory=list)


@dataclass
class Conversation:
    step: str
    task_id: int
    #: Whether the reader may open the step's page (a teamleider may not open a regisseur's step).
    may_open: bool = True
    date: str = ""
    language: str = ""
    interpreter: str = ""


@dataclass
class Dossier:
    domains: list[DossierDomain]
    conversations: list[Conversation]


def completed_tasks(case: Case) -> list[HumanTask]:
    return list(db.session.scalars(
        select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.status == HumanTask.COMPLETED)
        .order_by(HumanTask.completed_at.desc())))


#: Processes whose steps have their own section on the case page (portal.casefile.progress): the
#: progress loop, enforcement and the report branches. Listing them here too would repeat every
#: meeting under the life domains, growing with each one, and audit its health notes twice.
OWN_SECTION_PROCESSES = frozenset(process(p, __name__) for p in ("voortgang", "handhaving", "inburgering"))


def dossier(case: Case, user: User) -> Dossier:
    """What the intake and plan steps recorded: per life domain, plus one row per conversation."""
    domains = {key: DossierDomain(key, str(label)) for key, label in LIFE_DOMAINS.items()}
    conversations = []
    for task in completed_tasks(case):
        if task.process_id in OWN_SECTION_PROCESSES:
            continue
        conversation = Conversation(step=task.title, task_id=task.id, may_open=may_open(user, task))
        for domain, item in task_items(task, user):
            if len(item.path) == 2 and item.path[0] == "gesprek" and item.path[1] in CONVERSATION_FIELDS:
                setattr(conversation, CONVERSATION_FIELDS[item.path[1]], item.value)
            else:
                domains.get(domain, domains["overig"]).items.append(item)
        if conversation.date:
            conversations.append(conversation)
    shown = [d for d in domains.values() if d.items]
    audit_sensitive_read(case, user, [item for d in shown for item in d.items], "casefile.show")
    return Dossier(domains=shown, conversations=conversations)
