"""Portal actions of the concerns room, and what the zorg_behandelen task page shows about the concern."""

from flask_babel import gettext as _
from flask_babel import ngettext

from portal.cases.services import tell_newcomer
from portal.concerns.services import (
    ESCALATION,
    TASK,
    answer,
    concern_escalated_by,
    concern_for_task,
    days_late,
    has_open_concern,
)
from portal.db import local_today
from portal.i18n import format_day
from portal.processes.actions import ActionContext, Facts, portal_action
from portal.progress.labels import CONCERN_CATEGORIES, label
from portal.progress.services import closing_checks
from portal.tasks.context import TaskPanel, task_context


@portal_action("concern.answer")
def answer_concern(context: ActionContext) -> Facts:
    """zorg_behandelen: the answer goes to the newcomer, who is told there is news."""
    answer(context.task, context.data, context.user)
    tell_newcomer(context.case, actor_id=context.user.id)
    return None


@task_context(TASK)
def concern_panel(task, user) -> TaskPanel | None:
    """zorg_behandelen: the concern the teamleider answers, in the newcomer's own words."""
    concern = concern_for_task(task)
    if concern is None:
        return None
    return TaskPanel(title=_("Gemelde zorg"), rows=(
        (_("Soort"), label(CONCERN_CATEGORIES, concern.category)),
        (_("Wat de inburgeraar schrijft"), concern.text),
        (_("Gemeld op"), format_day(concern.raised_at)),
        (_("Beantwoorden uiterlijk"), format_day(concern.due_at) if concern.due_at else "–"),
    ))


@task_context(ESCALATION)
def overdue_concern_panel(task, user) -> TaskPanel | None:
    """escalatie_zorg_te_laat: which concern was not answered in time, and how late it is."""
    concern = concern_escalated_by(task)
    if concern is None:
        return None
    late = days_late(concern, local_today())
    if concern.answered_at is None:
        status = ngettext("Nog niet beantwoord: %(num)d dag te laat", "Nog niet beantwoord: %(num)d dagen te laat",
                          late)
    else:
        status = ngettext("Beantwoord op %(date)s: %(num)d dag te laat",
                          "Beantwoord op %(date)s: %(num)d dagen te laat", late, date=format_day(concern.answered_at))
    return TaskPanel(title=_("Zorg die niet op tijd is beantwoord"), rows=(
        (_("Soort"), label(CONCERN_CATEGORIES, concern.category)),
        (_("Wat de inburgeraar schrijft"), concern.text),
        (_("Gemeld op"), format_day(concern.raised_at)),
        (_("Beantwoorden uiterlijk"), format_day(concern.due_at) if concern.due_at else "–"),
        (_("Stand"), status),
    ))


@closing_checks.register
def open_concern_blocks_closing(case) -> str | None:
    """The trajectory does not close while the newcomer's concern waits for an answer."""
    if has_open_concern(case):
        return _("Er staat nog een zorg van de inburgeraar open; beantwoord die eerst.")
    return None
