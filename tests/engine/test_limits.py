"""Scripts deployed without lint (older data) are stopped by the engine within their budget.

The process in data/sandbox routes the submitted ``script`` choice to a script task that breaks a
limit; it is loaded with ``load_source``, which does not lint, as a version deployed before the rules.
"""

import threading
import time
from pathlib import Path

import pytest

from portal.engine import EngineError, load_source
from portal.engine.limits import Budget, Limits, ScriptLimitExceeded
from portal.engine.rules import ScriptError
from portal.engine.runtime import DeployedProcess
from portal.engine.scripting import RestrictedEnvironment

DATA = Path(__file__).parent / "data" / "sandbox"


@pytest.fixture(scope="module")
def process():
    return DeployedProcess(load_source(DATA, "sandbox").bundle)


def run(process, script: str):
    result = process.start({})
    [task] = result.ready_tasks
    started = time.perf_counter()
    try:
        return process.complete(result.state, task.id, {"script": script})
    finally:
        run.elapsed = time.perf_counter() - started


def test_a_normal_script_runs(process):
    result = run(process, "normaal")
    assert result.completed
    assert process.data(result.state)["uitkomst"] == "2026-01-04"


@pytest.mark.parametrize(("script", "limit", "says"), [
    ("traag", "time", "time budget of 100 ms"),  # a loop nest of 10^9 steps
    ("traag_regel", "time", "time budget of 100 ms"),  # the same on one line, in a comprehension
    ("tekst_1gb", "memory", "memory than its cap of 16 MB"),  # 'a' * 1 GB: refused before allocating
    ("lijst_1gb", "memory", "memory than its cap of 16 MB"),  # [0] * 10**9
    ("uitdijend", "memory", "to store"),  # 8 kB of references that would store as 1 GB of JSON
    ("veel", "memory", "loopCardinality"),  # a multi-instance task with 10**9 instances
])
def test_a_script_over_its_budget_is_stopped_in_time(process, script, limit, says):
    with pytest.raises(EngineError) as caught:
        run(process, script)
    assert run.elapsed < 1.0
    error = caught.value
    assert (error.limit, error.process_id, error.element_id) == (limit, "sandbox", script)
    assert says in str(error) and str(error).startswith(f"sandbox/{script}: ")


def test_a_while_loop_from_older_data_is_refused_by_the_rules(process):
    with pytest.raises(EngineError, match="while loops are not allowed") as caught:
        run(process, "lus")
    assert run.elapsed < 1.0
    assert caught.value.limit is None  # refused before it ran: a rule, not a budget


def test_the_time_budget_is_configurable(monkeypatch):
    monkeypatch.setattr("portal.engine.limits._limits", Limits(time_ms=20))
    env = RestrictedEnvironment()
    started = time.perf_counter()
    with pytest.raises(ScriptLimitExceeded, match="20 ms"):
        env.execute("n = 0\nfor a in range(500):\n    for b in range(500):\n        n += 1", {})
    assert time.perf_counter() - started < 0.5


def test_a_slow_condition_is_stopped():
    env = RestrictedEnvironment()
    with pytest.raises(ScriptLimitExceeded) as caught:
        env.evaluate("sum([1 for a in range(500) for b in range(500) for c in range(500)]) > 0", {})
    assert caught.value.kind == "time"


@pytest.mark.parametrize("script", [
    "x = 'ab' * 10**8",
    "x = 2 ** (10**9)",
    "x = pow(10, 10**9)",
    "x = ','.join(['a' * 1000] * 100000)",
    "x = ('a' * 1000).replace('a', 'a' * 100000)",
    "x = [1]\nfor i in range(100):\n    x = x + x",
    "x = 'a' * 1000\nfor i in range(40):\n    x += x",
    "x = [['a' * 1000] * 1000] * 1000\ny = f'{x}'",
    "x = [['a' * 1000] * 1000] * 1000\ny = str(x)",
    "x = b'a' * 10**9",
    "x = b','.join([b'a' * 1000] * 100000)",
    "x = []\ngroot = 'a' * 1000000\nfor i in range(999):\n    x.append(groot)",
    "d = {}\ngroot = 'a' * 1000000\nfor i in range(999):\n    d[str(i)] = groot",
    # data the case already has, grown in place
    "groot = 'a' * 1000000\nfor i in range(999):\n    acties.append(groot)",
    "groot = 'a' * 1000000\nfor i in range(999):\n    plan['acties'] = plan['acties'] + [groot]",
    # whole numbers whose arithmetic would run for minutes in C
    "x = 3 ** 100000",
    "x = 7 ** 20000\ny = x * x * x * x",
    "x = pow(3, 2 ** 70000, 7)",
    # texts that multiply into many objects
    "x = ('ab ' * 5000000).split()",
    "x = list('é' * 3000000)",
    "x = []\nfor i in range(999):\n    x = [x]",
])
def test_allocations_beyond_the_cap_are_refused(script):
    started = time.perf_counter()
    with pytest.raises(ScriptLimitExceeded) as caught:
        RestrictedEnvironment().execute(script, {"acties": [], "plan": {"acties": []}})
    assert caught.value.kind == "memory"
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("script", ["x = sorted([i * j for i in range(999) for j in range(999)])",
                                    "x = [i * j for i in range(999) for j in range(999)]\nx.sort()"])
def test_sorting_a_huge_list_is_refused_before_it_starts(script):
    with pytest.raises(ScriptLimitExceeded, match="sorting more than 100,000 items"):
        RestrictedEnvironment(limits=Limits(time_ms=5000)).execute(script, {})


def test_round_with_a_huge_precision_is_refused():
    with pytest.raises(ScriptError, match="100 digits"):
        RestrictedEnvironment().evaluate("round(1, -10**7)", {})


def test_ordinary_data_work_fits_easily():
    context = {"acties": [{"naam": f"actie {i}", "uren": i} for i in range(200)]}
    RestrictedEnvironment().execute(
        "totaal = sum([a['uren'] for a in acties])\nnamen = ', '.join([a['naam'] for a in acties])\n"
        "kopie = acties[:]\nlabel = f'{totaal:>5}'\nwoorden = namen.split(', ')\ngroot = 2 ** 200 // 3\n"
        "afgerond = round(totaal / 7, 2)\nrest = pow(7, 100, 13)", context)
    assert context["totaal"] == 19900 and context["namen"].startswith("actie 0, actie 1")
    assert len(context["woorden"]) == 200 and context["afgerond"] == 2842.86


def test_a_runaway_script_does_not_block_another_thread():
    """A thread runs a script that uses its whole (here 300 ms) budget; meanwhile this thread evaluates
    normally, on a budget of its own. ``started`` is called from inside the runaway script, so the two
    surely overlap."""
    inside, outcome = threading.Event(), {}

    def runaway():
        env = RestrictedEnvironment(limits=Limits(time_ms=300))
        began = time.perf_counter()
        try:
            env.execute("started()\nn = 0\nfor a in range(500):\n    for b in range(500):\n"
                        "        for c in range(500):\n            n += 1", {}, {"started": inside.set})
        except ScriptLimitExceeded as exc:
            outcome["error"] = exc
        outcome["elapsed"] = time.perf_counter() - began

    thread = threading.Thread(target=runaway)
    thread.start()
    assert inside.wait(5)
    env = RestrictedEnvironment()
    for _ in range(100):
        assert env.evaluate('add_days(datum, 1) == "2026-01-02"', {"datum": "2026-01-01"}) is True
    assert thread.is_alive(), "the runaway script should still be running while this thread evaluated"
    thread.join(5)
    assert outcome["error"].kind == "time" and outcome["elapsed"] < 2.0


def test_budget_is_per_evaluation():
    budget = Budget(Limits(memory_bytes=1000))
    budget.charge(600)
    with pytest.raises(ScriptLimitExceeded):
        budget.charge(600)
    Budget(Limits(memory_bytes=1000)).charge(600)  # a new evaluation starts with the whole cap


def test_the_limits_come_from_the_environment_through_the_app(monkeypatch, tmp_path):
    from portal import create_app
    from portal.engine import limits

    monkeypatch.setenv("PORTAL_SCRIPT_TIME_BUDGET_MS", "250")
    monkeypatch.setenv("PORTAL_SCRIPT_MEMORY_BUDGET_MB", "8")
    monkeypatch.setattr(limits, "_limits", limits.Limits())  # restored after the test
    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert Budget().limits == Limits(time_ms=250, memory_bytes=8 * 1024 * 1024)
