"""The case entity's rules: creating the row from the COA handover, access, locking, deadlines.

This room sits below the workflow service (``portal.tasks``): the workflow locks the case row first,
assigns tasks to the case's regisseur and newcomer and projects the stage onto it. Opening a case
*and* starting its process is :func:`portal.casefile.services.open_case`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal import dates
from portal.audit.services import record
from portal.auth.models import Municipality, User
from portal.cases.models import Case, case_search, normalise
from portal.cases.paging import COUNT_CAP
from portal.extensions import db
from portal.kept import kept
from portal.notifications.services import queue
from portal.security import Role


class DuplicateCase(Exception):
    """A case with this V-number exists already."""


class NoAccess(LookupError):
    """The case does not exist for this user (another municipality's cases do not exist for them).

    The app answers it with 404 (``portal.create_app``), so services need not know about HTTP.
    """


@dataclass(frozen=True)
class KoppelingData:
    v_nummer: str
    voornaam: str
    achternaam: str
    geboortedatum: date
    land_van_herkomst: str
    taal: str
    huishoudgrootte: int
    koppelingsdatum: date
    azc_locatie: str | None = None
    coa_contactpersoon: str | None = None
    vergunningsdatum: date | None = None


def new_case(data: KoppelingData, municipality: Municipality, regisseur_id: int | None,
             user_id: int | None, purpose: str) -> Case:
    """The case row from the COA handover (its process is started by the caller).

    :raises DuplicateCase: when the V-number is already known.
    """
    if db.session.scalar(select(Case.id).where(Case.v_number == data.v_nummer)) is not None:
        raise DuplicateCase(data.v_nummer)
    case = Case(
        reference=f"tmp-{data.v_nummer}", municipality=municipality, regisseur_id=regisseur_id,
        first_name=data.voornaam, last_name=data.achternaam, birth_date=data.geboortedatum,
        v_number=data.v_nummer, country_of_origin=data.land_van_herkomst, language=data.taal,
        household_size=data.huishoudgrootte, azc_location=data.azc_locatie, coa_contact=data.coa_contactpersoon,
        koppeling_date=data.koppelingsdatum, permit_date=data.vergunningsdatum,
    )
    db.session.add(case)
    db.session.flush()
    case.reference = f"{municipality.code}-{data.koppelingsdatum.year}-{case.id:05d}"
    case.pip_deadline_event = pip_deadline_event(case)  # kept: a later change of the setting is for new cases
    case.pip_deadline = pip_deadline(case)
    record("write", "case", purpose, case_id=case.id, user_id=user_id, detail={"opened": True})
    return case


#: The events the 10-week PIP deadline may count from (DOMAIN.md §2.3; the legal start is unsettled):
#: the koppeling; the move into the house; or the later of DUO's notice and the BRP registration
#: (Besluit inburgering 2021 art. 5.3).
PIP_DEADLINE_STARTS = ("koppeling", "verhuizing", "kennisgeving_brp")


def pip_deadline_event(case: Case) -> str:
    """The start event in force for ``case``: the one it was opened with; else (a new or an older case) its
    municipality's choice, else PORTAL_PIP_DEADLINE_START."""
    event = case.pip_deadline_event or case.municipality.pip_deadline_start or current_app.config["PIP_DEADLINE_START"]
    if event not in PIP_DEADLINE_STARTS:
        raise ValueError(f"PIP deadline start {event!r} is not one of {', '.join(PIP_DEADLINE_STARTS)}")
    return event


def pip_deadline_start(case: Case) -> date:
    """The day the 10 weeks for the first PIP count from.

    * ``koppeling``: the koppeling date.
    * ``verhuizing``: the move into the house, once recorded (never before the koppeling); the
      koppeling until then.
    * ``kennisgeving_brp``: Besluit inburgering 2021 art. 5.3 (DOMAIN.md §2.3): the day of DUO's
      notice of the integration obligation or of the registration in the BRP, whichever is later.
      While only one of them is recorded that one counts, and the koppeling while neither is: a
      provisional deadline that can only move later when the other date arrives (DUO sends the
      notice after the BRP registration), never a deadline that was missed without warning.
    """
    event = pip_deadline_event(case)
    if event == "verhuizing" and case.moved_date:
        return max(case.koppeling_date, case.moved_date)
    if event == "kennisgeving_brp":
        known = [day for day in (case.duo_notice_date, case.brp_registration_date) if day is not None]
        if known:
            return max(known)
    return case.koppeling_date


def pip_deadline(case: Case) -> date:
    """The last day on which the first PIP is decided in time: PIP_DEADLINE_WEEKS (10) weeks after
    :func:`pip_deadline_start` (Besluit inburgering 2021 art. 5.3). Deciding on this day is on time; the
    escalation timer is due once it has ended (:func:`portal.dates.after_day`)."""
    return dates.add_weeks(pip_deadline_start(case), current_app.config["PIP_DEADLINE_WEEKS"])


def record_move(case: Case, moved: date) -> None:
    case.moved_date = moved
    case.pip_deadline = pip_deadline(case)


def record_notices(case: Case, duo_notice: date | None, brp_registration: date | None) -> None:
    """Keep the dates of DUO's notice and the BRP registration (as far as known); they may move the
    PIP deadline (start event ``kennisgeving_brp``)."""
    if duo_notice is not None:
        case.duo_notice_date = duo_notice
    if brp_registration is not None:
        case.brp_registration_date = brp_registration
    case.pip_deadline = pip_deadline(case)


def regisseurs_of(municipality_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.municipality_id == municipality_id, User.role == Role.REGISSEUR.value,
                           User.active.is_(True)).order_by(User.display_name)))


def lock_case(case_id: int) -> Case:
    """The case row, locked ``FOR UPDATE`` (PostgreSQL): the first lock of every write to a case.

    One lock order everywhere — the case row first, in the web and in every worker — means two
    writers of one case queue up instead of deadlocking. On SQLite the write transaction already holds
    the database's write lock from its first statement (``portal.db``).
    """
    case = db.session.scalar(select(Case).where(Case.id == case_id).with_for_update())
    if case is None:
        raise NoAccess(case_id)
    return case


def case_for(user: User, case_id: int, purpose: str, *, lock: bool = False) -> Case:
    """The case if ``user`` may see it; every successful read is audited.

    :param lock: take the case row lock now (requests that change the case): the first lock taken.
    :raises NoAccess: no such case, or not one of the user's municipality (shown as 404).
    """
    if not user.works_on_cases:
        raise NoAccess(case_id)
    # another municipality's case is never read, let alone locked
    query = select(Case).where(Case.id == case_id, Case.municipality_id == user.municipality_id)
    case = db.session.scalar(query.with_for_update() if lock else query)
    if case is None:
        raise NoAccess(case_id)
    record("read", "case", purpose, case_id=case.id, user_id=user.id)
    return case


def tell_newcomer(case: Case, actor_id: int | None) -> None:
    """E-mail the newcomer (if they have an account) that there is news in the portal, without details."""
    if case.newcomer_user_id is None or case.newcomer_user_id == actor_id:
        return
    queue(db.session.get(User, case.newcomer_user_id), "newcomer_news", case_id=case.id)


def visible_cases_query(user: User, *, search: str | None = None, stage: str | None = None, mine: bool = False):
    # the regisseur's name on every row: loaded with the page, not one query per row
    query = select(Case).options(joinedload(Case.regisseur)).where(Case.municipality_id == user.municipality_id)
    if mine:
        query = query.where(Case.regisseur_id == user.id)
    if stage:
        query = query.where(Case.stage == stage)
    if search_terms(search):  # the worklist's search: every word in name, reference or V-number
        query = query.where(Case.id.in_(matching_cases(user.municipality_id, search)))
    return query.order_by(Case.koppeling_date.desc(), Case.id.desc())


def matching_cases(municipality_id: int, search: str | None):
    """The ids of the municipality's cases whose search key holds every word of ``search``, as a subquery.

    A subquery on purpose: it is answered from an index (SQLite's FTS5 trigram table ``case_search``,
    PostgreSQL's trigram index) or, for a word of one or two characters on SQLite, by a scan of
    ``ix_case_municipality_search`` (not of the case rows); the list around it keeps its own plan (the page in
    index order, or the user's tasks first), instead of the database walking the list and reading every case
    row to test the words."""
    query = select(Case.id).where(Case.municipality_id == municipality_id)
    terms = search_terms(search)
    if db.session.get_bind().dialect.name == "sqlite":
        indexed = [term for term in terms if len(term) >= 3]  # FTS5 finds no trigram in a shorter word
        if indexed:
            query = query.where(Case.id.in_(select(case_search.c.rowid).where(
                case_search.c.search_key.match(" ".join(fts_phrase(term) for term in indexed)))))
        terms = [term for term in terms if len(term) < 3]
    for term in terms:
        query = query.where(Case.search_key.contains(term, autoescape=True))
    return query


def fts_phrase(term: str) -> str:
    """``term`` as an FTS5 phrase: with the trigram tokenizer, the rows that hold it as a substring, exactly what
    ``LIKE '%term%'`` finds; every character inside the quotes is literal (% and _ too), a quote is doubled.

    MATCH rather than LIKE on the FTS table: FTS5 answers both from the trigrams, but tests LIKE again on
    every candidate, reading its text from inburgering_case (a name of 1,250 cases: 2.0 ms against 0.15 ms for
    MATCH at 100,000 cases), and without ESCAPE only (with it, it reads every row)."""
    return '"' + term.replace('"', '""') + '"'


def search_terms(search: str | None) -> list[str]:
    """The words of a search, as :func:`portal.cases.models.normalise` stores them (at most six)."""
    return normalise(search or "").split()[:6]


def stages_of(user: User) -> list[tuple[str, str, int]]:
    """The stages of the municipality's cases with their counts (the case list's stage filter); kept a few
    seconds per process for a municipality of more than COUNT_CAP cases (portal.kept): counting its 25,000
    cases per stage cost a case list 4 ms at 100,000 cases."""

    def count() -> tuple[list[tuple[str, str, int]], bool]:
        rows = db.session.execute(select(Case.stage, Case.stage_label, func.count())
                                  .where(Case.municipality_id == user.municipality_id)
                                  .group_by(Case.stage, Case.stage_label).order_by(Case.stage_label))
        stages = [(row[0], row[1], row[2]) for row in rows]
        return stages, sum(found for _stage, _label, found in stages) > COUNT_CAP

    return kept(("stages", user.municipality_id), count)
