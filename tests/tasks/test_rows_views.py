"""Repeating groups on the task page with plain form posts (no JavaScript): the PIP takes any number of
goals, and the progress meeting lists every goal of the plan in force with the newcomer's own rating."""

import html as htmllib
import re

from sqlalchemy import select

from portal.db import local_today
from portal.extensions import db
from portal.progress.models import ProgressMeeting
from portal.tasks.models import HumanTask
from tests.conftest import csrf_token
from tests.factories import PLAN, complete, fire_next_timer, open_steps, open_task, walk_intake, walk_to_progress

PIP = {"leerroute-route": "b1_route", "leerroute-motivering": PLAN["leerroute"]["motivering"],
       "leerroute-looptijd_maanden": "36", "map_pvt-map_uren": "40", "map_pvt-pvt_periode": "Eerste half jaar",
       "begeleiding-begeleiding": "Regisseur elke maand.", "voortgang-interval": "P3M", "pip_datum": "2026-03-01"}
GOALS = [("taal_en_leerbaarheid", "B1 halen", "taalschool"),
         ("opleiding_en_werk", "Vrijwilligerswerk vinden", "werkplein"),
         ("gezin_en_kinderopvang", "Kinderopvang regelen", "regisseur")]


def goal_fields(index: int) -> dict[str, str]:
    domain, goal, who = GOALS[index]
    return {f"doelen-{index}-leefgebied": domain, f"doelen-{index}-doel": goal,
            f"doelen-{index}-actie": f"Actie voor {goal.lower()}", f"doelen-{index}-wie": who}


def posted_values(page: str) -> dict[str, str]:
    """Every filled input (text, hidden, date) of the page's form, as the browser would send it back."""
    values = {}
    for tag in re.findall(r"<input\b[^>]*>", page):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if name and value and (kind is None or kind.group(1) not in ("radio", "checkbox", "submit")):
            values[name.group(1)] = htmllib.unescape(value.group(1))
    return values


def pip_task(case, ria):
    walk_intake(case, ria)
    return open_task(case, "pip_opstellen")


def test_add_row_renders_the_same_form_with_one_row_more_keeping_the_input(create_case, people, login):
    ria, _tom, _amina = people
    case = create_case(ria)
    task = pip_task(case, ria)
    client = login(ria)
    url = f"/tasks/{task.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="_add" value="doelen"' in page and "Nog een doel toevoegen" in page
    assert "doelen-1-doel" not in page
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **PIP, **goal_fields(0), "_add": "doelen"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "data-error-summary" not in page and "Fout:" not in page
    assert 'name="doelen-1-doel"' in page and 'value="B1 halen"' in page
    assert PLAN["leerroute"]["motivering"] in page
    db.session.refresh(task)
    assert task.is_open and not task.draft  # nothing completed, nothing saved


def test_remove_row_drops_that_row_only(create_case, people, login):
    ria, _tom, _amina = people
    task = pip_task(create_case(ria), ria)
    client = login(ria)
    url = f"/tasks/{task.id}"
    data = {"csrf_token": csrf_token(client, url), **PIP, **goal_fields(0), **goal_fields(1), **goal_fields(2)}
    page = client.post(url, data={**data, "_remove": "doelen-1"}).get_data(as_text=True)
    assert "Vrijwilligerswerk vinden" not in page
    assert re.search(r'name="doelen-1-doel"[^>]*value="Kinderopvang regelen"', page)
    assert "doelen-2-doel" not in page


def test_a_pip_with_three_goals_in_three_domains_by_form_posts_only(create_case, people, login):
    ria, _tom, _amina = people
    case = create_case(ria)
    task = pip_task(case, ria)
    client = login(ria)
    url = f"/tasks/{task.id}"
    data = {"csrf_token": csrf_token(client, url), **PIP, **goal_fields(0)}
    for index in (1, 2):  # "Nog een doel toevoegen", then fill in the new row
        page = client.post(url, data={**data, "_add": "doelen"}).get_data(as_text=True)
        assert f'name="doelen-{index}-doel"' in page
        data = {**posted_values(page), **data, **goal_fields(index)}
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = db.session.get(HumanTask, task.id).submitted_data["doelen"]
    assert [(goal["leefgebied"], goal["doel"]) for goal in stored] == [(d, g) for d, g, _who in GOALS]
    assert open_steps(case) == ["pip_vaststellen"]


def test_the_meeting_records_a_status_for_every_goal_and_no_exam(create_case, people, login, clock):
    ria, _tom, amina = people
    case = create_case(ria)
    goals = [{"leefgebied": d, "doel": g, "actie": "Actie", "wie": w} for d, g, w in GOALS]
    walk_to_progress(case, ria, amina, doelen=goals)
    fire_next_timer(case, clock)
    complete(case, "zelfbeoordeling", amina, algemeen="goed",
             doelen=[{"nummer": 1, "oordeel": "moeilijk"}, {"nummer": 3, "oordeel": "goed"}])
    task = open_task(case, "voortgangsgesprek")
    client = login(ria)
    url = f"/tasks/{task.id}"
    page = client.get(url).get_data(as_text=True)
    shown = re.findall(r'<p class="portal-readonly__value">(.*?)</p>', page)
    assert shown == ["Taal en leerbaarheid – B1 halen", "Moeilijk", "Opleiding en werk – Vrijwilligerswerk vinden",
                     "—", "Gezin en kinderopvang – Kinderopvang regelen", "Goed"]
    assert "doelen-3-" not in page and 'value="doelen"' not in page  # one row per goal, none to add
    assert 'name="_add" value="examens"' in page and 'name="examens-0-onderdeel"' in page
    today = local_today().isoformat()
    data = {**posted_values(page), "csrf_token": csrf_token(client, url),
            "gesprek-datum": today, "gesprek-vorm": "kantoor", "aanwezigheid-peildatum": today,
            "aanwezigheid-uren_aangeboden": "100", "aanwezigheid-uren_gevolgd": "95",
            "map_pvt-map_status": "bezig", "map_pvt-pvt_status": "bezig", "participatie-trede": "3",
            "medewerking-oordeel": "ja", "afspraken-volgende_stappen": "Doorgaan met de les.",
            "afspraken-samenvatting": "Het gaat goed.", "afspraken-vervolg": "doorgaan",
            "examens-0-onderdeel": "", "examens-0-resultaat": "", "examens-0-datum": ""}
    statuses = ["op_schema", "vertraagd", "behaald"]
    response = client.post(url, data={**data, "doelen-0-status": "op_schema"})
    assert response.status_code == 422  # a goal without a status is not left out silently
    assert "Kies stand." in response.get_data(as_text=True)
    data.update({f"doelen-{i}-status": status for i, status in enumerate(statuses)})
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    meeting = db.session.scalar(select(ProgressMeeting).where(ProgressMeeting.case_id == case.id))
    assert [(goal["nummer"], goal["status"]) for goal in meeting.goals] == [(1, "op_schema"), (2, "vertraagd"),
                                                                           (3, "behaald")]
    assert meeting.exams == []
