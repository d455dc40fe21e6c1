"""The newcomer's progress pages: the self-assessment before a meeting, the meetings, and concerns."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.concerns.models import Concern
from portal.concerns.services import ConcernRefused
from portal.db import local_today
from portal.extensions import db
from portal.progress.models import FinalReport, SelfAssessment
from portal.tasks.workflow import complete_task
from tests.conftest import csrf_token, page_language
from tests.factories import complete, fire_next_timer, open_steps, open_tasks, walk_to_progress

ASSESS, PROGRESS, CONCERNS = "/mijn/voortgang/hoe-gaat-het", "/mijn/voortgang", "/mijn/zorgen"
GOALS = {
    "voortgang": {"interval": "P3M"},
    "doelen": [
        {"leefgebied": "taal_en_leerbaarheid", "doel": "B1 halen", "actie": "Taalles", "wie": "taalschool"},
        {"leefgebied": "opleiding_en_werk", "doel": "Werk vinden in de zorg", "actie": "Stage zoeken",
         "wie": "inburgeraar"},
    ],
}
MEETING = {
    "aanwezigheid": {"peildatum": "2026-03-30", "uren_aangeboden": 120, "uren_gevolgd": 108},
    "examens": [{"onderdeel": "lezen", "resultaat": "behaald", "datum": "2026-03-10"}],
    "map_pvt": {"map_status": "bezig", "pvt_status": "afgerond"},
    "doelen": [{"nummer": 1, "status": "behaald"}, {"nummer": 2, "status": "vertraagd"}],
    "participatie": {"trede": "3"},
    "afspraken": {"samenvatting": "Je leest nu goed Nederlands. Werk zoeken gaat langzamer.",
                  "volgende_stappen": "Ria belt de werkcoach voor een stageplek.", "vervolg": "doorgaan"},
}


@pytest.fixture
def amina(create_user):
    return create_user("amina", role="inburgeraar", password="amina-geheim-1")


@pytest.fixture
def case(clock, create_case, ria, amina):
    """Amina's case in the progress loop: her first self-assessment is open."""
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **GOALS)
    fire_next_timer(case, clock)
    assert open_steps(case) == ["zelfbeoordeling"]
    db.session.commit()  # (a view's rollback must not undo the test's own set-up)
    return case


def hold_meeting(case, ria, amina, **overrides):
    complete(case, "zelfbeoordeling", amina, day=local_today(), algemeen="goed")
    complete(case, "voortgangsgesprek", ria, day=local_today(), **{**MEETING, **overrides})
    db.session.commit()


def dutch_date(moment: datetime) -> str:
    """A UTC moment as the pages show it to a Dutch-speaking newcomer (|dateformat: dd-mm-jjjj, Amsterdam)."""
    return moment.astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%d-%m-%Y")


# -- access -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [ASSESS, PROGRESS, CONCERNS])
def test_anonymous_visitors_are_sent_to_the_login_page(client, case, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    if url != PROGRESS:  # the forms: without a login (or a token) nothing is accepted
        assert client.post(url, data={}).status_code == 400  # no CSRF token
        posted = client.post(url, data={"csrf_token": csrf_token(client, "/login"), "algemeen": "goed",
                                        "category": "anders", "text": "Een zorg zonder login, lang genoeg."})
        assert posted.status_code == 302 and "/login" in posted.headers["Location"]
        assert db.session.scalar(select(SelfAssessment).where(SelfAssessment.case_id == case.id)) is None
        assert db.session.scalar(select(Concern).where(Concern.case_id == case.id)) is None


@pytest.mark.parametrize("url", [ASSESS, PROGRESS, CONCERNS])
def test_staff_are_refused(login, case, ria, url):
    client = login(ria)
    assert client.get(url).status_code == 403


def test_each_newcomer_sees_only_their_own_progress_and_concerns(client, login, case, ria, amina, create_user,
                                                                 create_case):
    hold_meeting(case, ria, amina)
    login(amina, password="amina-geheim-1")
    client.post(CONCERNS, data={"csrf_token": csrf_token(client, CONCERNS), "category": "geen_school",
                                "text": "Amina wacht al twee maanden op een taalschool."})
    client.post("/logout", data={"csrf_token": csrf_token(client, "/mijn/")})
    yonas = create_user("yonas", role="inburgeraar", password="yonas-geheim-12")
    other = create_case(ria, first="Yonas", last="Tesfay")
    other.newcomer_user_id = yonas.id
    db.session.commit()

    login(yonas, password="yonas-geheim-12")
    progress = client.get(PROGRESS).get_data(as_text=True)
    assert "Je leest nu goed Nederlands" not in progress and "B1 halen" not in progress
    assert "nog geen voortgangsgesprek" in progress
    assert "twee maanden" not in client.get(CONCERNS).get_data(as_text=True)
    assessment = client.get(ASSESS)
    assert assessment.status_code == 200 and "niets in te vullen" in assessment.get_data(as_text=True)


# -- the self-assessment ----------------------------------------------------------------------------

def test_self_assessment_asks_about_each_goal_of_the_plan(client, login, case, amina):
    login(amina, password="amina-geheim-1")
    home = client.get("/mijn/").get_data(as_text=True)
    assert f'href="{ASSESS}"' in home and "Vul dit in voor je gesprek" in home
    html = client.get(ASSESS).get_data(as_text=True)
    assert "novalidate" in html
    legends = re.findall(r"<legend[^>]*>(.*?)</legend>", html, re.S)
    assert any("Hoe gaat het met je inburgering?" in legend for legend in legends)
    assert any("Doel 1 (Taal en leerbaarheid): B1 halen" in legend for legend in legends)
    assert any("Doel 2 (Opleiding en werk): Werk vinden in de zorg" in legend for legend in legends)
    for number in (1, 2):
        radios = re.findall(rf'<input type="radio"[^>]*id="(doelen-doel_{number}-\d)" name="doelen-doel_{number}"',
                            html.replace("\n", " "))
        assert len(radios) == 3
        for radio_id in radios:  # every option has its own label
            assert f'for="{radio_id}"' in html
    assert 'name="hulp_nodig"' in html and "Waar heb je hulp bij nodig?" in html
    assert '<label class="utrecht-form-label utrecht-form-field__label" for="vraag">' in html
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                      AuditEvent.purpose == "newcomer.self_assessment"))


def test_a_valid_self_assessment_completes_the_task(client, login, case, amina):
    login(amina, password="amina-geheim-1")
    response = client.post(ASSESS, data={
        "csrf_token": csrf_token(client, ASSESS), "algemeen": "redelijk", "doelen-doel_1": "goed",
        "doelen-doel_2": "moeilijk", "hulp_nodig": ["huis", "school"],
        "vraag": "  Kan ik ook 's avonds les krijgen?  "})
    assert response.status_code == 302 and response.headers["Location"].endswith("/mijn/")
    stored = db.session.scalar(select(SelfAssessment).where(SelfAssessment.case_id == case.id))
    assert stored.overall == "redelijk" and stored.submitted_by_id == amina.id
    assert stored.goals == [{"nummer": 1, "oordeel": "goed"}, {"nummer": 2, "oordeel": "moeilijk"}]
    assert stored.help_needed == ["huis", "school"] and stored.question == "Kan ik ook 's avonds les krijgen?"
    assert "zelfbeoordeling" not in open_steps(case)
    assert "niets in te vullen" in client.get(ASSESS).get_data(as_text=True)


def test_a_goal_may_be_left_open(client, login, case, amina):
    login(amina, password="amina-geheim-1")
    client.post(ASSESS, data={"csrf_token": csrf_token(client, ASSESS), "algemeen": "goed",
                              "doelen-doel_2": "redelijk"})
    stored = db.session.scalar(select(SelfAssessment).where(SelfAssessment.case_id == case.id))
    assert stored.goals == [{"nummer": 2, "oordeel": "redelijk"}] and stored.help_needed == []


def test_a_missing_answer_shows_the_error_summary_and_keeps_what_was_typed(client, login, case, amina):
    login(amina, password="amina-geheim-1")
    response = client.post(ASSESS, data={
        "csrf_token": csrf_token(client, ASSESS), "doelen-doel_2": "moeilijk", "hulp_nodig": ["gezin"],
        "vraag": "Mijn zoon heeft nog geen school."})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "portal-error-summary" in html and 'href="#algemeen-0"' in html
    assert "Mijn zoon heeft nog geen school.</textarea>" in html
    assert re.search(r'id="doelen-doel_2-2" name="doelen-doel_2" value="moeilijk"\s+checked', html)
    assert re.search(r'value="gezin"\s+checked', html)
    assert db.session.scalar(select(SelfAssessment).where(SelfAssessment.case_id == case.id)) is None
    assert open_steps(case) == ["zelfbeoordeling"]


def test_answers_sent_after_the_task_closed_are_shown_again(client, login, case, ria, amina):
    login(amina, password="amina-geheim-1")
    token = csrf_token(client, ASSESS)
    complete(case, "zelfbeoordeling", amina, day=local_today(), algemeen="goed")  # e.g. in another tab
    db.session.commit()
    response = client.post(ASSESS, data={"csrf_token": token, "algemeen": "moeilijk",
                                         "vraag": "Ik heb een nieuwe vraag."})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "portal-error-summary" in html and "niet verstuurd" in html
    assert "Ik heb een nieuwe vraag.</textarea>" in html
    assert len(db.session.scalars(select(SelfAssessment).where(SelfAssessment.case_id == case.id)).all()) == 1


# -- progress ---------------------------------------------------------------------------------------

def test_the_progress_page_shows_each_meeting_in_words(client, login, case, ria, amina):
    hold_meeting(case, ria, amina)
    login(amina, password="amina-geheim-1")
    home = client.get("/mijn/").get_data(as_text=True)
    assert f'href="{PROGRESS}"' in home
    html = client.get(PROGRESS).get_data(as_text=True)
    assert "Je leest nu goed Nederlands. Werk zoeken gaat langzamer." in html
    assert "Ria belt de werkcoach voor een stageplek." in html
    assert "Geschreven door je regisseur" in html
    assert "Doel 1: B1 halen" in html and "Doel 2: Werk vinden in de zorg" in html
    assert ">Behaald<" in html and ">Vertraagd<" in html  # goal status words, not codes
    assert "vertraagd" not in html and "op_schema" not in html
    assert "Je was 108 van de 120 uur bij de les (90%)." in html
    assert "Lezen: Behaald" in html
    assert "Bezig" in html and "Afgerond" in html  # MAP and PVT
    assert "3. Deelname aan georganiseerde activiteiten" in html
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                      AuditEvent.purpose == "newcomer.my_progress"))


def test_newest_meeting_comes_first(client, login, case, ria, amina, clock):
    hold_meeting(case, ria, amina)
    assert open_steps(case) == []  # (no stagnation, no signals: the loop waits for the next meeting)
    fire_next_timer(case, clock)
    hold_meeting(case, ria, amina, afspraken={**MEETING["afspraken"], "samenvatting": "Tweede gesprek."})
    login(amina, password="amina-geheim-1")
    html = client.get(PROGRESS).get_data(as_text=True)
    assert html.index("Tweede gesprek.") < html.index("Je leest nu goed Nederlands")


def test_the_final_report_is_shown(client, login, case, ria, amina):
    db.session.add(FinalReport(case_id=case.id, conclusion="voldaan", ladder_rung=5,
                               summary="Je hebt alle examens gehaald. Gefeliciteerd!", recorded_by_id=ria.id))
    db.session.commit()
    login(amina, password="amina-geheim-1")
    home = client.get("/mijn/").get_data(as_text=True)
    assert f'href="{PROGRESS}#final-report"' in home
    html = client.get(PROGRESS).get_data(as_text=True)
    assert "Inburgeringsplicht voldaan" in html and "5. Betaald werk met ondersteuning" in html
    assert "Je hebt alle examens gehaald. Gefeliciteerd!" in html


# -- concerns ---------------------------------------------------------------------------------------

def test_a_concern_opens_a_teamleider_task_and_shows_its_due_date(client, login, case, amina):
    login(amina, password="amina-geheim-1")
    response = client.post(CONCERNS, data={"csrf_token": csrf_token(client, CONCERNS), "category": "geen_school",
                                           "text": "Er is na twee maanden nog steeds geen taalschool."})
    assert response.status_code == 302 and response.headers["Location"].endswith(CONCERNS)
    task = next(t for t in open_tasks(case) if t.bpmn_id == "zorg_behandelen")
    assert task.role == "teamleider"
    concern = db.session.scalar(select(Concern).where(Concern.case_id == case.id))
    assert concern.status == Concern.OPEN and concern.due_at == task.due_at
    html = client.get(CONCERNS).get_data(as_text=True)
    assert "Er is geen taalschool geregeld" in html and "Er is na twee maanden nog steeds geen taalschool." in html
    assert ">Open<" in html
    assert f"Je krijgt uiterlijk {dutch_date(concern.due_at)} antwoord." in html
    assert "1 melding wacht op antwoord" in client.get("/mijn/").get_data(as_text=True)


def test_the_answer_to_a_concern_is_shown(client, login, case, amina, create_user):
    tom = create_user("tom", role="teamleider")
    login(amina, password="amina-geheim-1")
    client.post(CONCERNS, data={"csrf_token": csrf_token(client, CONCERNS), "category": "gesprek_afgezegd",
                                "text": "Mijn gesprek van dinsdag is afgezegd."})
    task = next(t for t in open_tasks(case) if t.bpmn_id == "zorg_behandelen")
    complete_task(task.id, {"antwoord": "Je krijgt volgende week een nieuwe afspraak."}, tom)
    db.session.commit()
    html = client.get(CONCERNS).get_data(as_text=True)
    concern = db.session.scalar(select(Concern).where(Concern.case_id == case.id))
    assert ">Beantwoord<" in html and "Je krijgt volgende week een nieuwe afspraak." in html
    assert dutch_date(concern.answered_at) in html and "Je krijgt uiterlijk" not in html
    assert "melding wacht" not in client.get("/mijn/").get_data(as_text=True)


def test_a_too_short_concern_is_refused_and_kept(client, login, case, amina):
    login(amina, password="amina-geheim-1")
    html = client.post(CONCERNS, data={"csrf_token": csrf_token(client, CONCERNS), "category": "anders",
                                       "text": "Help"}).get_data(as_text=True)
    assert "portal-error-summary" in html and "Help</textarea>" in html
    assert re.search(r'value="anders"\s+checked', html)
    assert "zorg_behandelen" not in open_steps(case)


def test_a_refused_concern_says_so_and_keeps_the_text(client, login, case, amina, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise ConcernRefused("zorg_gemeld")

    monkeypatch.setattr("portal.newcomer.views.raise_concern", refuse)
    login(amina, password="amina-geheim-1")
    response = client.post(CONCERNS, data={"csrf_token": csrf_token(client, CONCERNS), "category": "hulp_nodig",
                                           "text": "Ik begrijp de brief van DUO niet."})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "kon niet worden verstuurd" in html
    assert "Ik begrijp de brief van DUO niet.</textarea>" in html
    assert db.session.scalar(select(Concern).where(Concern.case_id == case.id)) is None


# -- language ---------------------------------------------------------------------------------------

def test_arabic_pages_are_right_to_left(client, login, case, ria, amina):
    hold_meeting(case, ria, amina)
    amina.locale = "ar"
    db.session.commit()
    login(amina, password="amina-geheim-1")
    for url in (PROGRESS, CONCERNS, ASSESS, "/mijn/"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert page_language(html) == ("ar", "rtl"), url
