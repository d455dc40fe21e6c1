"""Municipality settings: the law's defaults with sources shown, every change audited, and a change counts for NEW
deadlines only (running cases keep the terms and the PIP start event they began with)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.tasks.models import WorkflowInstance
from tests.conftest import csrf_token
from tests.factories import next_timer

URL = "/beheer/instellingen"


def _form(client, **changes) -> dict:
    data = {"csrf_token": csrf_token(client, URL), "pip_deadline_start": "", "term_intake_start": "4",
            "term_ondertekening": "28", "term_gesprek_te_laat": "14", "term_pip_wijziging": "8",
            "term_zelfbeoordeling_dagen": "7", "contact_phone": "", "contact_email": "", "contact_address": "",
            "languages": ["nl", "en", "ar", "fa", "ti", "uk", "tr"], "newcomer_audit_names": "roles"}
    data.update(changes)
    return data


def test_page_shows_defaults_and_sources(create_user, login, client):
    login(create_user("bea", role="beheerder"))
    html = client.get(URL).get_data(as_text=True)
    assert "Besluit inburgering 2021 art. 5.3" in html and "Algemene wet bestuursrecht art. 4:13" in html
    assert "Standaard van het portaal: 4 weken" in html and 'value="28"' in html
    assert "lopende termijnen" in html.lower() or "houden de waarde" in html


def test_changes_are_audited_and_refused_out_of_range(create_user, login, client, municipality):
    bea = create_user("bea", role="beheerder")
    login(bea)
    bad = client.post(URL, data=_form(client, term_intake_start="0", contact_email="geen-adres", languages=[]))
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Kies een aantal van 1 tot 10." in body and "Kies minstens één taal." in body
    assert 'value="geen-adres"' in body  # nothing typed is lost
    done = client.post(URL, data=_form(client, term_intake_start="2", contact_phone="030 286 00 00",
                                       pip_deadline_start="verhuizing", languages=["nl", "ar"]))
    assert done.status_code == 302
    utrecht = municipality("0344")
    assert utrecht.escalation_terms == {"intake_start": "P2W"} and utrecht.pip_deadline_start == "verhuizing"
    assert utrecht.contact_phone == "030 286 00 00" and utrecht.languages == ["nl", "ar"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.purpose == "admin.settings"))
    assert event.user_id == bea.id
    assert event.detail["changes"]["intake_start"] == {"old": "P4W", "new": "P2W"}
    assert event.detail["changes"]["pip_deadline_start"] == {"old": None, "new": "verhuizing"}
    back = client.post(URL, data=_form(client, contact_phone="030 286 00 00", pip_deadline_start="verhuizing",
                                       languages=["nl", "ar"]))
    assert back.status_code == 302 and utrecht.escalation_terms is None  # the default again: follow the portal


def test_another_municipality_is_not_changed(create_user, login, client, municipality):
    create_user("bob", role="beheerder", code="0355")
    login(create_user("bea", role="beheerder"))
    client.post(URL, data=_form(client, term_intake_start="2"))
    assert municipality("0355").escalation_terms is None


def test_a_change_counts_for_new_deadlines_only(create_user, create_case, login, client, municipality, clock):
    """A case opened before the change keeps its escalation term and its PIP start event; one opened after gets
    the new ones."""
    from portal.cases.services import record_move

    ria = create_user("ria")
    running = create_case(ria)
    assert next_timer(running).date() == date(2026, 2, 2)  # koppeling 5 January + 4 weeks: intake not started
    login(create_user("bea", role="beheerder"))
    assert client.post(URL, data=_form(client, term_intake_start="2",
                                       pip_deadline_start="verhuizing")).status_code == 302
    new = create_case(ria, first="Omar")
    assert next_timer(new).date() == date(2026, 1, 19)  # 2 weeks: the new term
    assert next_timer(running).date() == date(2026, 2, 2)  # the running case kept its 4 weeks
    state = db.session.scalar(select(WorkflowInstance).where(WorkflowInstance.case_id == running.id))
    assert state is not None
    # the PIP deadline: the running case counts from the koppeling as it started, the new one from the move
    record_move(running, date(2026, 3, 2))
    record_move(new, date(2026, 3, 2))
    assert running.pip_deadline == date(2026, 3, 16)  # 5 January + 10 weeks, unmoved
    assert new.pip_deadline == date(2026, 5, 11)  # 2 March + 10 weeks
    assert (running.pip_deadline_event, new.pip_deadline_event) == ("koppeling", "verhuizing")


def test_the_teams_contact_details_are_printed_in_the_decision_letter(create_user, create_case, municipality,
                                                                      monkeypatch):
    from portal.plans import documents
    from portal.plans.models import PlanDocument
    from tests.factories import walk_to_signing

    ria, amina = create_user("ria"), create_user("amina", role="inburgeraar", password="amina-geheim-1")
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    decision = db.session.scalar(select(PlanDocument).where(PlanDocument.kind == PlanDocument.DECISION))
    pages = []
    monkeypatch.setattr(documents, "render_pdf", lambda html: pages.append(html) or b"%PDF")
    monkeypatch.setattr(documents, "seal_pdf", lambda pdf, _key, _cert: pdf)
    documents.render_document(decision.id)
    assert "Contact met het team inburgering" not in pages[-1]  # nothing set: nothing printed
    utrecht = municipality("0344")
    utrecht.contact_phone, utrecht.contact_email = "030 286 00 00", "inburgering@utrecht.example"
    documents.render_document(decision.id)
    assert "Contact met het team inburgering: 030 286 00 00 · inburgering@utrecht.example" in pages[-1]


def test_the_languages_offered_limit_what_a_newcomer_can_choose(create_user, create_case, login, client):
    """The municipality offers Dutch and Arabic: Farsi, chosen before, and Turkish are no longer offered."""
    from tests.conftest import page_language

    login(create_user("bea", role="beheerder"))
    assert client.post(URL, data=_form(client, languages=["nl", "ar"])).status_code == 302
    amina = create_user("amina", role="inburgeraar")
    amina.locale = "fa"
    create_case(create_user("ria")).newcomer_user_id = amina.id
    newcomer = login(amina, new_client=True)
    html = newcomer.get("/mijn/").get_data(as_text=True)
    assert page_language(html)[0] != "fa"
    assert 'value="ar"' in html and 'value="fa"' not in html and 'value="tr"' not in html
    newcomer.post("/language", data={"language": "tr", "csrf_token": csrf_token(newcomer, "/mijn/"), "next": "/mijn/"})
    assert page_language(newcomer.get("/mijn/").get_data(as_text=True))[0] != "tr"
