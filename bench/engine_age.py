"""Engine cost of a long case: run the progress loop N times and time one check at each checkpoint.

A *check* is what one progress check costs the portal: the timer request that wakes the case, then
one request per task that becomes ready, until the case waits again with nothing to do. Every
request goes through the real path: the stored JSON is loaded (``json.loads``), the deployed
process advances or completes a task, and the new state is saved (``json.dumps``, like the JSON
column). Tasks are answered with ``portal.demo.sample_submission`` (plus OVERRIDES and
BENCH_ANSWERS, and BENCH_FACTS where the portal would pass facts); the clock jumps to one second
after the next timer when nothing is ready.

The loop is found generically: check 0 is the first time the case waits with no ready task after
a task of the loop process (``--loop-process``, default ``voortgang``) was ready. At each
checkpoint the same check is repeated ``--repeat`` times from the same stored state.

    python bench/engine_age.py --checks 1,12,36,100,1000 [--json] [--repeat 15]
        [--source workflows --entry inburgering --loop-process voortgang]

Exits 1 when a check fails or the last checkpoint costs more than 1.2x the first.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import time_machine

from portal.demo import OVERRIDES, sample_submission
from portal.engine import DeployedProcess, StepResult, load_source

ROOT = Path(__file__).resolve().parent.parent
#: The process whose tasks make up the loop (a call activity's process, or the entry process).
LOOP_PROCESS = "voortgang"
START = datetime(2026, 1, 5, 9, tzinfo=UTC)
#: Extra start data, merged over the case part of ``portal.tasks.workflow.case_start_data``: the
#: escalation deadlines as ``portal.config`` sets them by default, and the first PIP's due date.
START_DATA_EXTRA: dict[str, Any] = {
    "termijnen": {"intake_start": "P4W", "ondertekening": "P28D", "gesprek_te_laat": "P14D",
                  "pip_wijziging": "P8W", "zelfbeoordeling_dagen": 7},
    "pip_uiterlijk": (START.date() + timedelta(weeks=10)).isoformat(),
    "plan_vastgesteld": False,
}
#: Answers per task (BPMN id) that keep the case in the loop; merged over the sample submission (and
#: OVERRIDES). The newcomer signs; every meeting goes on to the next one.
BENCH_ANSWERS: dict[str, dict[str, Any]] = {
    "pip_ondertekenen": {"besluit": "akkoord"},
    "voortgangsgesprek": {"afspraken": {"volgende_stappen": "Doorgaan.", "samenvatting": "Het gaat goed.",
                                        "vervolg": "doorgaan"}},
}
#: A term end the loop never reaches, so that the bench measures the loop, not the end of the term.
FAR_TERM_END = "9000-01-01"


def _meeting_facts(day: date) -> dict[str, Any]:
    """What ``portal.progress.services.meeting_facts`` derives for an uneventful meeting."""
    return {"vorig_gesprek": day.isoformat(), "termijn_einde": FAR_TERM_END,
            "beoordeling": {"signalen": False, "stagnatie": False, "verwijtbaar": False, "afronden": False,
                            "eindfase": False}}


#: Facts the portal derives when it completes a task (``DeployedProcess.complete(..., facts)``), per
#: task: a dict, or a callable taking the bench's current date and returning one.
BENCH_FACTS: dict[str, dict[str, Any] | Callable[[date], dict[str, Any]]] = {
    "pip_vaststellen": {"plan_vastgesteld": True, "termijn_einde": FAR_TERM_END},
    "voortgangsgesprek": _meeting_facts,
}
MAX_REQUESTS = 500  # per walk to the loop, and per check: more means the case never settles
RATIO_LIMIT = 1.2


class BenchError(Exception):
    """The case did not behave like a loop: it got stuck, completed or never reached the loop."""


def start_data() -> dict[str, Any]:
    case = {"reference": "BENCH-1", "koppeling_datum": START.date().isoformat(), "gemeente": "0344"}
    return {"case": case, **START_DATA_EXTRA}


class Case:
    """One case as the portal drives it; ``text`` is what its JSON column holds."""

    def __init__(self, process: DeployedProcess):
        self.process, self.now = process, START
        with time_machine.travel(self.now, tick=False):
            self._save(process.start(start_data()))

    def _save(self, result: StepResult) -> None:
        self.result = result
        self.text = json.dumps(result.state)

    def snapshot(self) -> tuple[str, StepResult, datetime]:
        return self.text, self.result, self.now

    def restore(self, saved: tuple[str, StepResult, datetime]) -> None:
        self.text, self.result, self.now = saved

    @property
    def size(self) -> int:
        return len(self.text.encode())

    @property
    def tasks(self) -> int:
        state = json.loads(self.text)
        return len(state["tasks"]) + sum(len(sub["tasks"]) for sub in state["subprocesses"].values())

    def _request(self, method: str, *args: Any) -> float:
        """One request, load to save; returns its duration in ms."""
        with time_machine.travel(self.now, tick=False):
            started = time.perf_counter()
            result = getattr(self.process, method)(json.loads(self.text), *args)
            self._save(result)
            return (time.perf_counter() - started) * 1000

    def fire_timer(self) -> float:
        due = self.result.next_timer_due
        if due is None:
            raise BenchError("stuck: no ready task and no timer waiting"
                             + (" (the case completed)" if self.result.completed else ""))
        self.now = max(self.now, due) + timedelta(seconds=1)  # SpiffWorkflow fires only when due < now
        return self._request("advance")

    def complete_next(self) -> float:
        task = self.result.ready_tasks[0]
        overrides = {**OVERRIDES.get(task.bpmn_id, {}), **BENCH_ANSWERS.get(task.bpmn_id, {})}
        answers = sample_submission(self.process.form_spec(task.bpmn_id), self.now.date(), overrides)
        facts = BENCH_FACTS.get(task.bpmn_id)
        if callable(facts):
            facts = facts(self.now.date())
        return self._request("complete", task.id, answers, *([facts] if facts else []))

    def walk_to_loop(self, loop_process: str) -> int:
        """Complete whatever is ready and fire timers until the case first waits inside the loop."""
        reached = False
        for requests in range(MAX_REQUESTS):
            ready = self.result.ready_tasks
            reached = reached or any(task.process_id == loop_process for task in ready)
            if ready:
                self.complete_next()
            elif reached:
                return requests
            elif self.result.completed:
                raise BenchError(f"the case completed without reaching a task of process {loop_process!r}")
            else:
                self.fire_timer()
        raise BenchError(f"no wait inside process {loop_process!r} after {MAX_REQUESTS} requests")

    def check(self) -> float:
        """One progress check: fire the timer, complete every task that becomes ready; total ms."""
        ms = self.fire_timer()
        for _ in range(MAX_REQUESTS):
            if not self.result.ready_tasks:
                if self.result.completed:
                    raise BenchError("the case completed: BENCH_ANSWERS must keep it in the loop")
                return ms
            ms += self.complete_next()
        raise BenchError(f"a check did not settle within {MAX_REQUESTS} requests")


def run(process: DeployedProcess, checkpoints: list[int], repeat: int, loop_process: str) -> dict[str, Any]:
    """Age one case to every checkpoint, then time each checkpoint's check ``repeat`` times.

    The repetitions are interleaved (``repeat`` rounds over all checkpoints), so load from other
    processes on the machine shifts every checkpoint alike instead of skewing the ratio. When the
    case breaks on the way, the checkpoints before it are still timed.
    """
    saved: dict[int, tuple[str, StepResult, datetime]] = {}
    done, errors, phase = 0, [], "start"
    try:
        case = Case(process)
        phase = "walk to the loop"
        case.walk_to_loop(loop_process)
        phase = "check"
        for checkpoint in checkpoints:
            while done < checkpoint - 1:
                case.check()
                done += 1
            saved[checkpoint] = case.snapshot()  # the stored row before check `checkpoint`
    except Exception as exc:  # noqa: BLE001 - the report says where and why it broke
        where = f"check {done + 1}" if phase == "check" else phase
        errors.append(f"{where}: {type(exc).__name__}: {exc}"[:500])

    times: dict[int, list[float]] = {checkpoint: [] for checkpoint in saved}
    sizes: dict[int, tuple[int, int]] = {}
    for _ in range(repeat):
        for checkpoint, snapshot in list(saved.items()):
            case.restore(snapshot)
            gc.collect()
            try:
                times[checkpoint].append(case.check())
            except Exception as exc:  # noqa: BLE001
                errors.append(f"check {checkpoint}: {type(exc).__name__}: {exc}"[:500])
                del saved[checkpoint]
                continue
            sizes[checkpoint] = (case.size, case.tasks)
    rows = [{"check": checkpoint, "median_ms": round(statistics.median(times[checkpoint]), 2),
             "state_kb": round(sizes[checkpoint][0] / 1024, 1), "tasks": sizes[checkpoint][1]}
            for checkpoint in saved]
    ratio = rows[-1]["median_ms"] / rows[0]["median_ms"] if len(rows) > 1 else None
    ok = not errors and len(rows) == len(checkpoints) and (ratio is None or ratio <= RATIO_LIMIT)
    return {"checkpoints": rows, "ratio_last_first": round(ratio, 2) if ratio is not None else None,
            "ok": ok, "error": "; ".join(errors) or None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checks", default="1,12,36,100,1000", help="checkpoints, comma-separated")
    parser.add_argument("--repeat", type=int, default=15, help="timed repetitions of each checkpoint's check")
    parser.add_argument("--source", type=Path, default=ROOT / "workflows", help="a workflows folder (bpmn/, forms/)")
    parser.add_argument("--entry", default="inburgering", help="the process a case starts")
    parser.add_argument("--loop-process", default=LOOP_PROCESS, help="the process that holds the loop")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    checkpoints = sorted({int(c) for c in args.checks.split(",") if c.strip()})
    if not checkpoints or checkpoints[0] < 1 or args.repeat < 1:
        parser.error("checkpoints and --repeat must be positive")

    process = DeployedProcess(load_source(args.source, args.entry).bundle)
    report = {"source": str(args.source), "entry": args.entry, "loop_process": args.loop_process,
              "repeat": args.repeat, **run(process, checkpoints, args.repeat, args.loop_process)}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{args.source} [{args.entry}], loop {args.loop_process!r}, median of {args.repeat}")
        print(f"{'check':>6} {'ms':>9} {'KB':>8} {'tasks':>6}")
        for row in report["checkpoints"]:
            print(f"{row['check']:>6} {row['median_ms']:>9.2f} {row['state_kb']:>8.1f} {row['tasks']:>6}")
        reason = report["error"] or f"last/first above {RATIO_LIMIT}"
        verdict = "OK" if report["ok"] else f"FAIL: {reason}"
        print(f"ratio last/first {report['ratio_last_first']}  {verdict}")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
