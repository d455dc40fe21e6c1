"""Bounds on what a user sends to the task pages and the lists: dates, rows, drafts, page numbers, search."""

import pytest

from portal.extensions import db
from portal.tasks.models import HumanTask
from tests.conftest import csrf_token, visible_text
from tests.factories import open_task, walk_intake


@pytest.fixture
def ria(create_user):
    return create_user("ria")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1950-06-01"])
def test_an_implausible_conversation_date_is_refused_with_its_range(ria, create_case, login, day):
    case = create_case(ria)
    task = open_task(case, "kennismakingsgesprek")
    client = login(ria)
    url = f"/tasks/{task.id}"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "gesprek-datum": day})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Datum van het gesprek: Vul een datum in van " in html  # the summary names the field and the range
    assert db.session.get(HumanTask, task.id).is_open


def test_a_plan_with_thousands_of_goals_is_refused_and_no_draft_is_kept(ria, create_case, login):
    case = create_case(ria)
    walk_intake(case, ria)
    task = open_task(case, "pip_opstellen")
    db.session.commit()
    client = login(ria)
    url = f"/tasks/{task.id}"
    data = {"csrf_token": csrf_token(client, url)}
    data.update({f"doelen-{n}-doel": "een doel" for n in range(3000)})
    for extra in ({}, {"save_draft": "1"}):
        response = client.post(url, data={**data, **extra})
        assert response.status_code == 422
        assert "Gebruik hoogstens 20 rijen." in response.get_data(as_text=True)
        assert db.session.get(HumanTask, task.id).draft is None


def test_a_draft_with_a_control_character_is_refused(ria, create_case, login):
    case = create_case(ria)
    task = open_task(case, "kennismakingsgesprek")
    client = login(ria)
    url = f"/tasks/{task.id}"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "save_draft": "1",
                                      "gesprek-datum": "2026-01-08\x00"})
    assert response.status_code == 422
    assert "stuurtekens" in response.get_data(as_text=True)
    assert db.session.get(HumanTask, task.id).draft is None


def test_a_draft_larger_than_the_limit_is_refused_and_nothing_saved(app, ria, create_case, login, monkeypatch):
    monkeypatch.setitem(app.config, "DRAFT_MAX_BYTES", 1024)
    case = create_case(ria)
    task = open_task(case, "kennismakingsgesprek")
    client = login(ria)
    url = f"/tasks/{task.id}"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "save_draft": "1",
                                      "startscenario_toelichting": "lang verhaal " * 150})
    assert response.status_code == 422
    assert "Dit concept is te groot om op te slaan (meer dan 1 kB)" in response.get_data(as_text=True)
    assert db.session.get(HumanTask, task.id).draft is None


@pytest.mark.parametrize("page", ["99999999999999999999", "-3", "abc", "0", "2"])
def test_any_page_number_shows_a_page(ria, create_case, login, page):
    case = create_case(ria)
    client = login(ria)
    for url in ("/cases/", "/tasks/", f"/cases/{case.id}"):
        assert client.get(url, query_string={"page": page}).status_code == 200, url


@pytest.mark.parametrize("url", ["/cases/", "/tasks/"])
def test_a_search_with_a_control_character_lists_nothing_and_says_why(ria, create_case, login, url):
    create_case(ria)
    client = login(ria)
    response = client.get(url, query_string={"q": "Ami\x00na"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "stuurtekens" in html and "Amina" not in visible_text(html)


@pytest.mark.parametrize("url", ["/cases/99999999999999999999", "/tasks/99999999999999999999",
                                 "/cases/99999999999999999999/plan/", "/cases/2147483648"])
def test_a_record_id_beyond_the_database_is_not_found(ria, login, url):
    assert login(ria).get(url).status_code == 404
