"""Build a realistic region fast, for ``bench/scale.py``.

1. **Seeds through the real process.** A few hundred cases are opened in municipality 1 at koppeling
   dates spread over the last three years, and walked with the portal's own services on a frozen clock
   (``time_machine``) to every stage of the term: fresh and stalled intakes (whose escalation timers fire),
   the intake conversations, the PIP being drafted, decided and signed (with its sealed PDFs), a sanction
   proposal waiting for the teamleider, the progress loop up to today (self-assessments and meetings), and
   closed cases (final report written).
2. **Multiplied with SQL.** Every table that hangs off a case (cases, workflow instances and their state,
   ``human_task``, ``case_wait``, plans, versions, signatures, documents, meetings, audit rows …) is copied
   ``K`` times with ``INSERT … SELECT`` and id offsets (copy ``k`` adds ``k × max(id)`` to every id and to
   every foreign key into a copied table). Copies go round the municipalities, each case to one of the
   municipality's regisseurs (one per ~80 cases), with varied names and V-numbers (so a search is
   realistic) and unique engine task ids: the workflow state is stored as a template whose UUIDs get the
   copy's 8-hex prefix, the same rewrite as ``human_task.engine_task_id``, so a copied case can be worked on
   and its timers fired like the original.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

import time_machine
from argon2 import PasswordHasher
from sqlalchemy import select, text

from portal.auth.models import Municipality, User
from portal.casefile.services import open_case
from portal.cases.models import Case, normalise
from portal.cases.services import KoppelingData
from portal.db import local_today
from portal.demo import OVERRIDES, _walk, sample_submission
from portal.demo_people import merge, person_answers
from portal.demo_progress import MEETING
from portal.extensions import db
from portal.processes.services import deploy
from portal.security import Role, hash_password
from portal.tasks.models import HumanTask, WorkflowInstance
from portal.tasks.workflow import advance_case, complete_task, form_spec_for
from portal.worker import produce_due_documents

MUNICIPALITIES = [("0344", "Utrecht"), ("0355", "Zeist"), ("0307", "Amersfoort"), ("0356", "Nieuwegein")]
CASES_PER_REGISSEUR = 80
FIRST = ["Amina", "Yonas", "Dawit", "Olena", "Mohammad", "Hana", "Leyla", "Samir", "Ömer", "Fatma", "Ahmad",
         "Mariam", "Tesfay", "Selam", "Yusuf", "Zahra", "Bilal", "Nour", "Rahel", "Oksana", "Dmytro", "Kateryna",
         "Ali", "Hassan", "Ayşe", "Mehmet", "Shirin", "Reza", "Farida", "Abdi", "Khadija", "Ibrahim", "Senait",
         "Merhawi", "Iryna", "Andrii", "Lina", "Karim", "Rania", "Tariq", "Elif", "Emre", "Nadia", "Jamal",
         "Hiwet", "Awet", "Sara", "Daniel", "Maryam", "Mustafa", "Zeynep", "Yasmin", "Omid", "Parisa", "Halyna",
         "Bohdan", "Saba", "Filmon", "Rim", "Walid"]
LAST = ["Haddad", "Tesfay", "Gebremariam", "Kovalenko", "Rahimi", "Tesfamariam", "Yilmaz", "Nasser", "Çelik",
        "Şahin", "Al-Khatib", "Hosseini", "Mohammadi", "Ahmadi", "Berhane", "Kidane", "Shevchenko", "Bondarenko",
        "Tkachenko", "Kravchenko", "Demir", "Kaya", "Öztürk", "Aydın", "Haidari", "Karimi", "Sultani", "Jafari",
        "Osman", "Abdullahi", "Warsame", "Farah", "Mehari", "Habte", "Tsegay", "Melnyk", "Boyko", "Moroz",
        "Al-Ahmad", "Hamdan", "Darwish", "Saleh", "Mansour", "Khalil", "Ghebreyesus", "Woldemichael",
        "Yıldız", "Arslan", "Doğan", "Koç", "Nazari", "Sadeghi", "Azizi", "Rezaei", "Lysenko", "Hrytsenko",
        "Asfaha", "Tekle", "Barakat", "Zaher", "Nouri", "Samadi", "Qasemi", "Hussein", "Jama", "Nur", "Ali",
        "Yousef", "Suleiman", "Ibrahim", "Bakri", "Fathi", "Ghirmay", "Andemariam", "Petrenko", "Savchenko",
        "Marchenko", "Rudenko", "Polishchuk", "Kuzmenko"]
UUID = re.compile(r"[0-9a-f]{8}(?=-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
MARK = "@@@@@@@@"
#: What a seed is walked to (by ``i % 10``) and how old it is (days since the koppeling).
SCENARIOS = ["stalled", "gesprekken", "samenvatting", "tekenen", "handhaving", "progress", "progress", "progress",
             "progress", "closed"]
#: Tables that are region data, not per case, or outboxes: never copied.
NOT_COPIED = {"municipality", "user_account", "coa_upload", "process_version", "recovery_code", "two_factor",
              "user_session", "account_reset", "activation_code", "data_copy", "notification", "process_draft",
              "process_migration", "case_migration", "alembic_version"}


SEED_REGISSEURS = 3


@dataclass
class Region:
    municipalities: list[Municipality]
    seed_regisseurs: list[int]          # the regisseurs the seeds were walked by (contiguous ids, municipality 1)
    teamleider: dict[int, int]          # municipality id → teamleider id
    regisseurs_per_municipality: int = 0
    reg_base: dict[int, int] = field(default_factory=dict)  # municipality id → its first regisseur (contiguous)
    seeds: int = 0
    copies: int = 0
    seed_s: float = 0.0
    multiply_s: float = 0.0


def _moment(day: date) -> datetime:
    return datetime.combine(day, clock_time(9), UTC)


def _contiguous(users: list[User]) -> int:
    for user in users:  # one by one: contiguous ids in insert order on both databases
        db.session.add(user)
        db.session.flush()
    assert [u.id for u in users] == list(range(users[0].id, users[0].id + len(users)))
    return users[0].id


def make_seed_region() -> Region:
    """The municipalities, a teamleider each, and the few regisseurs who walk the seeds."""
    deploy(note="bench scale")
    secret = hash_password("bench-wachtwoord")
    municipalities, teamleider = [], {}
    for code, name in MUNICIPALITIES:
        municipality = Municipality(code=code, name=name)
        db.session.add(municipality)
        db.session.flush()
        municipalities.append(municipality)
        lead = User(username=f"t{code}", display_name=f"Teamleider {name}", role=Role.TEAMLEIDER.value,
                    municipality_id=municipality.id, password_hash=secret)
        db.session.add(lead)
        db.session.flush()
        teamleider[municipality.id] = lead.id
    first = _contiguous([User(username=f"seed-r{n}", display_name=f"Seed Regisseur {n}",
                              role=Role.REGISSEUR.value, municipality_id=municipalities[0].id, password_hash=secret)
                         for n in range(SEED_REGISSEURS)])
    return Region(municipalities, list(range(first, first + SEED_REGISSEURS)), teamleider)


def region_from_db() -> Region:
    municipalities = list(db.session.scalars(select(Municipality).order_by(Municipality.id)))
    seed_ids = list(db.session.scalars(select(User.id).where(User.username.like("seed-r%")).order_by(User.id)))
    leads = {u.municipality_id: u.id
             for u in db.session.scalars(select(User).where(User.role == Role.TEAMLEIDER.value))}
    seeds = db.session.scalar(select(db.func.count(Case.id)))
    return Region(municipalities, seed_ids, leads, seeds=seeds)


def add_regisseurs(region: Region, cases: int) -> None:
    """~1 regisseur per 80 cases in every municipality (contiguous ids); the seed regisseurs step back."""
    secret = db.session.scalar(select(User.password_hash).where(User.id == region.seed_regisseurs[0]))
    per = max(1, math.ceil(cases / len(MUNICIPALITIES) / CASES_PER_REGISSEUR))
    for municipality in region.municipalities:
        code = municipality.code
        region.reg_base[municipality.id] = _contiguous([
            User(username=f"r{code}-{n:03d}", display_name=f"{FIRST[n % 60]} {LAST[(n * 7) % 80]} ({code}-{n})",
                 role=Role.REGISSEUR.value, municipality_id=municipality.id, password_hash=secret,
                 email=f"r{code}-{n}@gemeente.example") for n in range(per)])
    region.regisseurs_per_municipality = per
    db.session.execute(text("UPDATE user_account SET active = :f WHERE username LIKE 'seed-r%'"), {"f": False})


def _open_tasks(case: Case) -> list[HumanTask]:
    return list(db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id,
                                                           HumanTask.status == HumanTask.OPEN).order_by(HumanTask.id)))


def _answers(task: HumanTask, case: Case, today: date, finish: bool) -> dict:
    spec = form_spec_for(task)
    chosen = dict(OVERRIDES.get(task.bpmn_id, {}))
    if task.bpmn_id == "voortgangsgesprek":
        chosen = {**MEETING, "gesprek": {**MEETING["gesprek"], "datum": today.isoformat()},
                  "aanwezigheid": {**MEETING["aanwezigheid"], "peildatum": today.isoformat()},
                  "afspraken": {**MEETING["afspraken"], "vervolg": "afronden" if finish else "doorgaan"}}
    data = merge(sample_submission(spec, today, chosen), person_answers(case.v_number, case.language, task.bpmn_id))
    return sample_submission(spec, today, data)


def _try_complete(task: HumanTask, case: Case, user: User, finish: bool) -> bool:
    with db.session.begin_nested() as nested:
        try:
            complete_task(task.id, _answers(task, case, local_today(), finish), user)
        except Exception:  # noqa: BLE001 - a step the sample answers cannot take stays open (realistic too)
            nested.rollback()
            return False
    return True


def _sign(case: Case, newcomer: User) -> bool:
    from portal.plans.services import SignRequest, current_version, sign
    produce_due_documents()
    version = current_version(case)
    if version is None:
        return False
    with db.session.begin_nested() as nested:
        try:
            sign(case, newcomer, SignRequest(version_id=version.id, typed_name=case.full_name,
                                             password="bench-wachtwoord", consent=True, locale="nl"))
        except Exception:  # noqa: BLE001
            nested.rollback()
            return False
    return True


def drive(case: Case, clock, until: datetime, users: dict[str, User], finish_after: int | None) -> None:
    """Work every open step (regisseur, newcomer, teamleider) and fire timers until ``until``.

    ``finish_after``: the meeting after which the regisseur ends the term (a closed case); None: go on."""
    meetings, stuck = 0, set()
    for _round in range(400):
        workable = [t for t in _open_tasks(case) if t.id not in stuck and t.role in users]
        if workable:
            task = workable[0]
            if task.bpmn_id == "pip_ondertekenen" and not _sign(case, users["inburgeraar"]):
                stuck.add(task.id)
                continue
            finish = finish_after is not None and task.bpmn_id == "voortgangsgesprek" and meetings >= finish_after
            if _try_complete(task, case, users[task.role], finish):
                meetings += task.bpmn_id == "voortgangsgesprek"
                clock.shift(timedelta(hours=2))
            else:
                stuck.add(task.id)
            continue
        due = db.session.scalar(select(WorkflowInstance.next_timer_due).where(WorkflowInstance.case_id == case.id))
        if due is None or due + timedelta(seconds=1) >= until:
            return
        clock.move_to(due + timedelta(seconds=1))
        advance_case(case, datetime.now(UTC))


def fire_until(case: Case, clock, until: datetime) -> None:
    """Only the timers (a stalled case: nobody works on it; its escalations open)."""
    drive(case, clock, until, {}, None)


_rendered: dict[str, bytes] = {}


def _render_once_per_kind(document_id: int) -> bytes:
    """The worker's render and seal, done for real once per document kind; later documents of that kind
    get the same sealed bytes (a PDF costs ~1 s to render and seal: a few hundred seeds would take an hour).
    Their size is real; only their printed verification code is not theirs."""
    from portal.plans.documents import render_document
    from portal.plans.models import PlanDocument

    kind = db.session.get(PlanDocument, document_id).kind
    if kind not in _rendered:
        _rendered[kind] = render_document(document_id)
    return _rendered[kind]


def seed(region: Region, count: int, newcomer_hash: str, first: int = 0) -> list[int]:
    """Open ``count`` cases in the first municipality and walk each to its stage on its own clock."""
    import portal.worker
    portal.worker.render_document = _render_once_per_kind
    municipality = region.municipalities[0]
    today = local_today()
    now = _moment(today)
    regisseur_of = {}
    opened = []
    for i in range(first, first + count):
        scenario = SCENARIOS[i % len(SCENARIOS)]
        spread = (i * 7919) % 1000 / 1000  # deterministic, well spread in [0, 1)
        age = {"stalled": 3 + int(spread * 200), "gesprekken": 14 + int(spread * 50),
               "samenvatting": 21 + int(spread * 45), "tekenen": 40 + int(spread * 30),
               "handhaving": 14 + int(spread * 60), "progress": 80 + int(spread * 1000),
               "closed": 400 + int(spread * 700)}[scenario]
        koppeling = today - timedelta(days=age)
        n = 9_000_000_000 + i
        data = KoppelingData(v_nummer=str(n), voornaam=FIRST[i % 60], achternaam=LAST[(i * 13) % 80],
                             geboortedatum=date(1970 + i % 35, 1 + i % 12, 1 + i % 28), land_van_herkomst="Syrië",
                             taal="arabisch", huishoudgrootte=1 + i % 5, koppelingsdatum=koppeling,
                             azc_locatie="azc Utrecht", coa_contactpersoon="J. Jansen (COA)")
        with time_machine.travel(_moment(koppeling), tick=False) as clock:
            case = open_case(data, municipality, None, None, "bench.scale")
            regisseur_id = region.seed_regisseurs[case.id % len(region.seed_regisseurs)]
            case.regisseur_id = regisseur_id
            for task in _open_tasks(case):
                if task.role == Role.REGISSEUR.value:
                    task.assignee_id = regisseur_id
            regisseur = regisseur_of.setdefault(regisseur_id, db.session.get(User, regisseur_id))
            newcomer = User(username=f"n{n}", display_name=case.full_name, role=Role.INBURGERAAR.value,
                            municipality_id=municipality.id, password_hash=newcomer_hash, locale="ar")
            db.session.add(newcomer)
            db.session.flush()
            case.newcomer_user_id = newcomer.id
            users = {Role.REGISSEUR.value: regisseur, Role.INBURGERAAR.value: newcomer,
                     Role.TEAMLEIDER.value: db.session.get(User, region.teamleider[municipality.id])}

            def next_day(clock=clock):
                clock.shift(timedelta(days=1) if local_today() + timedelta(days=1) < today else timedelta(hours=1))

            if scenario == "stalled":
                fire_until(case, clock, now)
            elif scenario in ("gesprekken", "samenvatting", "tekenen", "handhaving"):
                _walk(case, scenario, regisseur, next_day)
                produce_due_documents()
                fire_until(case, clock, now)
            else:
                clock.shift(timedelta(days=10))
                drive(case, clock, now, users, 2 + i % 4 if scenario == "closed" else None)
        db.session.commit()
        opened.append(case.id)
    produce_due_documents()
    db.session.commit()
    return opened


# -- multiplying the seeds with SQL ------------------------------------------------------------------

def _sql(dialect: str) -> dict[str, str]:
    """Dialect pieces: ``{hex8}`` of an integer, zero padding, a year, and the JSON cast."""
    if dialect == "postgresql":
        return {"hex8": "lpad(to_hex({x}), 8, '0')", "pad": "lpad(CAST({x} AS TEXT), {n}, '0')",
                "year": "to_char({x}, 'YYYY')", "json": "CAST({x} AS JSON)", "text": "CAST({x} AS TEXT)",
                "mod": "MOD({a}, {b})"}
    return {"hex8": "printf('%08x', {x})", "pad": "printf('%0{n}d', {x})", "year": "substr({x}, 1, 4)",
            "json": "{x}", "text": "{x}", "mod": "(({a}) % ({b}))"}


def _copied_tables() -> list:
    """The tables that hang off a case (directly or through another copied table), parents first."""
    copied: list = []
    names = {"inburgering_case"}
    for table in db.metadata.sorted_tables:
        if table.name in NOT_COPIED:
            continue
        parents = {fk.column.table.name for c in table.columns for fk in c.foreign_keys}
        if table.name == "inburgering_case" or parents & names:
            names.add(table.name)
            copied.append(table)
    return copied


def _templates(dialect: str) -> list[tuple[int, str]]:
    """Per seed instance: its state as text with every UUID's first 8 hex digits replaced by MARK, and the
    case reference and municipality code marked, so a copy is one ``replace()`` in SQL."""
    column = "CAST(w.state AS TEXT)" if dialect == "postgresql" else "w.state"
    rows = db.session.execute(text(
        f"SELECT w.id, {column}, c.reference, m.code FROM workflow_instance w "
        f"JOIN inburgering_case c ON c.id = w.case_id JOIN municipality m ON m.id = c.municipality_id")).all()
    out = []
    for instance_id, state, reference, code in rows:
        marked = UUID.sub(MARK, state)
        marked = marked.replace(f'"reference": "{reference}"', '"reference": "@@REF@@"')
        marked = marked.replace(f'"gemeente": "{code}"', '"gemeente": "@@GEM@@"')
        out.append((instance_id, marked))
    return out


def _drop_indexes(session, dialect: str, tables: list[str]) -> list[str]:
    """Drop the (non-unique, non-key) indexes of ``tables``; returns the statements that recreate them."""
    if dialect == "postgresql":
        rows = session.execute(text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname "
            "JOIN pg_index x ON x.indexrelid = c.oid WHERE i.tablename = ANY(:t) AND NOT x.indisunique "
            "AND NOT x.indisprimary"), {"t": tables}).all()
    else:
        rows = session.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ("
            + ", ".join(f"'{t}'" for t in tables) + ") AND sql NOT LIKE 'CREATE UNIQUE%'")).all()
    for name, _ddl in rows:
        session.execute(text(f'DROP INDEX "{name}"'))
    session.commit()
    return [ddl for _name, ddl in rows]


def multiply(region: Region, copies: int) -> dict[str, int]:
    """Copy every seed ``copies - 1`` times (copy 0 is the seed itself); returns rows per table."""
    dialect = db.engine.dialect.name
    f = _sql(dialect)
    tables = _copied_tables()
    tables = [t for t in tables if "id" in t.c]  # case_retention (keyed by case) is made by the retention run
    top = {t.name: db.session.scalar(text(f"SELECT COALESCE(MAX(id), 0) FROM {t.name}")) for t in tables}
    seed_reg, seed_count = region.seed_regisseurs[0], len(region.seed_regisseurs)
    seed_lead = region.teamleider[region.municipalities[0].id]
    per = region.regisseurs_per_municipality
    session = db.session
    session.execute(text("CREATE TEMPORARY TABLE scale_copy (k INTEGER PRIMARY KEY, mid INTEGER, code VARCHAR(8), "
                         "reg_base INTEGER, lead INTEGER)"))
    session.execute(text("INSERT INTO scale_copy VALUES (:k, :mid, :code, :reg, :lead)"), [
        {"k": k, "mid": m.id, "code": m.code, "reg": region.reg_base[m.id], "lead": region.teamleider[m.id]}
        for k in range(1, copies) for m in [region.municipalities[k % len(region.municipalities)]]])
    session.execute(text("CREATE TEMPORARY TABLE scale_name (i INTEGER PRIMARY KEY, first VARCHAR(120), "
                         "last VARCHAR(120), first_key VARCHAR(120), last_key VARCHAR(120))"))
    session.execute(text("INSERT INTO scale_name VALUES (:i, :f, :l, :fk, :lk)"), [
        {"i": i, "f": FIRST[i % 60], "l": LAST[(i * 37) % 80], "fk": normalise(FIRST[i % 60]),
         "lk": normalise(LAST[(i * 37) % 80])} for i in range(60 * 80)])
    session.execute(text("CREATE TEMPORARY TABLE scale_state (id INTEGER PRIMARY KEY, template TEXT)"))
    session.execute(text("INSERT INTO scale_state VALUES (:id, :t)"),
                    [{"id": i, "t": t} for i, t in _templates(dialect)])
    case_id = "(t.id + c.k * {m})".format(m=top["inburgering_case"])

    def new_case(col: str = "t.case_id") -> str:
        return f"({col} + c.k * {top['inburgering_case']})"

    def regisseur(case_expr: str) -> str:
        return f"(c.reg_base + {f['mod'].format(a=case_expr, b=per)})"

    def user(col: str, has_case: bool) -> str:
        if not has_case:
            return col
        return (f"CASE WHEN {col} BETWEEN {seed_reg} AND {seed_reg + seed_count - 1} THEN {regisseur(new_case())} "
                f"WHEN {col} = {seed_lead} THEN c.lead ELSE {col} END")

    def hex_prefixed(col: str) -> str:
        return f"CASE WHEN {col} IS NULL THEN NULL ELSE {f['hex8'].format(x='c.k')} || substr({col}, 9) END"

    special = {
        ("inburgering_case", "reference"): f"c.code || '-' || {f['year'].format(x='t.koppeling_date')} || '-' || "
                                           f"{f['pad'].format(x=case_id, n=6)}",
        ("inburgering_case", "v_number"): f"{f['text'].format(x=f'(9100000000 + {case_id})')}",
        ("inburgering_case", "first_name"): "n.first",
        ("inburgering_case", "last_name"): "n.last",
        ("inburgering_case", "search_key"): f"n.first_key || ' ' || n.last_key || ' ' || c.code || '-' || "
                                            f"{f['year'].format(x='t.koppeling_date')} || '-' || "
                                            f"{f['pad'].format(x=case_id, n=6)} || ' ' || "
                                            f"{f['text'].format(x=f'(9100000000 + {case_id})')}",
        ("inburgering_case", "regisseur_id"): regisseur(case_id),
        ("inburgering_case", "newcomer_user_id"): "NULL",  # an account of its own: _newcomer_accounts
        ("human_task", "engine_task_id"): hex_prefixed("t.engine_task_id"),
        ("human_task", "origin_task_id"): hex_prefixed("t.origin_task_id"),
        ("human_task", "assignee_id"): f"CASE WHEN t.role = 'regisseur' THEN {regisseur(new_case())} "
                                       f"WHEN t.role = 'inburgeraar' THEN NULL ELSE t.assignee_id END",
        ("plan_version", "sha256"): hex_prefixed("t.sha256"),
        ("plan_signature", "version_sha256"): hex_prefixed("t.version_sha256"),
        # the PDF bytes stay with the seeds (a few hundred KB per case would make 100,000 cases tens of GB);
        # copies keep the row, its status and hash: what the pages read
        ("plan_document", "pdf"): "NULL",
        ("plan_document", "verification_code"): f"'S' || {f['text'].format(x='(t.id + c.k * {m})')}".format(
            m=top.get("plan_document", 0)),
        ("workflow_instance", "state"): f['json'].format(
            x=f"replace(replace(replace(s.template, '{MARK}', {f['hex8'].format(x='c.k')}), '@@REF@@', "
              f"c.code || '-' || {f['year'].format(x='ci.koppeling_date')} || '-' || "
              f"{f['pad'].format(x=new_case(), n=6)}), '@@GEM@@', c.code)"),
    }
    counts = {}
    # SQLite: the copied case rows go through the triggers of the search index (cases.models.SEARCH_INDEX_DDL),
    # so case_search is complete afterwards; at 100,000 cases they add 0.5 s to the 0.9 s of the INSERT, about
    # what one 'rebuild' at the end would cost (0.6 s): no reason to drop them here like the indexes
    indexes = _drop_indexes(session, dialect, [t.name for t in tables])
    for table in tables:
        has_case = "case_id" in table.c
        exprs = []
        for column in table.columns:
            key = (table.name, column.name)
            fks = list(column.foreign_keys)
            if key in special:
                exprs.append(special[key])
            elif column.name == "id":
                exprs.append(f"t.id + c.k * {top[table.name]}")
            elif fks and fks[0].column.table.name == "municipality":
                exprs.append("c.mid")
            elif fks and fks[0].column.table.name == "user_account":
                exprs.append(user(f"t.{column.name}", has_case))
            elif fks and fks[0].column.table.name in top:
                parent = fks[0].column.table.name
                exprs.append(f"t.{column.name} + c.k * {top[parent]}")
            else:
                exprs.append(f"t.{column.name}")
        joins = ""
        if table.name == "inburgering_case":
            joins = f" JOIN scale_name n ON n.i = {f['mod'].format(a=case_id, b=60 * 80)}"
        elif table.name == "workflow_instance":
            joins = " JOIN scale_state s ON s.id = t.id JOIN inburgering_case ci ON ci.id = t.case_id"
        columns = ", ".join(f'"{c.name}"' for c in table.columns)
        started = time.perf_counter()
        result = session.execute(text(
            f"INSERT INTO {table.name} ({columns}) SELECT {', '.join(exprs)} FROM {table.name} t "
            f"CROSS JOIN scale_copy c{joins} WHERE t.id <= {top[table.name]}"))
        counts[table.name] = result.rowcount
        session.commit()
        print(f"  {table.name}: {result.rowcount} rows in {time.perf_counter() - started:.1f} s", flush=True)
    _newcomer_accounts(session)
    started = time.perf_counter()
    for ddl in indexes:  # one sorted build per index instead of millions of index inserts
        session.execute(text(ddl))
    session.commit()
    print(f"  indexes rebuilt in {time.perf_counter() - started:.1f} s", flush=True)
    if dialect == "postgresql":
        for table in [*tables, User.__table__]:  # the newcomers' accounts too
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                 f"(SELECT MAX(id) FROM {table.name}))"))
        session.commit()
        # as autovacuum leaves a production database: statistics, and the visibility map that lets
        # PostgreSQL answer from an index alone (a freshly loaded table has none: every index entry
        # would send it to the table)
        with session.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM (ANALYZE)"))
    else:
        session.execute(text("ANALYZE"))
    session.commit()
    return counts


def _newcomer_accounts(session) -> None:
    """An account for the newcomer of every copied case, as in a municipality where each newcomer signs
    their plan online: a region's user_account holds its 100,000 newcomers besides a few hundred staff, and
    the staff pages that look up staff (the workload's regisseurs) must not read them all."""
    started = time.perf_counter()
    top = session.scalar(text("SELECT COALESCE(MAX(id), 0) FROM user_account"))
    found = session.execute(text(
        "INSERT INTO user_account (id, username, display_name, role, municipality_id, locale, active, "
        "created_at, updated_at) "
        f"SELECT {top} + id, 'c' || CAST(id AS VARCHAR(20)), first_name || ' ' || last_name, 'inburgeraar', "
        "municipality_id, 'ar', TRUE, created_at, updated_at FROM inburgering_case WHERE newcomer_user_id IS NULL"))
    session.execute(text(f"UPDATE inburgering_case SET newcomer_user_id = {top} + id WHERE newcomer_user_id IS NULL"))
    session.commit()
    print(f"  user_account: {found.rowcount} newcomers in {time.perf_counter() - started:.1f} s", flush=True)


def build_seeds(seeds: int) -> Region:
    started = time.perf_counter()
    region = make_seed_region()
    db.session.commit()
    # the newcomers sign with their password: a cheap argon2 hash (the portal's verify reads its parameters)
    seed(region, seeds, PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("bench-wachtwoord"))
    region.seeds = seeds
    region.seed_s = time.perf_counter() - started
    return region


def grow(region: Region, cases: int) -> None:
    """Regisseurs for ``cases``, the seeds handed to them, then the copies."""
    started = time.perf_counter()
    add_regisseurs(region, cases)
    first = region.municipalities[0].id
    mod = _sql(db.engine.dialect.name)["mod"].format(a="{x}", b=region.regisseurs_per_municipality)
    reg = f"({region.reg_base[first]} + {mod})"
    db.session.execute(text(f"UPDATE inburgering_case SET regisseur_id = {reg.format(x='id')}"))
    db.session.execute(text(f"UPDATE human_task SET assignee_id = {reg.format(x='case_id')} WHERE role = 'regisseur'"))
    db.session.commit()
    region.copies = max(1, math.ceil(cases / region.seeds))
    if region.copies > 1:
        multiply(region, region.copies)
    region.multiply_s = time.perf_counter() - started
