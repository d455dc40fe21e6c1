"""Worklist queries: one row per case with the open steps a user may pick up (SQL only, no workflows).

Two scopes:

- ``mine`` (everyone): the open tasks of the user's role in their municipality, assigned to them or
  to nobody, grouped per case. A regisseur sees their caseload's next steps; a teamleider their
  escalations, concerns and approvals.
- ``team`` (teamleider): every case of the municipality that is not closed, with the open steps of its
  regisseur (read-only for the teamleider), filterable by regisseur — where the workload view links to.

A page costs a fixed number of queries whatever its size: the rows (grouped, sorted and paged in SQL),
their count, the open steps of the page's cases (one ``IN``), and the filter options. A caseload reads its
tasks with their cases once (:class:`OwnList`): its case ids for the page, its filter options without a
query of their own, its count without counting.
The filters read indexed columns: ``human_task (municipality_id, role, status, assignee_id)`` and the
case's ``search_key`` (name, reference and V-number without diacritics, :func:`portal.cases.models.normalise`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, partial
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import and_, case, exists, func, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from portal.auth.models import User
from portal.cases import paging
from portal.cases.models import NO_DEADLINE, Case
from portal.cases.paging import CappedPage, capped_count
from portal.cases.services import matching_cases, search_terms
from portal.db import UTCDateTime, utcnow
from portal.extensions import db
from portal.hooks import Hooks
from portal.kept import kept
from portal.security import Role
from portal.tasks.models import HumanTask
from portal.tasks.urgency import Urgency, pip_urgency, step_urgency, worst


@dataclass(frozen=True)
class WorklistNotice:
    """Something outside the processes that waits for this user (e.g. a four-eyes approval)."""

    title: str
    case_reference: str
    case_name: str
    since: datetime
    detail: str
    url: str


#: Higher rooms add what waits for a user beside their tasks (``newcomer``: account resets to approve).
worklist_notices: Hooks[[User], list[WorklistNotice]] = Hooks("worklist notices")


def notices_for(user: User) -> list[WorklistNotice]:
    return sorted((n for found in worklist_notices.results(user) for n in found), key=lambda n: n.since)


MINE, TEAM = "mine", "team"
#: Sortable columns: name, next deadline, stage, regisseur.
SORTS = ("name", "deadline", "stage", "regisseur")


@dataclass(frozen=True)
class Filters:
    scope: str = MINE
    search: str | None = None
    step: str | None = None
    stage: str | None = None
    regisseur_id: int | None = None
    overdue: bool = False
    sort: str = "deadline"
    descending: bool = False

    @property
    def narrowed(self) -> bool:
        """Whether a filter leaves rows out (sorting does not)."""
        return bool(self.search or self.step or self.stage or self.overdue or self.regisseur_id is not None)


@dataclass
class WorklistRow:
    case: Case
    regisseur: str | None
    next_due: datetime | None
    tasks: list[HumanTask] = field(default_factory=list)
    step_urgency: Urgency | None = None
    pip_urgency: Urgency | None = None

    @property
    def urgency(self) -> Urgency | None:
        return worst(self.step_urgency, self.pip_urgency)


def refresh_step_due(case: Case, open_tasks: Iterable[HumanTask] | None = None) -> None:
    """Store the earliest due moment of the case's open regisseur steps (what the team list shows) and of
    its open teamleider tasks (the teamleider's own list); the case's next_deadline and lead_deadline follow
    on its write (cases.models). Called wherever open tasks or their due moments change: after every engine
    step, a deadline extension, a migration's rollback.

    ``open_tasks``: every task of the case that was open before and every task that opened, as the engine
    step already holds them (spares a query on that hot path); only those still open count.
    """
    if open_tasks is None:  # the three columns it needs, not whole task rows
        open_tasks = db.session.execute(select(HumanTask.status, HumanTask.role, HumanTask.due_at).where(
            HumanTask.case_id == case.id, HumanTask.status == HumanTask.OPEN)).all()
    due = {Role.REGISSEUR.value: [], Role.TEAMLEIDER.value: []}
    for task in open_tasks:
        if task.status == HumanTask.OPEN and task.role in due:
            due[task.role].append(task.due_at)
    steps, leads = due[Role.REGISSEUR.value], due[Role.TEAMLEIDER.value]
    case.next_step_due = min((moment for moment in steps if moment is not None), default=None)
    case.next_lead_due = min((moment for moment in leads if moment is not None), default=NO_DEADLINE) if leads \
        else None


def team_steps(municipality_id: int) -> tuple:
    """The municipality's open regisseur steps (what the team's list and the workload count), as conditions on
    ``HumanTask`` (``ix_human_task_worklist``'s first columns)."""
    return HumanTask.municipality_id == municipality_id, _task_scope(None, TEAM)


def team_cases(municipality_id: int) -> tuple:
    """The municipality's open cases, as conditions on ``Case`` (the partial ``ix_case_open_regisseur``)."""
    return Case.municipality_id == municipality_id, Case.closed_at.is_(None)


def _task_scope(user: User | None, scope: str):
    """The open tasks a row lists, as a condition on ``HumanTask``."""
    if scope == TEAM:
        return and_(HumanTask.status == HumanTask.OPEN, HumanTask.role == Role.REGISSEUR.value)
    return and_(HumanTask.status == HumanTask.OPEN, HumanTask.municipality_id == user.municipality_id,
                HumanTask.role == user.role,
                or_(HumanTask.assignee_id == user.id, HumanTask.assignee_id.is_(None)))


#: The most open steps an own list reads in one go with their cases: a regisseur's caseload (60–100 cases,
#: one to five steps each) fits, and its case ids are handed to the database as a list; a teamleider's
#: thousands of open escalations are joined as before (a long IN list costs more than it saves).
MAX_OWN_STEPS = 1_000


def _my_tasks(user: User, *extra):
    """The user's open tasks (``mine``) as two lookups of ``ix_human_task_worklist`` with all four columns
    equal, glued with UNION ALL: their own and the unassigned ones of their role. One
    ``assignee_id = me OR assignee_id IS NULL`` lets the database read every open task of the role in the
    municipality instead: 400 ms at 100,000 cases (bench/scale.py). ``extra``: more task columns."""
    columns = (HumanTask.case_id, HumanTask.due_at, HumanTask.bpmn_id, *extra)
    own = select(*columns).where(HumanTask.assignee_id == user.id, HumanTask.status == HumanTask.OPEN,
                                 HumanTask.role == user.role, HumanTask.municipality_id == user.municipality_id)
    unassigned = select(*columns).where(HumanTask.municipality_id == user.municipality_id,
                                        HumanTask.role == user.role, HumanTask.status == HumanTask.OPEN,
                                        HumanTask.assignee_id.is_(None))
    return union_all(own, unassigned).subquery("task")


class OwnList(NamedTuple):
    """A short own list (a caseload) as one query reads it: what the page and its filter choices need."""

    #: The cases the user has open tasks in, each once.
    case_ids: list[int]
    #: The steps those tasks are at: bpmn id → title.
    steps: dict[str, str]
    #: (stage label, regisseur id, regisseur name) of those cases.
    cases: set[tuple[str, int | None, str | None]]


def own_list_query(user: User):
    """The user's open tasks (:func:`_my_tasks`, with their titles) and their cases' stage and regisseur, at
    most ``MAX_OWN_STEPS + 1`` rows: a case by its key, a regisseur by theirs."""
    tasks = _my_tasks(user, HumanTask.title)
    task = tasks.c
    return (select(task.case_id, task.bpmn_id, task.title, Case.stage_label, Case.regisseur_id, User.display_name)
            .select_from(tasks).join(Case, Case.id == task.case_id).outerjoin(User, User.id == Case.regisseur_id)
            .limit(MAX_OWN_STEPS + 1))


def _own_list(user: User) -> OwnList | None:
    """The user's own list in one query, or None when it holds more than ``MAX_OWN_STEPS`` open steps. It was
    three reads (the case ids, the steps' titles, the cases' stages and regisseurs): a regisseur's worklist at
    100,000 cases on PostgreSQL took 7 statements, now 5 (bench/scale.py; docs/performance-history.md)."""
    rows = db.session.execute(own_list_query(user)).all()
    if len(rows) > MAX_OWN_STEPS:
        return None
    return OwnList(case_ids=list(dict.fromkeys(row.case_id for row in rows)),
                   steps={row.bpmn_id: row.title for row in rows if row.bpmn_id},
                   cases={(row.stage_label, row.regisseur_id, row.display_name) for row in rows})


class next_deadline(FunctionElement):  # noqa: N801 - a SQL function, named like one
    """The earlier of a case's next step (``min(due_at)``) and its PIP deadline while no PIP is decided:
    what the list sorts on and "Alleen te laat" filters on, so a late PIP counts like a late step.
    NULL when there is neither. The PIP day counts from its start (UTC), close enough to order by."""

    type = UTCDateTime()
    inherit_cache = True
    name = "next_deadline"


@compiles(next_deadline)
def _next_deadline_default(element, compiler, **kw):  # PostgreSQL: LEAST skips NULLs
    step, pip = list(element.clauses)
    return f"LEAST({compiler.process(step, **kw)}, CAST({compiler.process(pip, **kw)} AS TIMESTAMP WITH TIME ZONE))"


@compiles(next_deadline, "sqlite")
def _next_deadline_sqlite(element, compiler, **kw):  # SQLite keeps timestamps as ISO text: compare as text
    step, pip = list(element.clauses)
    never = "'9999-12-31'"
    return (f"NULLIF(MIN(COALESCE({compiler.process(step, **kw)}, {never}), "
            f"COALESCE({compiler.process(pip, **kw)} || ' 00:00:00.000000', {never})), {never})")


def _pip_open():
    return case((Case.pip_decided_on.is_(None), Case.pip_deadline), else_=None)


class ListQuery(NamedTuple):
    """A worklist's query (SELECT case, regisseur name, next deadline … with every filter applied) and what
    paging it needs."""

    query: Any
    next_due: Any
    regisseur: Any
    #: The stored deadline column whose index gives the deadline order (None: the query computes it).
    stored: Any = None
    #: The number of rows, when known without counting them (an own list without filters: its case ids).
    total: int | None = None
    #: The order to count in (capped_count), when the planner's own choice is slow.
    count_order: tuple = ()
    #: The list is limited to the user's case ids (an OwnList's).
    short: bool = False


def _base(user: User, filters: Filters, own: Callable[[], OwnList | None] | None = None) -> ListQuery:
    """The list's query: grouped per case for the user's own tasks, or in a stored deadline's order.
    ``own``: :func:`_own_list` of the user, as the request has read it (default: read now)."""
    regisseur = User.display_name.label("regisseur")
    if filters.scope == TEAM:
        return _stored_base(user, filters, regisseur, Case.next_deadline, TEAM)
    if user.role == Role.TEAMLEIDER.value and not _lead_tasks_assigned(user):
        return _stored_base(user, filters, regisseur, Case.lead_deadline, MINE)
    task = _my_tasks(user).c
    # Grouped per case on the task rows alone (they come from ix_human_task_worklist without touching the
    # table), then joined with the cases: grouping the joined case rows cost 120 ms for a teamleider's
    # 10,000 escalations at 100,000 cases.
    grouped = select(task.case_id.label("case_id"), func.min(task.due_at).label("step_due")).group_by(task.case_id)
    if filters.step:
        grouped = grouped.having(func.sum(case((task.bpmn_id == filters.step, 1), else_=0)) > 0)
    mine = grouped.subquery("mine")
    next_due = next_deadline(mine.c.step_due, _pip_open()).label("next_due")
    # the tasks are the municipality's already; no condition on the case that would tempt the database
    # to start from the cases
    query = (select(Case, regisseur, next_due).select_from(mine).join(Case, mine.c.case_id == Case.id)
             .outerjoin(User, User.id == Case.regisseur_id))
    # The cases by id, from the task rows read first (index only): PostgreSQL cannot estimate the
    # unassigned half (it guessed 6,000 rows for 0 at 100,000 cases) and then merge-joined over every case
    # (150 ms); with the ids it looks up just these. A long list (a teamleider's escalations): as before.
    own_list = (own or partial(_own_list, user))()
    case_ids = own_list.case_ids if own_list is not None else None
    if case_ids:
        query = query.where(Case.id.in_(case_ids))
    for term in search_terms(filters.search):  # the user's own cases (a few hundred): test the words on those
        query = query.where(Case.search_key.contains(term, autoescape=True))
    query = _case_filters(query, user, filters)
    if filters.overdue:
        query = query.where(next_deadline(mine.c.step_due, _pip_open()) < utcnow())
    return ListQuery(query, next_due, regisseur,
                     total=len(case_ids) if case_ids is not None and not filters.narrowed else None,
                     short=case_ids is not None)


def _lead_tasks_assigned(user: User) -> bool:
    """Whether any open teamleider task of the municipality is assigned to someone (the portal leaves them
    to the team: none is). Only while none is, the stored ``lead_deadline`` — kept over all the case's
    teamleider tasks — is the deadline of exactly the teamleider's own list."""
    return db.session.scalar(select(HumanTask.id).where(
        HumanTask.municipality_id == user.municipality_id, HumanTask.role == user.role,
        HumanTask.status == HumanTask.OPEN, HumanTask.assignee_id.is_not(None)).limit(1)) is not None


def _stored_base(user: User, filters: Filters, regisseur, deadline, scope: str) -> ListQuery:
    """A list read in the order of a stored deadline column: no grouping, no join with the tasks.

    - the team list (``scope`` TEAM, ``Case.next_deadline``): the municipality's open cases, a page from
      ``ix_case_open_deadline``;
    - the teamleider's own list (MINE, ``Case.lead_deadline``): the municipality's cases with an open
      teamleider task, a page from ``ix_case_lead_deadline``, without grouping a region's thousands of
      escalations.
    Both columns are kept by refresh_step_due and the case's own write (cases.models)."""
    listed = Case.closed_at.is_(None) if scope == TEAM else Case.lead_deadline.is_not(None)
    next_due = deadline.label("next_due")
    query = (select(Case, regisseur, next_due)
             .where(Case.municipality_id == user.municipality_id, listed)
             .outerjoin(User, User.id == Case.regisseur_id))
    if search_terms(filters.search):  # the whole municipality: through the search index
        query = query.where(Case.id.in_(matching_cases(user.municipality_id, filters.search)))
    query = _case_filters(query, user, filters)
    if filters.step:
        query = query.where(exists().where(HumanTask.case_id == Case.id, _task_scope(user, scope),
                                           HumanTask.bpmn_id == filters.step))
    if filters.overdue:
        query = query.where(deadline < utcnow())
    # The teamleider's whole own list is counted in the order of ix_case_lead_deadline: left to itself,
    # PostgreSQL scanned the case rows for a municipality's 7,500 escalations (1.7 ms at 100,000 cases,
    # 0.3 ms in index order). The team list is not: its planner's choice (ix_case_open_regisseur, index only)
    # beats its deadline order (0.1 against 0.4 ms); a filtered list is left to the planner too.
    return ListQuery(query, next_due, regisseur, stored=deadline,
                     count_order=(deadline,) if scope == MINE and not filters.narrowed else ())


def _case_filters(query, user: User, filters: Filters):
    if filters.stage:  # by label: the projection gives one stage several ids (the PIP process and its subprocess)
        query = query.where(Case.stage_label == filters.stage)
    if filters.regisseur_id is not None and user.role == Role.TEAMLEIDER:
        query = query.where(Case.regisseur_id == filters.regisseur_id)
    return query


def _ordered(query, filters: Filters, next_due, regisseur, stored):
    name = (Case.last_name, Case.first_name)
    columns = {"name": name, "deadline": (next_due,), "stage": (Case.stage_label,), "regisseur": (regisseur,)}
    keys = columns.get(filters.sort, columns["deadline"])
    if stored is not None and keys == columns["deadline"]:  # NO_DEADLINE sorts last, in index order
        deadline = stored.desc() if filters.descending else stored
        first = ((stored == NO_DEADLINE).asc(),) if filters.descending else ()
        return query.order_by(*first, deadline, *name, Case.id)
    order = []
    for key in keys:
        order += [key.is_(None), key.desc() if filters.descending else key.asc()]  # no deadline: last
    return query.order_by(*order, *[c.asc() for c in name if c not in keys], Case.id)


class Worklist:
    """A user's worklist as one request reads it: what its filters offer and a page of it. The cases the
    user has open tasks in are read once for both (read twice, they cost a regisseur's list a query more)."""

    def __init__(self, user: User) -> None:
        self.user = user

    @cached_property
    def own(self) -> OwnList | None:
        return _own_list(self.user)

    def filter_options(self, scope: str) -> FilterOptions:
        """The filter choices of the list (:func:`read_filter_options`); those of a long list — the team's
        whole municipality, or a user's own list of more than ``MAX_OWN_STEPS`` steps — are kept a few
        seconds per app process (portal.kept). A regisseur's own list (a caseload) is read every time, so
        the step just opened is offered at once: from the read the page makes anyway (:class:`OwnList`)."""
        user = self.user
        key = ("worklist", TEAM, user.municipality_id, user.role) if scope == TEAM else ("worklist", MINE, user.id)
        return kept(key, lambda: read_filter_options(user, scope, lambda: self.own))

    def page(self, filters: Filters, page: int, today: date) -> CappedPage:
        """The rows of page ``page`` (1-based), each with its open steps and urgency."""
        return _page(self.user, filters, page, today, lambda: self.own)


def worklist_page(user: User, filters: Filters, page: int, today: date) -> CappedPage:
    """Page ``page`` of the user's worklist, read on its own (:class:`Worklist`)."""
    return Worklist(user).page(filters, page, today)


def _page(user: User, filters: Filters, page: int, today: date, own: Callable[[], OwnList | None]) -> CappedPage:
    query, next_due, regisseur, stored, known, count_order, short = _base(user, filters, own)
    # a team's list in a region: the count stops at COUNT_CAP; it counts ids, not whole case rows
    if known is not None:  # counted already (an own list's case ids), capped like any count
        total, capped = min(known, paging.COUNT_CAP), known > paging.COUNT_CAP
    else:
        total, capped = capped_count(query.with_only_columns(Case.id, maintain_column_froms=True), *count_order)
    size = page_size()
    # one more row than the page: is there a next page
    ordered = _ordered(query, filters, next_due, regisseur, stored).limit(size + 1).offset((page - 1) * size)
    if short:  # a caseload (at most MAX_OWN_STEPS steps): the page's whole rows at once, one query
        found = db.session.execute(ordered).all()
        more = len(found) > size
        rows = [WorklistRow(case=row[0], regisseur=row.regisseur, next_due=_shown(row.next_due))
                for row in found[:size]]
    else:  # The page's ids in order first (narrow rows: sorting a teamleider's 10,000 whole case rows cost
        # 40 ms), then those cases with their regisseur's name.
        ids = db.session.execute(ordered.with_only_columns(Case.id, next_due, maintain_column_froms=True)).all()
        more, ids = len(ids) > size, ids[:size]
        found = {row[0].id: row for row in db.session.execute(
            select(Case, regisseur).outerjoin(User, User.id == Case.regisseur_id)
            .where(Case.id.in_([row.id for row in ids])))} if ids else {}
        rows = [WorklistRow(case=found[row.id][0], regisseur=found[row.id].regisseur, next_due=_shown(row.next_due))
                for row in ids if row.id in found]  # a case purged between the two reads is left out
    by_case = {row.case.id: row for row in rows}
    if by_case:
        for task in db.session.scalars(
                select(HumanTask).where(HumanTask.case_id.in_(by_case), _task_scope(user, filters.scope))
                .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)):
            by_case[task.case_id].tasks.append(task)
    for row in rows:
        row.step_urgency = step_urgency(row.tasks[0].due_at if row.tasks else None, today)
        row.pip_urgency = pip_urgency(row.case, today)
    return CappedPage(items=rows, page=page, per_page=size, total=total, capped=capped, more=more)


def _shown(next_due: datetime | None) -> datetime | None:
    return None if next_due == NO_DEADLINE else next_due


@dataclass(frozen=True)
class FilterOptions:
    """What the filters offer: only what is in the list (steps the user has tasks for, and so on)."""

    steps: list[tuple[str, str]]
    stages: list[tuple[str, str]]
    regisseurs: list[tuple[int, str]]


def read_filter_options(user: User, scope: str, own: Callable[[], OwnList | None] | None = None
                        ) -> tuple[FilterOptions, bool]:
    """The steps, stages and regisseurs of the unfiltered list, and whether the list is long (the team's, or
    more than ``MAX_OWN_STEPS`` steps of one's own). A short own list's come from its :class:`OwnList` (``own``:
    as the request has read it; default: read now) without a query of their own; a long list's steps from the
    task index alone, its stages and regisseurs from its cases (the team's: the municipality's open cases)."""
    if scope != TEAM:
        own_list = (own or partial(_own_list, user))()
        if own_list is not None:
            return _options(own_list.steps.items(), own_list.cases), False
    # one (step, case) per open step, from ix_human_task_worklist alone (no min(id): PostgreSQL would read
    # every task row for it, 20 ms for a municipality's 17,500 open steps); then the titles of just those
    step_keys = select(HumanTask.bpmn_id, func.min(HumanTask.case_id).label("case_id")).group_by(HumanTask.bpmn_id)
    if scope == TEAM:
        steps = step_keys.where(*team_steps(user.municipality_id))
        cases = team_cases(user.municipality_id)
    else:  # from each half of the user's tasks (no OR: see _my_tasks)
        steps = union_all(*[step_keys.where(HumanTask.municipality_id == user.municipality_id,
                                            HumanTask.role == user.role, HumanTask.status == HumanTask.OPEN, assignee)
                            for assignee in (HumanTask.assignee_id == user.id, HumanTask.assignee_id.is_(None))])
        cases = (Case.id.in_(select(_my_tasks(user).c.case_id)),)
    keys = steps.subquery("step")
    step_rows = db.session.execute(select(HumanTask.bpmn_id, HumanTask.title).join(keys, and_(
        HumanTask.case_id == keys.c.case_id, HumanTask.bpmn_id == keys.c.bpmn_id)).where(
        HumanTask.status == HumanTask.OPEN).distinct()).all()
    # distinct first (the team's: from ix_case_open_regisseur alone), then the names of those few pairs
    pairs = select(Case.stage_label, Case.regisseur_id).where(*cases).distinct().subquery("pair")
    case_rows = db.session.execute(select(pairs.c.stage_label, pairs.c.regisseur_id, User.display_name)
                                   .outerjoin(User, User.id == pairs.c.regisseur_id)).all()
    return _options(((row.bpmn_id, row.title) for row in step_rows if row.bpmn_id), case_rows), True


def _options(steps: Iterable[tuple[str, str]], cases: Iterable[tuple[str, int | None, str | None]]) -> FilterOptions:
    """Filter choices from (bpmn id, title) pairs and (stage label, regisseur id, regisseur name) triples."""
    cases = list(cases)
    return FilterOptions(sorted(set(steps), key=lambda s: s[1]),
                         sorted({(label, label) for label, _id, _name in cases}, key=lambda s: s[1]),
                         sorted({(rid, name) for _label, rid, name in cases if rid}, key=lambda s: s[1]))


def may_work_on(user: User, task: HumanTask) -> bool:
    return (
        task.municipality_id == user.municipality_id
        and task.role == user.role
        and task.assignee_id in (None, user.id)
    )


def may_open(user: User, task: HumanTask) -> bool:
    """Whether the task's page opens for ``user``: an open task they may work on, or a finished one of their
    role or that they completed themselves (the same rule the task page enforces)."""
    if task.municipality_id != user.municipality_id:
        return False
    if task.is_open:
        return may_work_on(user, task)
    return task.role == user.role or task.assignee_id == user.id


def page_size() -> int:
    return current_app.config["PAGE_SIZE"]
