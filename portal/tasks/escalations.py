"""Escalations that explain themselves: which rule fired, its deadline, how late, whose case, what to do.

An escalation is a teamleider task that a boundary timer opens when a deadline passes (BPMN: a timer on
the regisseur's step → a user task in the Teamleider lane). The BPMN stays as drawn; this registry,
keyed by the escalation task's BPMN id, says in words what the rule is, which open steps it is about
and which actions fit. The deadline itself is the moment the timer was due, kept on the task when it
opened (``HumanTask.origin_due_at``, from the engine), so it is exact whatever the timer expression.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.auth.models import User
from portal.cases.services import regisseurs_of
from portal.dates import LOCAL_ZONE, days_between, local_date
from portal.extensions import db
from portal.processes.diagram import user_task
from portal.tasks.models import DeadlineExtension, HumanTask

REASSIGN, EXTEND = "reassign", "extend"


@dataclass(frozen=True)
class EscalationRule:
    """One escalation rule, in the words the teamleider reads."""

    bpmn_id: str
    #: The rule that fired, e.g. "PIP niet binnen 10 weken vastgesteld".
    title: object
    #: What the rule checks and why it matters.
    explanation: object
    #: The open steps (BPMN ids) the deadline is about: the ones "extend" moves.
    steps: tuple[str, ...]
    #: The actions that fit besides recording the discussion: reassign, extend.
    actions: tuple[str, ...] = (REASSIGN, EXTEND)
    #: Said next to "extend": a legal deadline that does not move.
    legal_note: object | None = None


def _rule(bpmn_id: str, *args, **kwargs) -> EscalationRule:
    user_task(bpmn_id, __name__)
    for step in args[2]:
        user_task(step, __name__)
    return EscalationRule(bpmn_id, *args, **kwargs)


INTAKE_STEPS = ("intake_leerbaarheid", "intake_opleiding_werk", "intake_persoonlijke_omstandigheden",
                "intake_leefgebieden", "participatieladder_intake", "intake_samenvatting")

RULES: dict[str, EscalationRule] = {rule.bpmn_id: rule for rule in (
    _rule("escalatie_intake_niet_gestart", _l("Brede intake niet gestart"),
          _l("Het kennismakingsgesprek is niet gevoerd binnen de termijn na de koppeling. Een late start is de "
             "meest gemelde fout in de uitvoering: het PIP moet binnen 10 weken zijn vastgesteld."),
          ("kennismakingsgesprek",)),
    _rule("intake_uitloop_bespreken", _l("Brede intake duurt langer dan 8 weken"),
          _l("De gesprekken van de uitgebreide intake lopen al 8 weken. Het PIP moet binnen 10 weken na het "
             "startmoment zijn vastgesteld."),
          INTAKE_STEPS,
          legal_note=_l("De wettelijke PIP-termijn verschuift hierdoor niet.")),
    _rule("escalatie_pip_te_laat", _l("PIP niet binnen 10 weken vastgesteld"),
          _l("Het plan is niet vastgesteld binnen de termijn: het eerste PIP binnen 10 weken (Besluit "
             "inburgering 2021 art. 5.3), een gewijzigd plan binnen de termijn voor planwijzigingen."),
          ("pip_opstellen", "pip_vaststellen"),
          legal_note=_l("De wettelijke PIP-termijn verschuift niet; een nieuwe termijn is een interne afspraak.")),
    _rule("escalatie_ondertekening", _l("PIP ook na herinnering niet ondertekend"),
          _l("De inburgeraar heeft het vastgestelde plan ook na de herinnering niet ondertekend en geen vraag "
             "gesteld. De beschikking geldt ook zonder handtekening; bespreek wat nodig is (tolk, huisbezoek, "
             "uitleg)."),
          ("pip_ondertekenen", "pip_ondertekening_opvolgen")),
    _rule("escalatie_zorg_te_laat", _l("Zorg niet beantwoord"),
          _l("Een zorg van de inburgeraar is niet binnen 10 dagen beantwoord. De gemeente houdt zich ook aan "
             "haar afspraken (wederkerigheid): beantwoord de zorg zo snel mogelijk."),
          ("zorg_behandelen",), actions=()),
    _rule("escalatie_gesprek_te_laat", _l("Voortgangsgesprek te laat"),
          _l("Het voortgangsgesprek is niet gevoerd binnen de termijn na de geplande datum."),
          ("voortgangsgesprek",)),
)}


def rule_for(task: HumanTask) -> EscalationRule | None:
    return RULES.get(task.bpmn_id)


def deadline_of(task: HumanTask) -> date:
    """The day the deadline ended. A timer at 00:00 Dutch time escalates a deadline "uiterlijk op" the day
    before (``after_day``); a timer at another hour (``moment``: 08:00) one on its own day. Tasks opened
    before the moment was kept fall back to when the escalation opened."""
    moment: datetime = task.origin_due_at or task.created_at
    local = moment.astimezone(LOCAL_ZONE)
    day = local.date()
    return day.fromordinal(day.toordinal() - 1) if local.time() == time(0, 0) else day


def days_late(task: HumanTask, today: date) -> int:
    return max(0, days_between(deadline_of(task), today))


@dataclass(frozen=True)
class EscalationFacts:
    rule: EscalationRule
    deadline: date
    days_late: int
    regisseur: User | None
    #: The open steps the rule is about (any role), earliest deadline first.
    open_steps: list[HumanTask]
    extensions: list[DeadlineExtension]

    def offers(self, action: str) -> bool:
        return action in self.rule.actions


def open_steps(task: HumanTask, rule: EscalationRule) -> list[HumanTask]:
    return list(db.session.scalars(
        select(HumanTask).where(HumanTask.case_id == task.case_id, HumanTask.status == HumanTask.OPEN,
                                HumanTask.bpmn_id.in_(rule.steps))
        .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)))


def extensions_of(task: HumanTask) -> list[DeadlineExtension]:
    return list(db.session.scalars(select(DeadlineExtension).where(DeadlineExtension.escalation_task_id == task.id)
                                   .order_by(DeadlineExtension.id)))


def facts_for(task: HumanTask, today: date) -> EscalationFacts | None:
    """What the escalation page says about ``task``; None for a task that is no escalation."""
    rule = rule_for(task)
    if rule is None:
        return None
    case = task.case
    return EscalationFacts(rule=rule, deadline=deadline_of(task), days_late=days_late(task, today),
                           regisseur=case.regisseur, open_steps=open_steps(task, rule),
                           extensions=extensions_of(task))


def local_due_day(moment: datetime | None) -> date | None:
    return local_date(moment) if moment else None


def reassign_candidates(task: HumanTask) -> list[User]:
    """The regisseurs an escalation's case may be handed to: its municipality's, but not the one holding it."""
    return [u for u in regisseurs_of(task.municipality_id) if u.id != task.case.regisseur_id]
