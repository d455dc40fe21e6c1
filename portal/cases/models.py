"""A newcomer's integration case (dossier), from the COA handover (koppeling) on."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time

from sqlalchemy import DDL, ForeignKey, Index, Integer, String, column, event, table, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Municipality, User
from portal.db import TimestampMixin, UTCDateTime
from portal.extensions import db


class Case(TimestampMixin, db.Model):
    __tablename__ = "inburgering_case"
    __table_args__ = (
        # the case list's stage filter and its counts per stage (read from the index alone)
        Index("ix_case_municipality_stage", "municipality_id", "stage", "stage_label"),
        # the case list in its order (newest koppeling first): a page without sorting the municipality
        Index("ix_case_municipality_koppeling", "municipality_id", "koppeling_date", "id"),
        Index("ix_case_regisseur_koppeling", "regisseur_id", "koppeling_date", "id"),
        # search: SQLite answers a word of three or more characters from its FTS5 index case_search (below);
        # a shorter word scans this index, not the case rows. PostgreSQL adds a trigram index (migration
        # 2bdcab79f2b1) that answers LIKE '%…%' directly.
        Index("ix_case_municipality_search", "municipality_id", "search_key"),
        # Open cases only (partial: PostgreSQL does not order by an index past ``closed_at IS NULL``);
        # closed_at last, so that SQLite may read them alone.
        # The team workload's cases per regisseur and stage, from the index alone:
        Index("ix_case_open_regisseur", "municipality_id", "regisseur_id", "stage_label", "closed_at",
              sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL")),
        # the team worklist in its order (next deadline first): a page without sorting the municipality
        Index("ix_case_open_deadline", "municipality_id", "next_deadline", "last_name", "first_name", "id", "closed_at",
              sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL")),
        # … and of one regisseur (the workload's links)
        Index("ix_case_open_regisseur_deadline", "regisseur_id", "next_deadline", "last_name", "first_name", "id",
              "closed_at", sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL")),
        # the teamleider's own worklist (escalations, concerns, approvals) in its order, without grouping the
        # thousands of open teamleider tasks a region's municipality may hold
        Index("ix_case_lead_deadline", "municipality_id", "lead_deadline", "last_name", "first_name", "id",
              sqlite_where=text("lead_deadline IS NOT NULL"), postgresql_where=text("lead_deadline IS NOT NULL")),
        # PostgreSQL only, and only where pg_trgm can be created: ix_case_search_trgm (GIN, trigram) on
        # search_key, made by the migration and not declared here (tests/test_schema.py allows it)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Human reference shown on screens and letters, e.g. "0344-2026-00012".
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    #: The one regisseur responsible for this newcomer (single point of contact).
    regisseur_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: The newcomer's own portal account, once activated.
    newcomer_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    # -- the newcomer, as handed over by COA ----------------------------------------------------
    first_name: Mapped[str] = mapped_column(String(120))
    last_name: Mapped[str] = mapped_column(String(120))
    birth_date: Mapped[date] = mapped_column()
    #: Name, reference and V-number normalised for search (lower case, no diacritics, single spaces):
    #: kept in step by :func:`search_key` on every insert and update, so a search is one LIKE per word.
    search_key: Mapped[str] = mapped_column(String(400), default="", server_default="")
    #: Vreemdelingennummer (V-number) from the IND/COA; the key of the COA handover.
    v_number: Mapped[str] = mapped_column(String(20), unique=True)
    #: Only stored once known and needed; shown only to roles that need it (DOMAIN.md §6).
    bsn: Mapped[str | None] = mapped_column(String(9))
    country_of_origin: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(40))
    household_size: Mapped[int] = mapped_column(default=1)
    azc_location: Mapped[str | None] = mapped_column(String(120))
    coa_contact: Mapped[str | None] = mapped_column(String(160))
    #: Date of the koppeling to this municipality (start of the portal case).
    koppeling_date: Mapped[date] = mapped_column()
    #: Date of the asylum residence permit, when COA provides it.
    permit_date: Mapped[date | None] = mapped_column()
    #: Date the newcomer moved into their house in the municipality (recorded during the intake).
    moved_date: Mapped[date | None] = mapped_column()
    #: Date of DUO's notice of the integration obligation (kennisgeving inburgeringsplicht), recorded
    #: at the kennismakingsgesprek; the first notice (at the AZC address) counts.
    duo_notice_date: Mapped[date | None] = mapped_column()
    #: Date of the registration in the BRP (basisregistratie personen), recorded at the kennismakingsgesprek.
    brp_registration_date: Mapped[date | None] = mapped_column()
    #: The 10-week PIP deadline, from the municipality's start event (cases.services.pip_deadline).
    pip_deadline: Mapped[date | None] = mapped_column(index=True)
    #: The start event of that deadline in force when the case was opened (cases.services.PIP_DEADLINE_STARTS):
    #: a later change of the municipality's setting does not move a running deadline. None: older cases,
    #: which follow the municipality's current setting.
    pip_deadline_event: Mapped[str | None] = mapped_column(String(20))
    #: Date the first PIP was decided (the deadline countdown stops).
    pip_decided_on: Mapped[date | None] = mapped_column()

    # -- where the case stands (projected after every engine step) ---------------------------
    stage: Mapped[str] = mapped_column(String(80), default="nieuw")
    stage_label: Mapped[str] = mapped_column(String(200), default="Nieuw")
    stage_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The earliest due moment of the case's open regisseur steps (kept by tasks.worklist.refresh_step_due
    #: after every engine step and deadline change).
    next_step_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: What the team worklist sorts on and "Alleen te laat" filters on: the earlier of next_step_due and the
    #: PIP deadline while no PIP is decided (midnight UTC), NO_DEADLINE when there is neither. Kept on every
    #: write of the case (below), so it can be read in index order.
    next_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The earliest due moment of the case's open teamleider tasks, NO_DEADLINE when they have none, NULL
    #: when there are none (kept by tasks.worklist.refresh_step_due, like next_step_due).
    next_lead_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: What the teamleider's own worklist sorts on: the earlier of next_lead_due and the PIP deadline while
    #: no PIP is decided (the rule of next_deadline, for the teamleider's tasks); NULL when the case has no
    #: open teamleider task, so the list is the index's non-NULL part. Kept on every write of the case.
    lead_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())

    municipality: Mapped[Municipality] = relationship()
    regisseur: Mapped[User | None] = relationship(foreign_keys=[regisseur_id])
    newcomer_user: Mapped[User | None] = relationship(foreign_keys=[newcomer_user_id])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


#: A case without a deadline sorts last: a real moment rather than NULL, which an index gives first (SQLite) or
#: only with NULLS LAST; the worklist shows it as no deadline.
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)


def _with_pip(case: Case, due: datetime | None) -> datetime:
    """The earlier of ``due`` and the PIP deadline while no PIP is decided; NO_DEADLINE when there is neither."""
    moments = [due] if due is not None and due != NO_DEADLINE else []
    if case.pip_decided_on is None and case.pip_deadline is not None:
        moments.append(datetime.combine(case.pip_deadline, time(), UTC))
    return min(moments, default=NO_DEADLINE)


def deadline_of(case: Case) -> datetime:
    """The rule ``next_deadline`` stores (the worklist's SQL ``next_deadline`` is the same rule for a user's
    own steps, computed per request)."""
    return _with_pip(case, case.next_step_due)


def lead_deadline_of(case: Case) -> datetime | None:
    """The rule ``lead_deadline`` stores: the same for the open teamleider tasks; None without them."""
    return None if case.next_lead_due is None else _with_pip(case, case.next_lead_due)


def normalise(text: str) -> str:
    """``text`` as search compares it: no diacritics, case-folded, single spaces ("Ömer  Çelik" → "omer celik")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def search_key(case: Case) -> str:
    return normalise(f"{case.first_name} {case.last_name} {case.reference} {case.v_number}")[:400]


#: SQLite: the case list's search index, an FTS5 table of the trigrams of ``search_key``. External content: it
#: holds only the index, the text stays in inburgering_case (``content_rowid`` is the case id); the triggers
#: keep it in step with every insert, delete and change of ``search_key``, the ORM's and plain SQL's alike.
#: A quoted phrase of three or more characters (``MATCH '"kova"'``) finds the rows that hold it as a substring,
#: from the index alone (cases.services.matching_cases); the tokenizer folds case, which search_key and the
#: search's words have had already (:func:`normalise`). Made by migration 5bc8c83d0d17, which carries its own
#: frozen copy of these statements (migrations never import the models), and by ``metadata.create_all``
#: through the listener below. PostgreSQL has its trigram GIN index instead.
SEARCH_INDEX_DDL = (
    "CREATE VIRTUAL TABLE case_search USING fts5(search_key, content='inburgering_case', content_rowid='id', "
    "tokenize='trigram')",
    "CREATE TRIGGER case_search_insert AFTER INSERT ON inburgering_case BEGIN "
    "INSERT INTO case_search (rowid, search_key) VALUES (new.id, new.search_key); END",
    "CREATE TRIGGER case_search_delete AFTER DELETE ON inburgering_case BEGIN "
    "INSERT INTO case_search (case_search, rowid, search_key) VALUES ('delete', old.id, old.search_key); END",
    "CREATE TRIGGER case_search_update AFTER UPDATE OF search_key ON inburgering_case BEGIN "
    "INSERT INTO case_search (case_search, rowid, search_key) VALUES ('delete', old.id, old.search_key); "
    "INSERT INTO case_search (rowid, search_key) VALUES (new.id, new.search_key); END",
)
#: The FTS5 table and the shadow tables SQLite makes for it: storage of the index, not tables of a model.
SEARCH_INDEX_TABLES = frozenset({"case_search", "case_search_data", "case_search_idx", "case_search_docsize",
                                 "case_search_config"})
#: The index for queries (not in the metadata: create_all makes it by SEARCH_INDEX_DDL, SQLite only).
case_search = table("case_search", column("rowid", Integer), column("search_key", String))

for _statement in SEARCH_INDEX_DDL:
    event.listen(Case.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
# dropping the case table drops its triggers; the FTS table is dropped after it
event.listen(Case.__table__, "after_drop", DDL("DROP TABLE IF EXISTS case_search").execute_if(dialect="sqlite"))


@event.listens_for(Case, "before_insert")
@event.listens_for(Case, "before_update")
def _keep_search_key(_mapper, _connection, case: Case) -> None:
    case.search_key = search_key(case)
    case.next_deadline = deadline_of(case)
    case.lead_deadline = lead_deadline_of(case)
