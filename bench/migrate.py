"""Time moving running cases to a new process version (``portal bpmn migrate``) and rolling back.

Opens N cases through the real services (a tenth of them walked into the intake conversations, the
rest waiting at the kennismakingsgesprek with the intake timer running), deploys version N+1 (the
same change as tests/tasks/test_migration.py: a shorter reminder, a step added, one removed), then
times the dry run, the migration and the rollback over all cases on a fresh SQLite file (or
PORTAL_DATABASE_URL, a scratch database).

    python bench/migrate.py --cases 10000 [--json]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's portal and tests, not another installed one

from common import PASSWORD, bench_app  # noqa: E402


def phase(text: str) -> None:
    """Each phase as it ends (a long run on a busy machine still reports what it measured)."""
    print(f"[{time.strftime('%H:%M:%S')}, load {os.getloadavg()[0]:.1f}] {text}", file=sys.stderr, flush=True)


@contextmanager
def profiled(profiler: cProfile.Profile | None, path: str | None):
    if profiler is None:
        yield
        return
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        profiler.dump_stats(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", metavar="PREFIX",
                        help="Write cProfile stats of the dry run and the migration to PREFIX-dry.prof/-migrate.prof")
    args = parser.parse_args()

    from portal.demo import staff_with_cases
    from portal.extensions import db
    from portal.processes.services import deploy
    from portal.tasks import migration
    from tests.factories import complete
    from tests.tasks.test_migration import next_version

    app = bench_app()
    with app.app_context():
        started = time.perf_counter()
        _municipality, ria, cases = staff_with_cases(args.cases, PASSWORD)
        for case in cases[::10]:  # a tenth further on: the intake conversations are open
            complete(case, "kennismakingsgesprek", ria, startscenario="gecombineerd")
        db.session.commit()
        build_s = time.perf_counter() - started
        phase(f"built {args.cases} cases in {build_s:.1f} s")
        app.config["WORKFLOWS_DIR"] = str(next_version(Path(tempfile.mkdtemp())))
        target, _ = deploy(note="bench N+1")
        db.session.commit()

        profiler = cProfile.Profile() if args.profile else None
        started, cpu = time.perf_counter(), time.process_time()
        with profiled(profiler, args.profile and f"{args.profile}-dry.prof"):
            verdicts = list(migration.dry_run(target))
        dry_s, dry_cpu = time.perf_counter() - started, time.process_time() - cpu
        phase(f"dry run {dry_s:.1f} s (cpu {dry_cpu:.1f} s)")

        profiler = cProfile.Profile() if args.profile else None
        started, cpu = time.perf_counter(), time.process_time()
        with profiled(profiler, args.profile and f"{args.profile}-migrate.prof"):
            run = migration.migrate_cases(target, on_chunk=lambda *_: db.session.commit())
            db.session.commit()
        migrate_s, migrate_cpu = time.perf_counter() - started, time.process_time() - cpu
        phase(f"migration {migrate_s:.1f} s (cpu {migrate_cpu:.1f} s)")

        started = time.perf_counter()
        _run, restored, kept = migration.rollback(run.id, on_chunk=lambda *_: db.session.commit())
        db.session.commit()
        rollback_s = time.perf_counter() - started

        database = db.engine.dialect.name
        result = {"cases": args.cases, "database": database, "load_average_1m": round(os.getloadavg()[0], 2),
                  "build_s": round(build_s, 1), "dry_run_s": round(dry_s, 1),
                  "dry_run_ms_per_case": round(dry_s * 1000 / args.cases, 1),
                  "dry_run_cpu_ms_per_case": round(dry_cpu * 1000 / args.cases, 1),
                  "movable": sum(v.verdict.movable for v in verdicts), "migrate_s": round(migrate_s, 1),
                  "moved": run.moved, "failed": run.failed,
                  "migrate_ms_per_case": round(migrate_s * 1000 / args.cases, 1),
                  "migrate_cpu_ms_per_case": round(migrate_cpu * 1000 / args.cases, 1),
                  "rollback_s": round(rollback_s, 1), "restored": restored, "kept": kept}
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
