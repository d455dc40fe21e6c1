"""What the sandbox's limits cost on ordinary evaluations: a shipped condition, the shipped progress
script and a timer expression, evaluated many times (compiled once, as the engine caches them).

    python bench/script_sandbox.py [ROUNDS]

Prints microseconds per evaluation. Run it on a commit before the limits for the comparison.
"""

from __future__ import annotations

import sys
import time

from portal.engine.scripting import RestrictedEnvironment

CONDITION = 'kennismakingsgesprek["startscenario"] == "na_verhuizing"'
TIMER = 'moment(add_duration(case["koppeling_datum"], termijnen["intake_start"]))'
SCRIPT = """volgend_gesprek = add_duration(vorig_gesprek, pip_opstellen["voortgang"]["interval"])
zelfbeoordeling_vanaf = moment(add_days(volgend_gesprek, -termijnen["zelfbeoordeling_dagen"]))
gesprek_moment = moment(volgend_gesprek)
gesprek_te_laat = moment(add_duration(volgend_gesprek, termijnen["gesprek_te_laat"]))
plan_aanpassen = False"""
DATA = {
    "kennismakingsgesprek": {"startscenario": "na_verhuizing", "toelichting": "x" * 200},
    "case": {"reference": "INB-2026-000001", "koppeling_datum": "2026-01-05", "gemeente": "0344"},
    "termijnen": {"intake_start": "P4W", "zelfbeoordeling_dagen": 7, "gesprek_te_laat": "P14D"},
    "pip_opstellen": {"voortgang": {"interval": "P3M"}, "acties": [{"naam": f"actie {i}"} for i in range(30)]},
    "vorig_gesprek": "2026-03-02",
}


def per_call(run, rounds: int) -> float:
    run()  # compile and warm the caches
    started = time.perf_counter()
    for _ in range(rounds):
        run()
    return (time.perf_counter() - started) / rounds * 1e6


def main(rounds: int = 20000) -> None:
    env = RestrictedEnvironment()
    cases = {
        "condition": lambda: env.evaluate(CONDITION, dict(DATA)),
        "timer expression": lambda: env.evaluate(TIMER, dict(DATA)),
        "script (voortgang)": lambda: env.execute(SCRIPT, dict(DATA)),
    }
    for name, run in cases.items():
        print(f"{name:20} {per_call(run, rounds):8.1f} µs per evaluation")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
