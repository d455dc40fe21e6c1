"""Issue 11, finding 3: afschalen (A2 inside the B1-route) is its own decision, separate from a route switch.

Besluit inburgering 2021 art. 5.5 (DOMAIN.md §2.2, §2.4): afschalen needs ≥ 600 course hours at a provider with a
quality mark and sufficient effort, and has no time limit; a route switch (B1-route → Z-route included) is allowed
only within 18 months of the start of the term. Walked through the real voortgang and pip processes.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.db import local_today
from portal.extensions import db
from portal.plans.services import latest_version
from portal.processes.actions import ActionRefused
from portal.progress.models import FollowUp
from portal.progress.services import term_months_elapsed
from tests.factories import PLAN, QUARTERLY, complete, open_steps, walk_to_progress
from tests.progress.test_voortgang_process import meet, to_next_meeting

A2_GOAL = {"leefgebied": "taal_en_leerbaarheid", "doel": "Examens op A2 halen", "actie": "Taalles en oefenexamens",
           "wie": "taalschool"}
EFFORT = {"aanwezigheid": "goed", "deelname": "Maakt huiswerk, doet actief mee; de toetsen blijven op A2.",
          "oordeel": "voldoende",
          "motivering": "Na 650 uur en trouwe inzet blijft B1 buiten bereik; de aanbieder bevestigt dat."}
PROVIDER = {"naam": "Taalschool Utrecht", "keurmerk": True, "uren": 650}


def plan(route: str = "b1_route", level: str | None = None, goals=None) -> dict:
    leerroute = {**PLAN["leerroute"], "route": route, **({"taalniveau": level} if level else {})}
    return {**PLAN, **QUARTERLY, "leerroute": leerroute, "doelen": goals or PLAN["doelen"],
            "map_pvt": {"map_uren": 40, "pvt_periode": "Nu"}}


def to_conference(case, ria, amina, clock, meetings: int, hours: int) -> None:
    """Quarterly meetings with a climb (no stagnation), the last with low attendance: the MDO opens."""
    for number in range(1, meetings):
        to_next_meeting(case, clock, amina)
        meet(case, ria, rung=min(1 + number, 6), offered=hours, attended=hours)
        assert open_steps(case) == [], open_steps(case)
    to_next_meeting(case, clock, amina)
    meet(case, ria, rung=6, offered=hours, attended=hours // 2)  # attendance below the norm: stagnation
    assert open_steps(case) == ["mdo"]


def test_b1_to_z_route_within_18_months_is_a_route_switch_whatever_the_hours(create_case, people, clock):
    ria, _tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **QUARTERLY)
    to_conference(case, ria, amina, clock, meetings=1, hours=100)  # 50 hours in all
    assert term_months_elapsed(case) < 18
    complete(case, "mdo", ria, day=local_today(), uitkomst="plan_aanpassen")
    complete(case, "pip_opstellen", ria, **plan("z_route"))  # before: refused for "under 600 hours"
    assert open_steps(case) == ["pip_vaststellen"]


def test_b1_to_z_route_after_18_months_is_refused_even_with_650_hours(create_case, people, clock):
    ria, _tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **QUARTERLY)
    to_conference(case, ria, amina, clock, meetings=7, hours=100)  # 600 + 50 hours; 19 months into the term
    assert term_months_elapsed(case) >= 18
    complete(case, "mdo", ria, day=local_today(), uitkomst="plan_aanpassen")
    with pytest.raises(ActionRefused, match="18 maanden"):  # before: accepted as "scaling down"
        complete(case, "pip_opstellen", ria, **plan("z_route"))
    with pytest.raises(ActionRefused, match="besluit afschalen"):  # A2 in the plan needs the decision first
        complete(case, "pip_opstellen", ria, **plan(level="a2", goals=[A2_GOAL]))


def test_afschalen_after_600_hours_and_sufficient_effort_at_any_time(create_case, people, clock):
    ria, _tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **QUARTERLY)
    to_conference(case, ria, amina, clock, meetings=7, hours=100)
    assert term_months_elapsed(case) >= 18  # afschalen has no time limit
    complete(case, "mdo", ria, day=local_today(), uitkomst="afschalen")
    assert open_steps(case) == ["afschalen_besluit"]
    decide = {"besluit": "afschalen", "inzet": EFFORT}
    with pytest.raises(ActionRefused, match="600 lesuren"):
        complete(case, "afschalen_besluit", ria, day=local_today(), aanbieder={**PROVIDER, "uren": 550}, **decide)
    with pytest.raises(ActionRefused, match="keurmerk"):
        complete(case, "afschalen_besluit", ria, day=local_today(), aanbieder={**PROVIDER, "keurmerk": False},
                 **decide)
    with pytest.raises(ActionRefused, match="voldoende inzet"):
        complete(case, "afschalen_besluit", ria, day=local_today(), aanbieder=PROVIDER, besluit="afschalen",
                 inzet={**EFFORT, "oordeel": "onvoldoende"})
    complete(case, "afschalen_besluit", ria, day=local_today(), aanbieder=PROVIDER, **decide)
    record = db.session.scalar(select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.kind == "afschalen"))
    assert record.outcome == "afschalen" and record.data["inzet"]["motivering"] == EFFORT["motivering"]
    assert record.data["uren_volgens_gesprekken"] == 650  # the meetings' record kept beside the provider's figure
    assert open_steps(case) == ["pip_opstellen"]  # a new plan version follows
    with pytest.raises(ActionRefused, match="doel voor de examens op A2"):
        complete(case, "pip_opstellen", ria, **plan(level="a2"))
    with pytest.raises(ActionRefused, match="B1-route"):
        complete(case, "pip_opstellen", ria, **plan("z_route", level="a2", goals=[A2_GOAL]))
    complete(case, "pip_opstellen", ria, **plan(level="a2", goals=[A2_GOAL]))
    assert open_steps(case) == ["pip_vaststellen"]
    content = latest_version(case).content  # the drafted version, waiting for its decision
    assert content["leerroute"]["route"] == "b1_route" and content["leerroute"]["taalniveau"] == "a2"


def test_not_scaling_down_is_always_possible(create_case, people, clock):
    ria, _tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **QUARTERLY)
    to_conference(case, ria, amina, clock, meetings=1, hours=100)
    complete(case, "mdo", ria, day=local_today(), uitkomst="afschalen")
    complete(case, "afschalen_besluit", ria, day=local_today(), aanbieder={**PROVIDER, "uren": 50},
             besluit="niet_afschalen", inzet={**EFFORT, "oordeel": "onvoldoende"})
    assert open_steps(case) == []  # no plan change; the meetings go on


def test_afschalen_is_refused_outside_the_b1_route(create_case, people, clock):
    ria, _tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **plan("z_route"))
    to_conference(case, ria, amina, clock, meetings=1, hours=700)
    complete(case, "mdo", ria, day=local_today(), uitkomst="afschalen")
    with pytest.raises(ActionRefused, match="alleen binnen de B1-route"):
        complete(case, "afschalen_besluit", ria, day=local_today(), aanbieder=PROVIDER, besluit="afschalen",
                 inzet=EFFORT)
