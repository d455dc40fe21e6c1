"""The BPMN script sandbox: what designers may do, and what they must not be able to do."""

import pytest

from portal.engine.scripting import RestrictedEnvironment, ScriptError, add_months


@pytest.fixture
def env():
    return RestrictedEnvironment()


def test_conditions_read_task_data_and_helpers(env):
    context = {"kennismakingsgesprek": {"startscenario": "na_verhuizing"}}
    assert env.evaluate('kennismakingsgesprek["startscenario"] == "na_verhuizing"', context) is True
    assert env.evaluate('add_weeks("2026-01-01", 10)', {}) == "2026-03-12"


def test_scripts_set_plain_data_and_leave_no_helpers_behind(env):
    context = {"n": 1}
    env.execute("n += 2\nitems = [i * 2 for i in range(3)]\nitems.append(7)\nd = {'a': 1}\nd['b'] = 2", context)
    assert context == {"n": 3, "items": [0, 2, 4, 7], "d": {"a": 1, "b": 2}}


@pytest.mark.parametrize("script", [
    "import os",
    "from os import path",
    "__import__('os')",
    "open('/etc/passwd').read()",
    "().__class__.__bases__[0].__subclasses__()",
    "x = [].__class__",
    "getattr((), '__class__')",
    "eval('1')",
    "exec('x = 1')",
    "globals()",
])
def test_sandbox_blocks_escapes(env, script):
    with pytest.raises((ScriptError, NameError, ImportError)):
        env.execute(script, {})


def test_task_data_cannot_shadow_helpers(env):
    with pytest.raises(ScriptError):
        env.execute("x = 1", {"today": "2026-01-01"})


@pytest.mark.parametrize(("start", "months", "expected"), [
    ("2026-01-31", 1, "2026-02-28"),
    ("2024-01-31", 1, "2024-02-29"),
    ("2026-11-15", 3, "2027-02-15"),
    ("2026-03-31", -1, "2026-02-28"),
])
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(("expression", "expected"), [
    ('add_duration("2026-01-31", "P1M")', "2026-02-28"),
    ('add_duration("2028-01-31", "P1M")', "2028-02-29"),
    ('add_duration("2026-01-31", "P1M1D")', "2026-03-01"),
    ('add_duration("2026-08-31", "P1Y6M")', "2028-02-29"),
    ('add_duration("2026-12-24", "P2W")', "2027-01-07"),
    ('add_years("2028-02-29", 3)', "2031-02-28"),
    ('add_months("2029-02-28", -2)', "2028-12-28"),
    ('add_days("2028-02-28", 1)', "2028-02-29"),
    ('days_between("2028-02-28", "2028-03-01")', 2),
    # a moment counts as its Dutch date: 23:30 UTC on 31 December is 1 January in the Netherlands
    ('add_days("2026-12-31T23:30:00+00:00", 0)', "2027-01-01"),
    ('moment("2026-07-06")', "2026-07-06T06:00:00+00:00"),
    ('moment("2026-01-05")', "2026-01-05T07:00:00+00:00"),
])
def test_date_helpers_count_like_portal_dates(env, expression, expected):
    assert env.evaluate(expression, {}) == expected


def test_add_duration_refuses_time_parts_and_nonsense(env):
    with pytest.raises(ValueError, match="time part"):
        env.evaluate('add_duration("2026-01-05", "PT36H")', {})
    with pytest.raises(ValueError, match="not an ISO 8601 duration"):
        env.evaluate('add_duration("2026-01-05", "3 maanden")', {})
