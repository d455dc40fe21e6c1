"""Enforcement: support before sanction, the intake ladder, approval by a teamleider."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from portal.enforcement.models import EnforcementStep
from portal.enforcement.services import EnforcementRefused, propose
from portal.extensions import db
from portal.processes.actions import ActionRefused
from portal.progress.models import ProgressMeeting
from tests.conftest import csrf_token
from tests.factories import complete, hold_next_meeting, open_steps, open_tasks, progress_section, walk_to_progress

CULPABLE = {"beoordeling": {
    "verwijtbaar": "ja", "reden": "Geen bericht.",
    "toelichting": "Twee brieven en een telefoontje, met tolk; geen reactie en geen reden gegeven."}}
PROPOSAL = {"verwijtbaarheid": "Twee oproepen met tolk gemist zonder bericht of reden, ondanks hulp van het COA.",
            "ondersteuning": "Tolk aangeboden en het COA gevraagd de brief uit te leggen.",
            # the ability to pay, assessed before any fine (Awb art. 5:46 lid 3)
            "draagkracht": {"schulden": "geen", "inkomen": "boven_bijstandsniveau"}}


@pytest.fixture
def staff(create_user):
    return create_user("ria"), create_user("tom", role="teamleider")


def no_show(case, ria, verdict=CULPABLE):
    from portal.enforcement.services import report_no_show

    report_no_show(case, ria)
    complete(case, "niet_verschenen_vastleggen", ria, **verdict)


def steps(case):
    return list(db.session.scalars(select(EnforcementStep).where(EnforcementStep.case_id == case.id)
                                   .order_by(EnforcementStep.id)))


def test_intake_ladder_warning_then_two_fines_each_approved(create_case, staff):
    ria, tom = staff
    case = create_case(ria)
    no_show(case, ria, {"beoordeling": {"verwijtbaar": "nee", "reden": "Ziek."}})
    assert open_steps(case) == ["kennismakingsgesprek"]  # not culpable: a new invitation, no sanction
    no_show(case, ria)
    assert "handhaving_voorstel" in open_steps(case)
    with pytest.raises(ActionRefused, match="waarschuwing"):  # step 1 of the ladder is a warning
        complete(case, "handhaving_voorstel", ria, maatregel="boete", bedrag=250, **PROPOSAL)
    complete(case, "handhaving_voorstel", ria, maatregel="waarschuwing", **PROPOSAL)
    complete(case, "handhaving_beoordelen", tom, besluit="goedgekeurd", toelichting="Akkoord.")
    for _ in range(2):
        no_show(case, ria)
        with pytest.raises(ActionRefused, match="250"):
            complete(case, "handhaving_voorstel", ria, maatregel="boete", bedrag=300, **PROPOSAL)
        with pytest.raises(ActionRefused, match="matiging"):
            complete(case, "handhaving_voorstel", ria, maatregel="boete", bedrag=150, **PROPOSAL)
        complete(case, "handhaving_voorstel", ria, maatregel="boete", bedrag=250, **PROPOSAL)
        complete(case, "handhaving_beoordelen", tom, besluit="goedgekeurd", toelichting="Akkoord.")
    assert [(s.track, s.rung, s.measure, s.amount_euro, s.status) for s in steps(case)] == [
        ("intake", 1, "waarschuwing", 0, "goedgekeurd"),
        ("intake", 2, "boete", 250, "goedgekeurd"),
        ("intake", 3, "boete", 250, "goedgekeurd"),
    ]
    no_show(case, ria)
    with pytest.raises(ActionRefused, match="doorlopen"):
        complete(case, "handhaving_voorstel", ria, maatregel="boete", bedrag=250, **PROPOSAL)
    assert "kennismakingsgesprek" in open_steps(case)  # the intake itself goes on


def test_a_rejected_proposal_does_not_climb_the_ladder(create_case, staff):
    ria, tom = staff
    case = create_case(ria)
    no_show(case, ria)
    complete(case, "handhaving_voorstel", ria, maatregel="waarschuwing", **PROPOSAL)
    complete(case, "handhaving_beoordelen", tom, besluit="afgewezen", toelichting="Eerst een huisbezoek.")
    no_show(case, ria)
    with pytest.raises(ActionRefused, match="waarschuwing"):
        complete(case, "handhaving_voorstel", ria, maatregel="boete", bedrag=250, **PROPOSAL)


def test_no_sanction_while_a_signal_has_no_support(create_case, staff):
    ria, _tom = staff
    case = create_case(ria)
    db.session.add(ProgressMeeting(case_id=case.id, number=1, held_on=case.koppeling_date,
                                   reference_date=case.koppeling_date, hours_offered=10, hours_attended=2,
                                   map_status="bezig", pvt_status="bezig", ladder_rung=2, signals=["schulden"],
                                   cooperation="verwijtbaar", next_steps="-", summary="-"))
    db.session.flush()
    task = next(t for t in open_tasks(case))
    with pytest.raises(EnforcementRefused, match="eerst ondersteuning"):
        propose(case, task, {"maatregel": "waarschuwing", **PROPOSAL}, ria)


@pytest.mark.parametrize(("support", "counts"), [
    ({"ondersteuning": ["anders"], "toelichting": "Anders – geen actie nodig."}, False),  # no action, no outcome
    ({"ondersteuning": ["geen_actie"], "toelichting": "Geen actie nodig."}, False),
    ({"ondersteuning": ["schuldhulp"], "toelichting": "Aangemeld."}, False),  # an action without its outcome
    ({"ondersteuning": ["schuldhulp"], "uitkomst": "ingezet", "toelichting": "Aangemeld bij schuldhulp."}, True),
    ({"ondersteuning": ["verwijzing"], "partner": "GGZ", "uitkomst": "niet_aangenomen",
      "toelichting": "Verwijzing aangeboden; mevrouw wilde niet."}, True),
])
def test_only_an_actual_support_action_with_its_outcome_allows_a_sanction(create_case, staff, support, counts):
    """Finding 13: support before sanction (DOMAIN.md §4, §4.4) is an actual action with its outcome."""
    from portal.progress.models import FollowUp

    ria, _tom = staff
    case = create_case(ria)
    meeting = ProgressMeeting(case_id=case.id, number=1, held_on=case.koppeling_date,
                              reference_date=case.koppeling_date, hours_offered=10, hours_attended=2,
                              map_status="bezig", pvt_status="bezig", ladder_rung=2, signals=["schulden"],
                              cooperation="verwijtbaar", next_steps="-", summary="-")
    db.session.add(meeting)
    db.session.flush()
    db.session.add(FollowUp(case_id=case.id, meeting_id=meeting.id, kind=FollowUp.SUPPORT,
                            outcome=support["ondersteuning"][0], data=support, recorded_by_id=ria.id))
    db.session.flush()
    task = next(t for t in open_tasks(case))
    if counts:
        assert propose(case, task, {"maatregel": "waarschuwing", **PROPOSAL}, ria).measure == "waarschuwing"
    else:
        with pytest.raises(EnforcementRefused, match="eerst ondersteuning"):
            propose(case, task, {"maatregel": "waarschuwing", **PROPOSAL}, ria)


def test_no_show_button_opens_the_step_and_is_refused_after_the_intake(app, create_case, staff, login):
    ria, tom = staff
    case = create_case(ria)
    db.session.commit()
    client = login(ria)
    assert "Niet verschenen melden" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    token = csrf_token(client, f"/cases/{case.id}")
    response = client.post(f"/cases/{case.id}/niet-verschenen", data={"csrf_token": token})
    assert response.status_code == 302 and "/tasks/" in response.headers["Location"]
    assert "niet_verschenen_vastleggen" in open_steps(case)
    tom_client = login(tom, new_client=True)
    tom_token = csrf_token(tom_client, f"/cases/{case.id}")
    assert tom_client.post(f"/cases/{case.id}/niet-verschenen", data={"csrf_token": tom_token}).status_code == 403
    assert client.post(f"/cases/{case.id}/niet-verschenen", data={}).status_code == 400  # no CSRF token
    assert [t.bpmn_id for t in open_tasks(case)].count("niet_verschenen_vastleggen") == 1
    assert "Niet verschenen melden" not in tom_client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_a_colleague_cannot_report_a_no_show_on_a_case_not_theirs(create_case, staff, create_user, login):
    from portal.enforcement.services import may_report_no_show

    ria, _tom = staff
    colleague = create_user("karim")  # a regisseur of the same municipality
    case = create_case(ria)
    db.session.commit()
    assert may_report_no_show(case, ria) and not may_report_no_show(case, colleague)
    client = login(colleague)
    assert "Niet verschenen melden" not in client.get(f"/cases/{case.id}").get_data(as_text=True)
    response = client.post(f"/cases/{case.id}/niet-verschenen",
                           data={"csrf_token": csrf_token(client, f"/cases/{case.id}")})
    assert response.status_code == 302  # back to the case page, with the reason
    assert "Alleen de eigen regisseur" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert "niet_verschenen_vastleggen" not in open_steps(case)


def test_no_show_is_refused_once_the_plan_is_decided(create_case, staff, create_user):
    from portal.enforcement.services import may_report_no_show, report_no_show
    from tests.factories import walk_to_signing

    ria, _tom = staff
    case = create_case(ria)
    walk_to_signing(case, ria, create_user("amina", role="inburgeraar"))
    assert not may_report_no_show(case, ria)
    with pytest.raises(EnforcementRefused, match="voortgangsgesprek"):
        report_no_show(case, ria)


def test_a_refused_proposal_shows_the_reason_and_keeps_the_input(create_case, staff, login):
    ria, _tom = staff
    case = create_case(ria)
    no_show(case, ria)
    task = next(t for t in open_tasks(case) if t.bpmn_id == "handhaving_voorstel")
    db.session.commit()
    client = login(ria)
    url = f"/tasks/{task.id}"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "maatregel": "boete", "bedrag": "250",
                                      "draagkracht-schulden": "geen", "draagkracht-inkomen": "bijstandsniveau",
                                      **{k: v for k, v in PROPOSAL.items() if k != "draagkracht"}})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Stap 1 van de ladder is" in html  # the reason, in the error summary
    assert PROPOSAL["verwijtbaarheid"] in html  # nothing typed is lost
    assert "handhaving_voorstel" in open_steps(case)


def test_enforcement_review_shows_the_rung_the_portal_computed(create_case, staff, create_user, login):
    ria, tom = staff
    amina = create_user("amina", role="inburgeraar", password="amina-geheim-1")
    with time_machine.travel(datetime(2026, 1, 5, 9, tzinfo=UTC), tick=False) as clock:
        case = create_case(ria)
        walk_to_progress(case, ria, amina)
        hold_next_meeting(case, ria, amina, clock, medewerking={
            "oordeel": "verwijtbaar",
            "verwijtbaar_toelichting": "Drie lessen per week gemist zonder bericht, ondanks afspraken."})
        assert open_steps(case) == ["signaal_opvolgen"]  # no support recorded yet: support first
        complete(case, "signaal_opvolgen", ria, ondersteuning=["maatschappelijke_begeleiding"], uitkomst="ingezet",
                 toelichting="Extra begeleiding bij het plannen van de lessen.")
        complete(case, "handhaving_voorstel", ria, maatregel="waarschuwing",
                 verwijtbaarheid="Drie lessen per week gemist zonder bericht, ondanks afspraken.",
                 ondersteuning="Gesprek met de taalschool en een taalmaatje aangeboden.")
    task = next(t for t in open_tasks(case) if t.bpmn_id == "handhaving_beoordelen")
    client = login(tom)
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Voorstel volgens het portaal" in html and "PIP (art. 23 Wi2021)" in html and "Stap 1" in html
    assert "geen (waarschuwing)" in html
    case_page = progress_section(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert 'id="handhaving">Handhaving</h3>' in case_page
    assert '<span class="tag tag--info">Voorgesteld</span>' in case_page  # the status, not the column heading
    assert "<td class=\"utrecht-table__cell\">Ria op " in case_page  # who proposed it


def test_no_sanction_closes_the_proposal_once_the_intake_ladder_is_exhausted(create_case, staff):
    """Finding 7: with the ladder done, "geen sanctie" (with a reason) completes the step; nothing stays stuck."""
    ria, tom = staff
    case = create_case(ria)
    no_show(case, ria)
    complete(case, "handhaving_voorstel", ria, maatregel="waarschuwing", **PROPOSAL)
    complete(case, "handhaving_beoordelen", tom, besluit="goedgekeurd", toelichting="Akkoord.")
    for _ in range(2):
        no_show(case, ria)
        complete(case, "handhaving_voorstel", ria, maatregel="boete", bedrag=250, **PROPOSAL)
        complete(case, "handhaving_beoordelen", tom, besluit="goedgekeurd", toelichting="Akkoord.")
    no_show(case, ria)
    with pytest.raises(ActionRefused, match="geen sanctie"):  # the refusal names the way out
        complete(case, "handhaving_voorstel", ria, maatregel="boete", bedrag=250, **PROPOSAL)
    with pytest.raises(ActionRefused, match="reden"):  # no sanction needs a reason
        complete(case, "handhaving_voorstel", ria, maatregel="geen_sanctie", reden_geen_sanctie="", **PROPOSAL)
    complete(case, "handhaving_voorstel", ria, maatregel="geen_sanctie",
             reden_geen_sanctie="De ladder is doorlopen; het PIP wordt zonder haar inbreng vastgesteld.", **PROPOSAL)
    assert not [s for s in open_steps(case) if s.startswith("handhaving")]  # no stuck task, no review
    last = steps(case)[-1]
    assert (last.measure, last.status, last.amount_euro) == ("geen_sanctie", "geen_sanctie", 0)
    assert last.decision_note.startswith("De ladder is doorlopen")
    assert len([s for s in steps(case) if s.status == "goedgekeurd"]) == 3  # the ladder did not move


def test_no_sanction_is_open_even_while_support_is_missing(create_case, staff):
    """"Geen sanctie" is never refused: not by the ladder, not by support-first (DOMAIN.md §4: last resort)."""
    ria, _tom = staff
    case = create_case(ria)
    db.session.add(ProgressMeeting(case_id=case.id, number=1, held_on=case.koppeling_date,
                                   reference_date=case.koppeling_date, hours_offered=10, hours_attended=2,
                                   map_status="bezig", pvt_status="bezig", ladder_rung=2, signals=["schulden"],
                                   cooperation="verwijtbaar", next_steps="-", summary="-"))
    db.session.flush()
    no_show(case, ria)
    complete(case, "handhaving_voorstel", ria, maatregel="geen_sanctie",
             reden_geen_sanctie="Eerst schuldhulp; een boete zou de schulden vergroten.", **PROPOSAL)
    assert not [s for s in open_steps(case) if s.startswith("handhaving")]
