"""Enforcement: a sanction is the last resort (DOMAIN.md §4).

The portal, not the regisseur, decides which step of the ladder applies; a proposal is refused while
support after a signal is still missing, and only a teamleider other than the proposer may approve it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import dates
from portal.audit.services import record
from portal.auth.models import User
from portal.cases.models import Case
from portal.db import local_today, utcnow
from portal.enforcement.models import EnforcementStep
from portal.extensions import db
from portal.i18n import format_day
from portal.plans.models import Plan
from portal.processes.diagram import signal, user_task
from portal.progress.services import actual_support_recorded, debt_help_since, support_given_since_signals
from portal.refusal import Refused
from portal.security import Role
from portal.tasks.models import HumanTask
from portal.tasks.workflow import signal_case

INTAKE_FINE_EURO = 250  # Wi2021 art. 22, fixed fine; lower only with a reason (Awb 5:46(3))
PIP_FINE_MAX_EURO = 800  # Wi2021 art. 23: at most €800 (DOMAIN.md §4.1, Schulinck "samenloop")
INTAKE_LADDER = (EnforcementStep.WARNING, EnforcementStep.FINE, EnforcementStep.FINE)
#: The PIP ladder, like the intake's: a written warning first, then fines that rise with repetition, capped at
#: the law's maximum. The law sets only the maximum (Wi2021 art. 23); the steps below it are this portal's
#: policy for proportionality (Awb art. 5:46 lid 2; a sanction is the "allerlaatste redmiddel", memorie van
#: toelichting via VNG, DOMAIN.md §4). Every fine after the last listed step stays at the maximum.
PIP_FINE_STEPS = (250, 500, PIP_FINE_MAX_EURO)
#: No fine while the newcomer is in debt counselling, nor within this many months after a debt-help referral
#: (DOMAIN.md §4: fines cause financial stress; Awb art. 5:46 lid 3, ability to pay).
DEBT_HELP_QUIET_MONTHS = 6
#: handhaving_voorstel.json, section ``draagkracht``: the ability-to-pay check before any fine.
DEBTS_NONE, DEBTS, DEBT_COUNSELLING = "geen", "schulden", "schuldhulp"
INCOME_LOW = ("bijstandsniveau", "lager")


class EnforcementRefused(Refused):
    """The ladder, the amount, support-first or four-eyes does not allow this proposal or decision."""


def track_of(case: Case) -> str:
    """Before the first PIP is decided, non-cooperation falls under the intake (art. 22); after, the PIP (art. 23)."""
    decided = db.session.scalar(select(Plan.pip_date).where(Plan.case_id == case.id))
    return EnforcementStep.PIP if decided else EnforcementStep.INTAKE


def steps(case: Case) -> list[EnforcementStep]:
    return list(db.session.scalars(select(EnforcementStep).where(EnforcementStep.case_id == case.id)
                                   .order_by(EnforcementStep.id)))


def _approved_count(case: Case, track: str) -> int:
    return db.session.scalar(select(func.count(EnforcementStep.id)).where(
        EnforcementStep.case_id == case.id, EnforcementStep.track == track,
        EnforcementStep.status == EnforcementStep.APPROVED)) or 0


def propose(case: Case, task: HumanTask, data: dict[str, Any], user: User) -> EnforcementStep:
    """Record the regisseur's proposal after checking the ladder, the amount and support-first.

    "Geen sanctie" is always an outcome (DOMAIN.md §4: a sanction is the last resort), whatever the
    ladder or the support says: see :func:`decline`.
    """
    if data.get("maatregel") == EnforcementStep.NO_SANCTION:
        return decline(case, task, data, user)
    if not support_given_since_signals(case):
        # Support before sanction (DOMAIN.md §4, §4.4): only an actual action with its outcome counts.
        raise EnforcementRefused(_("Er is een signaal op een ander leefgebied zonder daadwerkelijke ondersteuning "
                                   "met een vastgelegde uitkomst; 'geen ondersteuning nodig' telt niet. "
                                   "Regel eerst ondersteuning; een sanctie komt pas daarna."))
    track = track_of(case)
    if track == EnforcementStep.PIP and not actual_support_recorded(case):
        # PIP: a sanction only after support recorded as an actual action with its outcome (DOMAIN.md §4.4).
        raise EnforcementRefused(_("Er is nog geen ondersteuning vastgelegd als daadwerkelijke actie met een "
                                   "uitkomst (stap 'Signaal opvolgen: eerst ondersteuning'). Regel eerst "
                                   "ondersteuning; een sanctie komt pas daarna."))
    if open_proposal(case) is not None:
        raise EnforcementRefused(_("Er ligt al een handhavingsvoorstel bij de teamleider; wacht dat besluit af."))
    rung = _approved_count(case, track) + 1
    measure = data["maatregel"]
    mitigation = (data.get("matiging") or "").strip() or None
    _check_measure(track, rung, measure)  # the ladder's step first, then the ability to pay, then the amount
    if measure == EnforcementStep.FINE:
        refusal = ability_to_pay_refusal(case, data.get("draagkracht") or {})
        if refusal:
            raise EnforcementRefused(refusal)
    amount = _checked_amount(track, rung, measure, int(data.get("bedrag") or 0), mitigation,
                             limited_means=limited_means(data.get("draagkracht") or {}))
    step = EnforcementStep(case_id=case.id, track=track, rung=rung, measure=measure, amount_euro=amount,
                           culpability=data["verwijtbaarheid"], support_offered=data["ondersteuning"],
                           mitigation=mitigation, proposal_task_id=task.id, proposed_by_id=user.id)
    db.session.add(step)
    db.session.flush()
    record("write", "enforcement:proposal", "enforcement.propose", case_id=case.id, user_id=user.id,
           detail={"track": track, "rung": rung, "measure": measure, "amount": amount})
    return step


def decline(case: Case, task: HumanTask, data: dict[str, Any], user: User) -> EnforcementStep:
    """The regisseur proposes no sanction: recorded with its reason and closed at once.

    Never refused for the ladder or support-first, so the proposal step can always be completed (an
    exhausted intake ladder left it stuck before). It needs no teamleider: no one is sanctioned. It
    does not climb the ladder (only approved steps count).

    :raises EnforcementRefused: no reason given.
    """
    reason = (data.get("reden_geen_sanctie") or "").strip()
    if len(reason) < 10:
        raise EnforcementRefused(_("Geef de reden om geen sanctie op te leggen."))
    track = track_of(case)
    step = EnforcementStep(case_id=case.id, track=track, rung=_approved_count(case, track) + 1,
                           measure=EnforcementStep.NO_SANCTION, amount_euro=0, culpability=data["verwijtbaarheid"],
                           support_offered=data["ondersteuning"], status=EnforcementStep.NOT_SANCTIONED,
                           proposal_task_id=task.id, proposed_by_id=user.id, decided_by_id=user.id,
                           decided_at=utcnow(), decision_note=reason)
    db.session.add(step)
    db.session.flush()
    record("write", "enforcement:no_sanction", "enforcement.decline", case_id=case.id, user_id=user.id,
           detail={"track": track, "step": step.id})
    return step


def pip_step(rung: int) -> tuple[str, int]:
    """The PIP ladder's step ``rung`` (1-based): the measure and its standard amount (0 for the warning)."""
    if rung <= 1:
        return EnforcementStep.WARNING, 0
    return EnforcementStep.FINE, min(PIP_FINE_STEPS[min(rung - 2, len(PIP_FINE_STEPS) - 1)], PIP_FINE_MAX_EURO)


def limited_means(means: dict[str, Any]) -> bool:
    """Debts or an income at or below the social-assistance level: the fine must be moderated (Awb 5:46 lid 3)."""
    return means.get("schulden") == DEBTS or means.get("inkomen") in INCOME_LOW


def ability_to_pay_refusal(case: Case, means: dict[str, Any], today: date | None = None) -> str | None:
    """Before any fine the regisseur records the ability to pay (debts, income); no fine during debt
    counselling nor within :data:`DEBT_HELP_QUIET_MONTHS` after a debt-help referral was recorded.

    Sources: Awb art. 5:46 lid 3 (moderation for low ability to pay, DOMAIN.md §4.1); DOMAIN.md §4 (fines
    cause financial stress, a sanction is the last resort).
    """
    if not means.get("schulden") or not means.get("inkomen"):
        return _("Beoordeel eerst de draagkracht (schulden en inkomen) voordat je een boete voorstelt.")
    if means["schulden"] == DEBT_COUNSELLING:
        return _("Tijdens schuldhulpverlening legt de gemeente geen boete op. Kies een waarschuwing of geen "
                 "sanctie, met de reden.")
    today = today or local_today()
    referral = debt_help_since(case, dates.add_months(today, -DEBT_HELP_QUIET_MONTHS))
    if referral is not None:
        return _("Op %(day)s is de inburgeraar naar schuldhulp verwezen; binnen %(months)d maanden daarna volgt "
                 "geen boete. Kies een waarschuwing of geen sanctie, met de reden.",
                 day=format_day(referral), months=DEBT_HELP_QUIET_MONTHS)
    return None


def _check_measure(track: str, rung: int, measure: str) -> None:
    """The measure the ladder's step ``rung`` prescribes (intake: warning, fine, fine; PIP: :func:`pip_step`)."""
    if track == EnforcementStep.INTAKE:
        if rung > len(INTAKE_LADDER):
            raise EnforcementRefused(_("De ladder voor de brede intake is doorlopen (waarschuwing en twee boetes). "
                                       "Kies geen sanctie, met de reden, en stel het PIP vast zonder inbreng "
                                       "van de inburgeraar."))
        expected = INTAKE_LADDER[rung - 1]
        if measure != expected:
            raise EnforcementRefused(_("Stap %(rung)d van de ladder is: %(measure)s.", rung=rung,
                                       measure=_("schriftelijke waarschuwing") if expected == EnforcementStep.WARNING
                                       else _("boete van € 250")))
    elif track == EnforcementStep.PIP:
        expected, standard = pip_step(rung)
        if measure != expected:
            raise EnforcementRefused(
                _("Stap 1 van de ladder voor het PIP is een schriftelijke waarschuwing.") if rung == 1 else
                _("Stap %(rung)d van de ladder voor het PIP is een boete van ten hoogste € %(amount)d.",
                  rung=rung, amount=standard))


def _checked_amount(track: str, rung: int, measure: str, amount: int, mitigation: str | None,
                    limited_means: bool = False) -> int:
    """The amount the step may carry: the intake ladder's fixed steps, the PIP ladder's rising steps."""
    _check_measure(track, rung, measure)
    standard = pip_step(rung)[1] if track == EnforcementStep.PIP else INTAKE_FINE_EURO
    if measure == EnforcementStep.WARNING:
        return 0
    amount = amount or standard
    if amount > standard:
        if track == EnforcementStep.PIP:
            raise EnforcementRefused(_("Stap %(rung)d van de ladder voor het PIP is een boete van ten hoogste "
                                       "€ %(amount)d (de wet: ten hoogste € 800).", rung=rung, amount=standard))
        raise EnforcementRefused(_("De boete voor de brede intake is € 250."))
    if limited_means and amount == standard:
        raise EnforcementRefused(_("Bij schulden of een inkomen op of onder bijstandsniveau wordt de boete "
                                   "gematigd: kies een lager bedrag en geef de reden voor matiging."))
    if amount < standard and not mitigation:
        raise EnforcementRefused(_("Geef bij een lager bedrag de reden voor matiging."))
    return amount


def open_proposal(case: Case) -> EnforcementStep | None:
    """The proposal waiting for the teamleider (there is at most one)."""
    return db.session.scalar(select(EnforcementStep).where(
        EnforcementStep.case_id == case.id, EnforcementStep.status == EnforcementStep.PROPOSED).limit(1))


def decide(case: Case, data: dict[str, Any], user: User) -> EnforcementStep:
    """The teamleider approves or rejects the open proposal (never their own)."""
    step = open_proposal(case)
    if step is None:
        raise EnforcementRefused(_("Er is geen handhavingsvoorstel om te beoordelen."))
    if step.proposed_by_id == user.id:
        raise EnforcementRefused(_("Je kunt je eigen voorstel niet beoordelen."))
    approved = data["besluit"] == "goedgekeurd"
    step.status = EnforcementStep.APPROVED if approved else EnforcementStep.REJECTED
    step.decided_by_id, step.decided_at, step.decision_note = user.id, utcnow(), data.get("toelichting")
    db.session.flush()
    record("write", "enforcement:decision", "enforcement.decide", case_id=case.id, user_id=user.id,
           detail={"step": step.id, "status": step.status})
    return step


NO_SHOW_SIGNAL = signal("niet_verschenen", __name__)
NO_SHOW_TASK = user_task("niet_verschenen_vastleggen", __name__)


def may_report_no_show(case: Case, user: User) -> bool:
    """The case's regisseur may report a no-show while the case is in the intake (no PIP decided yet)."""
    return (user.role == Role.REGISSEUR.value and case.regisseur_id == user.id and case.closed_at is None
            and track_of(case) == EnforcementStep.INTAKE)


def report_no_show(case: Case, user: User) -> HumanTask:
    """The newcomer did not come to an intake appointment: open the regisseur's step to record why.

    :raises EnforcementRefused: not the case's own regisseur, or the first PIP is decided (non-cooperation is
        then a progress meeting's matter).
    :raises NotListening: the case's process takes no such report (an older process version, or it ended).
    """
    if case.regisseur_id != user.id:
        raise EnforcementRefused(_("Alleen de eigen regisseur van deze inburgeraar kan niet verschijnen melden."))
    if track_of(case) != EnforcementStep.INTAKE:
        raise EnforcementRefused(_("Niet verschijnen kan alleen tijdens de brede intake worden gemeld; "
                                   "leg daarna niet meewerken vast in het voortgangsgesprek."))
    return signal_case(case, NO_SHOW_SIGNAL, NO_SHOW_TASK, actor_id=user.id)
