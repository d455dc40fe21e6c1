"""A region at scale: every staff page's p50/p95, task completion against the engine step, the timer
sweep, and the database size per case — on SQLite or PostgreSQL, at 1,000 / 10,000 / 100,000 cases.

Builds the region with ``bench/scale_build.py`` (seeds walked through the real process on a frozen
clock, multiplied with SQL), then requests every page over the real WSGI app (Flask test client,
logged in through the login form, warm-up first) and prints a markdown table (``--json`` too).

    python bench/scale.py --cases 1000 10000 [--db sqlite|postgresql] [--seeds 200] [--json]

PostgreSQL: a scratch database ``portal_scale_<pid>`` is created on ``--pg`` (default
postgresql+psycopg://postgres@127.0.0.1:5432) and dropped afterwards.

``--keep`` keeps each region built and prints its URL ("region kept: …"); ``--existing URL`` measures such a
region again without building it (the timer sweep fires its timers: a region is measured in place a few
times, not forever).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's portal, not another installed one
sys.path.insert(0, str(ROOT / "bench"))

from common import TOKEN, logged_in  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402

from portal import create_app  # noqa: E402

TIMERS = 5_000  # --timers


def _app(url: str, workdir: Path):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False,
                       "TWO_FACTOR_ROLES": (), "SECRET_KEY": "bench", "SEAL_KEY": str(workdir / "dev-key.pem"),
                       "SEAL_CERT": str(workdir / "dev-cert.pem")})


def _percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 1), "p95": round(p95, 1), "n": len(ordered)}


def timed_get(client, urls: list[str], repeat: int) -> dict[str, float]:
    for url in urls:  # warm-up: templates compiled, caches filled
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
    times, cpu = [], []
    for _ in range(repeat):
        for url in urls:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    # the CPU time of this process: on a shared machine, what the page costs without waiting for a core
    # (SQLite runs in-process, so it counts; a PostgreSQL server's work does not)
    return {**_percentiles(times), "cpu_p50": round(statistics.median(cpu), 1)}


def _pages(app, repeat: int) -> dict[str, dict]:
    """Every staff page, as the busiest regisseur and the teamleider of the first municipality."""
    from portal.auth.models import User
    from portal.cases.models import Case
    from portal.extensions import db
    from portal.plans.models import Plan
    from portal.tasks.models import HumanTask

    with app.app_context():
        municipality_id = db.session.scalar(text("SELECT id FROM municipality WHERE code = '0344'"))
        busiest = db.session.execute(text(
            "SELECT assignee_id, COUNT(*) FROM human_task WHERE status = 'open' AND role = 'regisseur' "
            "AND municipality_id = :m GROUP BY assignee_id ORDER BY COUNT(*) DESC LIMIT 1"),
            {"m": municipality_id}).first()
        regisseur = db.session.get(User, busiest[0])
        lead = db.session.scalar(select(User).where(User.role == "teamleider", User.municipality_id == municipality_id))
        mine = list(db.session.scalars(select(Case).where(Case.regisseur_id == regisseur.id).order_by(Case.id)))
        sample = mine[:: max(1, len(mine) // 10)][:10]
        someone = sample[len(sample) // 2]
        step = db.session.scalar(select(HumanTask.bpmn_id).where(HumanTask.assignee_id == regisseur.id,
                                                                   HumanTask.status == "open").limit(1))
        stage = someone.stage_label
        tasks = list(db.session.scalars(select(HumanTask.id).where(
            HumanTask.assignee_id == regisseur.id, HumanTask.status == "open").limit(10)))
        plans = list(db.session.scalars(select(Plan.case_id).join(Case, Case.id == Plan.case_id).where(
            Case.regisseur_id == regisseur.id).limit(10)))
        facts = {"regisseur_open_tasks": busiest[1], "regisseur_cases": len(mine),
                 "municipality_cases": db.session.scalar(select(db.func.count(Case.id)).where(
                     Case.municipality_id == municipality_id))}
        names = (someone.last_name, someone.last_name[:4], someone.v_number, someone.reference)
    r = logged_in(app, regisseur.username)
    t = logged_in(app, lead.username)
    pages = {
        "regisseur worklist": (r, ["/tasks/"]),
        "regisseur worklist, sorted by name": (r, ["/tasks/?sort=name", "/tasks/?sort=stage&dir=desc"]),
        "regisseur worklist, filtered (step, stage, late)": (r, [f"/tasks/?step={step}", f"/tasks/?stage={stage}",
                                                                  "/tasks/?overdue=y"]),
        "worklist search: name": (r, [f"/tasks/?q={names[0]}"]),
        "worklist search: part of a name": (r, [f"/tasks/?q={names[1]}"]),
        "worklist search: V-number": (r, [f"/tasks/?q={names[2]}"]),
        "teamleider worklist": (t, ["/tasks/"]),
        "teamleider team worklist (all cases)": (t, ["/tasks/?scope=team"]),
        "teamleider team worklist, one regisseur": (t, [f"/tasks/?scope=team&regisseur={regisseur.id}"]),
        "case list": (r, ["/cases/"]),
        "case list, mine / stage / search": (r, ["/cases/?mine=y", f"/cases/?stage={someone.stage}",
                                                 f"/cases/?q={names[0]}", f"/cases/?q={names[3]}"]),
        "case page": (r, [f"/cases/{case.id}" for case in sample]),
        "task page (GET)": (r, [f"/tasks/{task_id}" for task_id in tasks]),
        "PIP page": (r, [f"/cases/{case_id}/plan/" for case_id in plans] or ["/cases/"]),
        "team workload": (t, ["/tasks/team"]),
    }
    results = {name: timed_get(client, urls, repeat) for name, (client, urls) in pages.items()}
    return {"facts": facts, "pages": results, "regisseur": regisseur.username}


def _completion(app, username: str, count: int) -> dict[str, dict]:
    """POST the regisseur's open tasks (sample answers); before each, the engine step alone on the same state."""
    from scale_build import _answers

    from portal.demo import form_fields
    from portal.engine import DeployedProcess
    from portal.extensions import db
    from portal.processes.models import ProcessVersion
    from portal.processes.services import runtime_for
    from portal.tasks.models import HumanTask, WorkflowInstance

    client = logged_in(app, username)
    posts, engine, refused = [], [], 0
    with app.app_context():
        from portal.auth.models import User
        user = db.session.scalar(select(User).where(User.username == username))
        candidates = list(db.session.scalars(select(HumanTask).where(
            HumanTask.assignee_id == user.id, HumanTask.status == "open",
            HumanTask.bpmn_id.in_(("intake_leerbaarheid", "intake_opleiding_werk", "intake_persoonlijke_omstandigheden",
                                   "intake_leefgebieden", "participatieladder_intake", "kennismakingsgesprek",
                                   "voortgangsgesprek"))).limit(count * 2)))
        work = []
        for task in candidates:
            answers = _answers(task, task.case, datetime.now(UTC).date(), False)
            instance = db.session.scalar(select(WorkflowInstance).where(WorkflowInstance.case_id == task.case_id))
            stored = json.dumps(instance.state)
            work.append((task.id, task.engine_task_id, answers, stored, instance.process_version_id))
        db.session.rollback()
    for task_id, engine_id, answers, stored, version in work[:count]:
        with app.app_context():
            runtime: DeployedProcess = runtime_for(db.session.get(ProcessVersion, version))
            for _ in range(2):  # the same state, twice: the second is the warm figure
                started = time.perf_counter()
                result = runtime.complete(json.loads(stored), engine_id, answers)
                json.dumps(result.state)
                spent = (time.perf_counter() - started) * 1000
            engine.append(spent)
        html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
        token = TOKEN.search(html).group(1)
        started = time.perf_counter()
        response = client.post(f"/tasks/{task_id}", data={**form_fields(answers), "csrf_token": token})
        spent = (time.perf_counter() - started) * 1000
        if response.status_code == 302:
            posts.append(spent)
        else:
            refused += 1
            engine.pop()
    return {"task completion (POST)": _percentiles(posts) if posts else {},
            "engine step alone, same state": _percentiles(engine) if engine else {}, "refused": refused}


def _choose_timers(app, wanted: int) -> tuple[datetime, int]:
    """The moment at which ``wanted`` timers are due; other due cases are set aside (kept in a table)."""
    from portal.extensions import db
    with app.app_context():
        db.session.execute(text("CREATE TABLE IF NOT EXISTS scale_aside (id INTEGER PRIMARY KEY, due VARCHAR(40))"))
        db.session.commit()
    if _has_aside(app):  # an earlier sweep on this region stopped before it gave them back: never lose them
        _restore_timers(app)
    with app.app_context():
        rows = db.session.execute(text(
            "SELECT id, next_timer_due FROM workflow_instance WHERE next_timer_due IS NOT NULL "
            "AND completed = :f ORDER BY next_timer_due, id"), {"f": False}).all()
        chosen = rows[:wanted]
        if not chosen:
            raise SystemExit("no timer left to fire in this region")
        moment = max(row[1] for row in chosen)
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) + timedelta(seconds=1)
        aside = [row[0] for row in rows[wanted:]]
        for start in range(0, len(aside), 5000):
            part = aside[start:start + 5000]
            db.session.execute(text("INSERT INTO scale_aside SELECT id, CAST(next_timer_due AS VARCHAR(40)) FROM "
                                    "workflow_instance WHERE id IN (" + ",".join(map(str, part)) + ")"))
            db.session.execute(text("UPDATE workflow_instance SET next_timer_due = NULL WHERE id IN ("
                                    + ",".join(map(str, part)) + ")"))
        db.session.commit()
        return moment, len(chosen)


def _has_aside(app) -> bool:
    from portal.extensions import db
    with app.app_context():
        return db.session.scalar(text("SELECT COUNT(*) FROM scale_aside")) > 0


def _restore_timers(app) -> None:
    """Give the cases set aside by :func:`_choose_timers` their next timer back."""
    from portal.extensions import db
    with app.app_context():
        db.session.execute(text("UPDATE workflow_instance SET next_timer_due = (SELECT a.due FROM scale_aside a "
                                "WHERE a.id = workflow_instance.id) WHERE id IN (SELECT id FROM scale_aside)"
                                if db.engine.dialect.name == "sqlite" else
                                "UPDATE workflow_instance w SET next_timer_due = CAST(a.due AS TIMESTAMPTZ) "
                                "FROM scale_aside a WHERE a.id = w.id"))
        db.session.execute(text("DELETE FROM scale_aside"))
        db.session.commit()


def timer_worker(url: str, moment: str, out: str) -> None:
    """One worker process: fire every due timer at ``moment`` (frozen clock); log each (case, due) fired."""
    import time_machine

    from portal.extensions import db
    from portal.tasks import workflow
    from portal.worker import drain

    fired = []
    original = workflow._advance

    def logging_advance(case, instance, now):
        if workflow._due(instance, now):
            fired.append([case.id, str(instance.next_timer_due)])
        return original(case, instance, now)

    workflow._advance = logging_advance
    at = datetime.fromisoformat(moment)
    app = _app(url, Path(tempfile.mkdtemp()))
    with app.app_context(), time_machine.travel(at, tick=False):
        drain(lambda: workflow.advance_due_instance(at))
        db.session.commit()
    Path(out).write_text(json.dumps(fired))


def _sweep(app, url: str, workers: int, timers: int) -> dict:
    moment, chosen = _choose_timers(app, timers)
    outs = [tempfile.mktemp(suffix=".json") for _ in range(workers)]
    started = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, __file__, "--timer-worker", url, moment.isoformat(), out])
             for out in outs]
    codes = [p.wait() for p in procs]
    seconds = time.perf_counter() - started
    fired = [tuple(item) for out in outs if Path(out).exists() for item in json.loads(Path(out).read_text())]
    from portal.extensions import db
    with app.app_context():
        left = db.session.scalar(text("SELECT COUNT(*) FROM workflow_instance WHERE next_timer_due < :m"),
                                 {"m": moment.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else moment})
    cases = {case for case, _due in fired}
    _restore_timers(app)
    return {"workers": workers, "due": chosen, "seconds": round(seconds, 1), "fired": len(fired),
            "cases": len(cases), "double_fired": len(fired) - len(set(fired)), "still_due": left,
            "exit_codes": codes,
            "exactly_once": len(fired) == len(set(fired)) and len(cases) >= chosen and not any(codes)}


def _size(app, cases: int) -> dict:
    from portal.extensions import db
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            total = db.session.scalar(text("SELECT pg_database_size(current_database())"))
        else:
            db.session.commit()
            path = db.engine.url.database
            total = sum(os.path.getsize(p) for p in (path, f"{path}-wal") if os.path.exists(p))
        state = db.session.scalar(text(
            "SELECT AVG(LENGTH(CAST(state AS TEXT))) FROM workflow_instance"))
        audit = db.session.scalar(text("SELECT COUNT(*) FROM audit_event"))
    return {"db_mb": round(total / 1e6, 1), "kb_per_case": round(total / 1024 / cases, 1),
            "state_kb_avg": round(float(state) / 1024, 1), "audit_rows_per_case": round(audit / cases, 1)}


def _pg_admin(pg: str):
    return create_engine(f"{pg}/postgres", isolation_level="AUTOCOMMIT")


def _pg_create(pg: str, name: str, template: str | None = None) -> str:
    with _pg_admin(pg).connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else "")))
    return f"{pg}/{name}"


def _pg_drop(pg: str, name: str) -> None:
    with _pg_admin(pg).connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def make_seeds(dialect: str, seeds: int, pg: str, cache: Path | None) -> tuple[str, dict]:
    """The seed database (walked through the real process); returns its URL (SQLite: a file) and facts."""
    from scale_build import build_seeds

    from portal.extensions import db

    workdir = Path(tempfile.mkdtemp())
    if dialect == "postgresql":
        url = _pg_create(pg, f"portal_scale_seed_{os.getpid()}")
        if cache is not None and cache.exists():  # the SQLite seeds, copied row by row (same day only)
            return url, _copy_seeds(cache, url, workdir)
    elif cache is not None and cache.exists():
        return str(cache), {"seeds": None, "seed_s": 0.0, "cached": True}
    else:
        url = f"sqlite:///{cache or workdir / 'seed.sqlite3'}"
    app = _app(url, workdir)
    with app.app_context():
        upgrade()
        region = build_seeds(seeds)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return (url if dialect == "postgresql" else str(cache or workdir / "seed.sqlite3")), {
        "seeds": region.seeds, "seed_s": round(region.seed_s, 1), "cached": False}


def _copy_seeds(source: Path, url: str, workdir: Path) -> dict:
    """Fill the PostgreSQL seed database from a SQLite seed file: every table, rows as they are."""
    from portal.extensions import db

    started = time.perf_counter()
    with _app(f"sqlite:///{source}", workdir).app_context():  # a cached seed file from before a migration
        upgrade()
        db.session.remove()
        db.engine.dispose()
    app = _app(url, workdir)
    with app.app_context():
        upgrade()
        target = db.engine
        origin = create_engine(f"sqlite:///{source}")
        with origin.connect() as read, target.begin() as write:
            for table in reversed(db.metadata.sorted_tables):
                write.execute(table.delete())
            for table in db.metadata.sorted_tables:
                rows = [dict(row._mapping) for row in read.execute(table.select())]
                if rows:
                    write.execute(table.insert(), rows)
                if "id" in table.c:
                    write.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                       f"GREATEST((SELECT MAX(id) FROM {table.name}), 1))"))
        seeds = db.session.scalar(text("SELECT COUNT(*) FROM inburgering_case"))
        db.session.remove()
        db.engine.dispose()
        origin.dispose()
    return {"seeds": seeds, "seed_s": round(time.perf_counter() - started, 1), "cached": True}


def measure(app, url: str, dialect: str, repeat: int, timers: int) -> dict:
    from portal.extensions import db

    # as gunicorn's pre_fork hook does in production (deploy/gunicorn.conf.py): what is loaded by now is
    # left out of garbage collection, whose full runs otherwise cost a page ~100 ms now and then
    gc.collect()
    gc.freeze()

    with app.app_context():
        real = db.session.scalar(text("SELECT COUNT(*) FROM inburgering_case"))
    load = os.getloadavg()[0]
    pages = _pages(app, repeat)
    completion = _completion(app, pages["regisseur"], 15)
    size = _size(app, real)
    sweep = _sweep(app, url, 2 if dialect == "postgresql" else 1, timers)
    return {"database": dialect, "cases": real, **pages["facts"],
            "load_avg_1min": round(load, 2), "load_avg_end": round(os.getloadavg()[0], 2),
            "pages": {**pages["pages"], **{k: v for k, v in completion.items() if k != "refused"}},
            "completion_refused": completion["refused"], "size": size, "timer_sweep": sweep}


def run_one(dialect: str, cases: int, seed_source: str, seed_facts: dict, repeat: int, pg: str,
            timers: int = TIMERS, keep: bool = False) -> dict:
    from scale_build import grow, region_from_db

    from portal.extensions import db

    workdir = Path(tempfile.mkdtemp())
    scratch = None
    if dialect == "postgresql":
        scratch = f"portal_scale_{os.getpid()}_{cases}"
        url = _pg_create(pg, scratch, template=seed_source.rsplit("/", 1)[1])
    else:
        shutil.copy(seed_source, workdir / "scale.sqlite3")
        url = f"sqlite:///{workdir / 'scale.sqlite3'}"
    app = _app(url, workdir)
    try:
        with app.app_context():
            upgrade()  # a cached seed database from before a migration
            region = region_from_db()
            grow(region, cases)
        report = measure(app, url, dialect, repeat, timers)
        return {**report, "seeds": region.seeds, "copies": region.copies,
                "build_s": {"seeds": seed_facts["seed_s"], "multiply": round(region.multiply_s, 1)},
                "regisseurs_per_municipality": region.regisseurs_per_municipality}
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if keep:  # measured again later with --existing
            print(f"region kept: {url}", file=sys.stderr, flush=True)
        elif scratch:
            _pg_drop(pg, scratch)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def table(reports: list[dict]) -> str:
    heads = [f"{r['database']} {r['cases']:,}" for r in reports]
    lines = ["| page: p50 / p95 ms (CPU p50 of the app process) | " + " | ".join(heads) + " |",
             "|---|" + "---|" * len(reports)]
    for name in reports[0]["pages"]:
        cells = []
        for r in reports:
            cell = r["pages"].get(name) or {}
            cpu = f" ({cell['cpu_p50']})" if "cpu_p50" in cell else ""
            cells.append(f"{cell.get('p50', '–')} / {cell.get('p95', '–')}{cpu}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    rows = {
        "timer sweep: due / fired / seconds (workers)": lambda r: (
            f"{r['timer_sweep']['due']:,} / {r['timer_sweep']['fired']:,} / {r['timer_sweep']['seconds']} s "
            f"({r['timer_sweep']['workers']}) "
            f"{'exactly once' if r['timer_sweep']['exactly_once'] else 'NOT exactly once'}"),
        "database size per case (KB); state KB": lambda r: f"{r['size']['kb_per_case']}; {r['size']['state_kb_avg']}",
        "audit rows per case": lambda r: str(r["size"]["audit_rows_per_case"]),
        "build: seeds / multiply (s)": lambda r: (f"{r['build_s']['seeds']} / {r['build_s']['multiply']}"
                                                  if "build_s" in r else "–"),
        "regisseur: cases / open tasks": lambda r: f"{r['regisseur_cases']} / {r['regisseur_open_tasks']}",
        "load average (1 min) at start / end": lambda r: f"{r['load_avg_1min']} / {r['load_avg_end']}",
    }
    for name, cell in rows.items():
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in reports) + " |")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--timer-worker":
        timer_worker(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[1000])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20, help="timed rounds over each page's URLs")
    parser.add_argument("--existing", metavar="URL", help="measure this already built region (no build, no drop)")
    parser.add_argument("--timers", type=int, default=TIMERS, help="due timers the sweep fires")
    parser.add_argument("--seed-cache", type=Path, help="keep the SQLite seed database in this file and reuse "
                        "it (PostgreSQL: copy its rows); valid on the day it was built (seeds are walked up to today)")
    parser.add_argument("--keep", action="store_true", help="keep each region built (its URL is printed) to "
                        "measure it again with --existing")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.existing:  # measure a region built before (e.g. by an earlier run with --keep)
        app = _app(args.existing, Path(tempfile.mkdtemp()))
        with app.app_context():
            upgrade()
        report = measure(app, args.existing, args.db, args.repeat, args.timers)
        print(json.dumps(report), file=sys.stderr, flush=True)
        print(json.dumps([report], indent=2) if args.json else table([report]))
        return
    reports = []
    seed_source, seed_facts = make_seeds(args.db, min(args.seeds, min(args.cases)), args.pg, args.seed_cache)
    print(f"seeds ready: {seed_facts}", file=sys.stderr, flush=True)
    try:
        for cases in args.cases:
            report = run_one(args.db, cases, seed_source, seed_facts, args.repeat, args.pg, args.timers, args.keep)
            reports.append(report)
            print(json.dumps(report), file=sys.stderr, flush=True)
    finally:
        if args.db == "postgresql":
            _pg_drop(args.pg, seed_source.rsplit("/", 1)[1])
    print(json.dumps(reports, indent=2) if args.json else table(reports))


if __name__ == "__main__":
    main()
