"""The case page for reading: summary first, per life domain found / agreed / achieved, labels not codes,
the newcomer's own ratings, the history folded away, and special-category data only for the regisseur."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.casefile.reading import urgency
from portal.db import local_today
from portal.extensions import db
from tests.factories import PLAN, complete, fire_next_timer, produce_documents, sign_plan

START = datetime(2026, 1, 5, 9, tzinfo=UTC)
GOALS = [
    {"leefgebied": "taal_en_leerbaarheid", "doel": "Taalniveau B1 halen", "actie": "Taalles", "wie": "taalschool"},
    {"leefgebied": "opleiding_en_werk", "doel": "Werken in de zorg", "actie": "Snuffelstage", "wie": "werkplein"},
    {"leefgebied": "sociaal_netwerk", "doel": "Buren leren kennen", "actie": "Taalmaatje", "wie": "taalmaatje"},
]
HEALTH_NOTE = "Rugklachten na de vlucht; fysiotherapie loopt."


@pytest.fixture
def people(create_user):
    return (create_user("ria"), create_user("tom", role="teamleider"),
            create_user("amina", role="inburgeraar", password="amina-geheim-1"))


@pytest.fixture
def case_in_progress(create_case, people):
    """Intake in Ukrainian, a three-goal plan signed, a self-assessment and one meeting with goal statuses."""
    ria, _tom, amina = people
    with time_machine.travel(START, tick=False) as clock:
        case = create_case(ria)
        case.language = "oekraiens"
        complete(case, "kennismakingsgesprek", ria, gesprek={"gesproken_taal": "oekraiens", "tolk": "telefonisch"})
        complete(case, "intake_leerbaarheid", ria, gesprek={"gesproken_taal": "oekraiens", "tolk": "telefonisch"})
        complete(case, "intake_opleiding_werk", ria)
        complete(case, "intake_persoonlijke_omstandigheden", ria, gezondheid={
            "fysieke_gezondheid": "aandachtspunten", "fysieke_gezondheid_toelichting": HEALTH_NOTE})
        for step in ("intake_leefgebieden", "participatieladder_intake", "intake_samenvatting"):
            complete(case, step, ria)
        case.newcomer_user_id = amina.id
        complete(case, "pip_opstellen", ria, **{**PLAN, "doelen": GOALS})
        complete(case, "pip_vaststellen", ria, besluitdatum="2026-03-02")
        produce_documents()
        sign_plan(case, amina)
        fire_next_timer(case, clock)
        complete(case, "zelfbeoordeling", amina, day=local_today(), algemeen="redelijk",
                 doelen=[{"nummer": 1, "oordeel": "goed"}, {"nummer": 2, "oordeel": "moeilijk"}])
        complete(case, "voortgangsgesprek", ria, day=local_today(), doelen=[
            {"nummer": 1, "status": "op_schema", "toelichting": "A2 lezen gehaald"},
            {"nummer": 2, "status": "vertraagd"}, {"nummer": 3, "status": "behaald"}])
        db.session.commit()
        yield case


def test_summary_first_then_domains_then_history_folded(case_in_progress, people, login):
    ria, _tom, _amina = people
    html = login(ria).get(f"/cases/{case_in_progress.id}").get_data(as_text=True)
    order = [html.index(marker) for marker in ('id="samenvatting"', 'id="leefgebieden"', 'id="plan-en-besluit"',
                                               'id="voortgang"', 'id="geschiedenis"')]
    assert order == sorted(order)
    summary = html[order[0]:order[1]]
    for term in ("Fase", "Regisseur", "Volgende stap", "Termijnen", "Signalen en zorgen", "Plan (PIP)"):
        assert f"<dt>{term}</dt>" in summary, term
    assert "Versie 1, vastgesteld op" in summary and "Ondertekend door de inburgeraar op" in summary
    # between meetings nobody holds a step: the summary says when the process moves on by itself
    assert re.search(r"Geen open stap: het proces gaat verder op \d\d-\d\d-2026", summary)
    history = html[order[4]:]
    assert "<details" in history and "Tijdlijn" in history and "Gevoerde gesprekken" in history
    assert "Tijdlijn" not in html[:order[4]]  # the timeline only inside the folded history


def test_each_domain_shows_found_agreed_and_achieved(case_in_progress, people, login):
    ria, _tom, _amina = people
    html = login(ria).get(f"/cases/{case_in_progress.id}").get_data(as_text=True)
    work = html[html.index('id="domain-opleiding_en_werk"'):html.index('id="domain-gezondheid"')]
    assert "Gevonden" in work and "Doel 2: Werken in de zorg" in work
    assert re.search(r"Gesprek 1 \([^)]*\): Vertraagd", work)  # the meeting's status of goal 2
    assert re.search(r"Moeilijk \(\d", work)  # the newcomer's own rating of goal 2
    language = html[html.index('id="domain-taal_en_leerbaarheid"'):html.index('id="domain-opleiding_en_werk"')]
    assert "Afgesproken" in language and "B1-route" in language and "Goed (" in language
    network = html[html.index('id="domain-sociaal_netwerk"'):]
    assert "Doel 3: Buren leren kennen" in network and "Behaald" in network and "Nog geen oordeel gegeven." in network
    decision = html[html.index('id="besluit"'):]
    assert "Datum van het besluit" in decision and "Ondertekend namens het college door" in decision


def test_codes_are_shown_as_their_labels(case_in_progress, people, login):
    ria, _tom, _amina = people
    html = login(ria).get(f"/cases/{case_in_progress.id}").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", " ", html)
    assert "Oekraïens" in text and "Telefonische tolk" in text and "Taalschool" in text
    for code in ("oekraiens", "telefonisch", "op_schema", "vertraagd", "taalschool", "b1_route"):
        assert not re.search(rf"(?<![\w/-]){code}(?![\w/-])", text), code
    assert not re.search(r"<dd>\s*(ja|nee)\s*</dd>", html)  # yes/no as "Ja"/"Nee"
    assert re.search(r"<dd>\s*(Ja|Nee)\s*</dd>", html)


def test_english_case_page_speaks_english(case_in_progress, people, login):
    ria, _tom, _amina = people
    ria.locale = "en"
    db.session.commit()
    html = login(ria).get(f"/cases/{case_in_progress.id}").get_data(as_text=True)
    assert "Per life domain" in html and "Next step" in html and "Deadlines" in html


def test_special_category_data_only_for_the_regisseur(case_in_progress, people, login):
    ria, tom, _amina = people
    regisseur = login(ria).get(f"/cases/{case_in_progress.id}").get_data(as_text=True)
    assert HEALTH_NOTE in regisseur
    teamleider = login(tom, new_client=True).get(f"/cases/{case_in_progress.id}").get_data(as_text=True)
    assert HEALTH_NOTE not in teamleider and "Afgeschermd" in teamleider
    reads = db.session.scalars(select(AuditEvent.user_id).where(
        AuditEvent.case_id == case_in_progress.id, AuditEvent.subject == "case.health",
        AuditEvent.action == "read")).all()
    assert ria.id in reads and tom.id not in reads
    assert db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.case_id == case_in_progress.id, AuditEvent.subject == "case", AuditEvent.user_id == tom.id))


def test_urgency_is_said_in_words():
    today = date(2026, 3, 10)
    assert urgency(date(2026, 3, 7), today).text == "3 dagen te laat"
    assert urgency(date(2026, 3, 9), today).level == "overdue"
    assert urgency(date(2026, 3, 10), today).text == "vandaag"
    assert (urgency(date(2026, 3, 20), today).level, urgency(date(2026, 3, 20), today).text) == ("soon",
                                                                                               "nog 10 dagen")
    assert urgency(date(2026, 5, 1), today).level == "later"
