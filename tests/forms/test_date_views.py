"""The one date input on real pages: a WTForms form (the COA handover, /cases/new) and a JSON-Schema task
form (a goal's date in the PIP's repeating rows). Typed as dd-mm-jjjj, stored as ISO, wrong input shown
again exactly as typed in the "Er is een probleem" pattern."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from portal.cases.models import Case
from portal.db import local_today
from portal.extensions import db
from portal.tasks.models import HumanTask
from tests.conftest import csrf_token
from tests.factories import open_task, walk_intake
from tests.tasks.test_rows_views import PIP, goal_fields

KOPPELING = {"v_nummer": "1234567890", "voornaam": "Yonas", "achternaam": "Tesfay", "land_van_herkomst": "Eritrea",
             "taal": "tigrinya", "huishoudgrootte": "1"}


def input_tag(page: str, field_id: str) -> str:
    return re.search(rf'<input[^>]*\bid="{re.escape(field_id)}"[^>]*>', page).group(0)


def test_the_handover_form_asks_for_dates_as_day_month_year(create_user, login):
    client = login(create_user("ria"))
    page = client.get("/cases/new").get_data(as_text=True)
    born = input_tag(page, "geboortedatum")
    assert 'type="text"' in born and 'inputmode="numeric"' in born and 'autocomplete="off"' in born
    assert 'type="date"' not in page
    assert '<div class="utrecht-form-field-description utrecht-form-field__description portal-date-hint" ' \
           'id="geboortedatum-example">Bijvoorbeeld 27-03-1990</div>' in page
    assert 'aria-describedby="geboortedatum-example"' in born
    koppeling = input_tag(page, "koppelingsdatum")
    assert 'autocomplete="off"' in koppeling and "portal-date-input" in koppeling
    assert 'id="koppelingsdatum-example">Bijvoorbeeld 27-03-2026<' in page


def test_a_handover_typed_as_dd_mm_jjjj_is_stored_as_a_date(create_user, login):
    ria = create_user("ria")
    client = login(ria)
    today = local_today()
    data = {**KOPPELING, "geboortedatum": "2/7/1999", "koppelingsdatum": f"{today.day}-{today.month}-{today.year}",
            "regisseur": str(ria.id), "csrf_token": csrf_token(client, "/cases/new")}
    response = client.post("/cases/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    case = db.session.scalar(select(Case).where(Case.v_number == "1234567890"))
    assert (case.birth_date, case.koppeling_date) == (date(1999, 7, 2), today)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "02-07-1999" in page  # shown the Dutch way


def test_a_date_that_does_not_exist_is_named_and_kept_as_typed(create_user, login):
    ria = create_user("ria")
    client = login(ria)
    data = {**KOPPELING, "geboortedatum": "31/2/1990", "koppelingsdatum": "27-03-26", "vergunningsdatum": "morgen",
            "regisseur": str(ria.id), "csrf_token": csrf_token(client, "/cases/new")}
    response = client.post("/cases/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Er is een probleem" in page
    assert '<a href="#geboortedatum">Geboortedatum bestaat niet: 31-02-1990.</a>' in page
    assert '<a href="#koppelingsdatum">Vul het jaar van datum koppeling in met vier cijfers, bijvoorbeeld ' \
           '27-03-2026.</a>' in page
    assert "Vul datum verblijfsvergunning in als dd-mm-jjjj, bijvoorbeeld 27-03-2026." in page
    born = input_tag(page, "geboortedatum")
    assert 'value="31/2/1990"' in born and 'aria-invalid="true"' in born
    assert 'aria-describedby="geboortedatum-example geboortedatum-error"' in born
    assert 'value="27-03-26"' in input_tag(page, "koppelingsdatum")
    assert 'value="morgen"' in input_tag(page, "vergunningsdatum")
    assert db.session.scalar(select(Case).where(Case.v_number == "1234567890")) is None


def test_an_english_page_asks_in_english(create_user, login):
    ria = create_user("ria", locale="en")
    client = login(ria)
    page = client.get("/cases/new").get_data(as_text=True)
    assert "For example 27-03-1990" in page
    data = {**KOPPELING, "geboortedatum": "31-02-1990", "koppelingsdatum": "1-1-2026", "regisseur": str(ria.id),
            "csrf_token": csrf_token(client, "/cases/new")}
    page = client.post("/cases/new", data=data).get_data(as_text=True)
    assert "Date of birth must be a real date: 31-02-1990 does not exist." in page


# --- a JSON-Schema date in repeating rows ---------------------------------------------------------------

def test_a_goal_date_in_a_row_is_typed_kept_and_stored_as_iso(create_case, people, login):
    ria, _tom, _amina = people
    case = create_case(ria)
    walk_intake(case, ria)
    task = open_task(case, "pip_opstellen")
    client = login(ria)
    url = f"/tasks/{task.id}"
    page = client.get(url).get_data(as_text=True)
    row_date = input_tag(page, "doelen-0-uiterlijk")
    assert 'type="text"' in row_date and 'inputmode="numeric"' in row_date
    assert 'aria-describedby="doelen-0-uiterlijk-example"' in row_date
    assert 'id="doelen-0-uiterlijk-example">Bijvoorbeeld 27-03-2026<' in page

    year = local_today().year + 1
    data = {"csrf_token": csrf_token(client, url), **PIP, **goal_fields(0), **goal_fields(1),
            "doelen-0-uiterlijk": f"1-6-{year}", "doelen-1-uiterlijk": f"31.06.{year}"}
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<a href="#doelen-1-uiterlijk">Doel 2 – Uiterlijk bestaat niet: 31-06-{year}.</a>' in page
    second = input_tag(page, "doelen-1-uiterlijk")
    assert f'value="31.06.{year}"' in second and 'aria-invalid="true"' in second
    assert 'aria-describedby="doelen-1-uiterlijk-example doelen-1-uiterlijk-error"' in second
    assert f'value="1-6-{year}"' in input_tag(page, "doelen-0-uiterlijk")  # the right one kept as typed too

    # "Nog een doel toevoegen" without JavaScript keeps the typed dates and gives the new row the same input
    page = client.post(url, data={**data, "_add": "doelen"}).get_data(as_text=True)
    assert f'value="31.06.{year}"' in input_tag(page, "doelen-1-uiterlijk")
    new_row = input_tag(page, "doelen-2-uiterlijk")
    assert 'inputmode="numeric"' in new_row and 'aria-describedby="doelen-2-uiterlijk-example"' in new_row

    response = client.post(url, data={**data, "doelen-1-uiterlijk": f"{year}-06-30"})  # ISO still taken
    assert response.status_code == 302, response.get_data(as_text=True)
    goals = db.session.get(HumanTask, task.id).submitted_data["doelen"]
    assert [goal["uiterlijk"] for goal in goals] == [f"{year}-06-01", f"{year}-06-30"]
