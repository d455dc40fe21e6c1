"""Issue 11, finding 6: the PIP's sanction ladder, walked through the real voortgang and handhaving processes.

A written warning first; then fines that rise with repetition (€250, €500, €800) and never pass the law's
maximum (Wi2021 art. 23: €800); the ability to pay is assessed before every fine (Awb art. 5:46 lid 3) and no fine
comes during debt counselling or within six months of a debt-help referral; support is recorded as an actual action
with its outcome before any sanction; "geen sanctie" is always an outcome; a teamleider approves.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.dates import add_months, day_text
from portal.db import local_today
from portal.enforcement.models import EnforcementStep
from portal.enforcement.services import ability_to_pay_refusal, pip_step
from portal.extensions import db
from portal.processes.actions import ActionRefused
from portal.tasks.workflow import InvalidSubmission, complete_task
from tests.factories import QUARTERLY, complete, hold_next_meeting, open_steps, open_task, walk_to_progress

CULPABLE = {"oordeel": "verwijtbaar",
            "verwijtbaar_toelichting": "Drie lessen per week gemist zonder bericht, ondanks afspraken."}
PROPOSAL = {"verwijtbaarheid": "Drie lessen per week gemist zonder bericht, ondanks afspraken en een waarschuwing.",
            "ondersteuning": "Extra begeleiding bij het plannen en een gesprek met de taalschool."}
MEANS_OK = {"draagkracht": {"schulden": "geen", "inkomen": "boven_bijstandsniveau"}}


def culpable_meeting(case, ria, amina, clock, rung: int, **extra) -> None:
    hold_next_meeting(case, ria, amina, clock, medewerking=CULPABLE, participatie={"trede": str(rung)},
                      aanwezigheid={"peildatum": local_today().isoformat(), "uren_aangeboden": 100,
                                    "uren_gevolgd": 95}, **extra)


def propose(case, ria, **data):
    return complete(case, "handhaving_voorstel", ria, day=local_today(), **{**PROPOSAL, **data})


def approve(case, tom):
    complete(case, "handhaving_beoordelen", tom, day=local_today(), besluit="goedgekeurd", toelichting="Akkoord.")


def ladder(case):
    return [(s.rung, s.measure, s.amount_euro, s.status) for s in db.session.scalars(
        select(EnforcementStep).where(EnforcementStep.case_id == case.id).order_by(EnforcementStep.id))]


def test_the_ladder_rules():
    assert [pip_step(rung) for rung in range(1, 7)] == [
        ("waarschuwing", 0), ("boete", 250), ("boete", 500), ("boete", 800), ("boete", 800), ("boete", 800)]


def test_warning_first_then_rising_capped_fines_after_an_ability_to_pay_check(create_case, people, clock):
    ria, tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **QUARTERLY)
    culpable_meeting(case, ria, amina, clock, rung=2)
    assert open_steps(case) == ["signaal_opvolgen"]  # culpable, but no support recorded yet: support first
    complete(case, "signaal_opvolgen", ria, day=local_today(), ondersteuning=["maatschappelijke_begeleiding"],
             uitkomst="ingezet", toelichting="Extra begeleiding bij het plannen van de lessen.")
    assert open_steps(case) == ["handhaving_voorstel"]
    with pytest.raises(ActionRefused, match="schriftelijke waarschuwing"):  # step 1: never a fine first
        propose(case, ria, maatregel="boete", bedrag=100, matiging="Eerste keer.", **MEANS_OK)
    propose(case, ria, maatregel="waarschuwing")
    approve(case, tom)

    culpable_meeting(case, ria, amina, clock, rung=3)
    assert open_steps(case) == ["handhaving_voorstel"]  # support is on record now
    with pytest.raises(ActionRefused, match="ten hoogste € 250"):  # step 2 of the ladder
        propose(case, ria, maatregel="boete", bedrag=500, **MEANS_OK)
    with pytest.raises(ActionRefused, match="draagkracht"):  # no fine without looking at the ability to pay
        complete_task(open_task(case, "handhaving_voorstel").id, {**PROPOSAL, "maatregel": "boete", "bedrag": 250}, ria)
    with pytest.raises(InvalidSubmission):  # half an answer: the form puts it at the missing field
        complete_task(open_task(case, "handhaving_voorstel").id,
                      {**PROPOSAL, "maatregel": "boete", "bedrag": 250, "draagkracht": {"schulden": "geen"}}, ria)
    assert "draagkracht" in ability_to_pay_refusal(case, {})  # … and the service, whoever calls it
    with pytest.raises(ActionRefused, match="schuldhulpverlening"):
        propose(case, ria, maatregel="boete", bedrag=250,
                draagkracht={"schulden": "schuldhulp", "inkomen": "bijstandsniveau"})
    low = {"draagkracht": {"schulden": "geen", "inkomen": "bijstandsniveau",
                           "toelichting": "Bijstand; vaste lasten via de gemeente."}}
    with pytest.raises(ActionRefused, match="gematigd"):  # low income: the standard amount is too much
        propose(case, ria, maatregel="boete", bedrag=250, **low)
    propose(case, ria, maatregel="boete", bedrag=150, matiging="Inkomen op bijstandsniveau.", **low)
    approve(case, tom)

    culpable_meeting(case, ria, amina, clock, rung=4)
    propose(case, ria, maatregel="boete", bedrag=500, **MEANS_OK)  # step 3
    approve(case, tom)
    culpable_meeting(case, ria, amina, clock, rung=5)
    with pytest.raises(InvalidSubmission):  # the law's maximum is €800: the form refuses more
        propose(case, ria, maatregel="boete", bedrag=900, **MEANS_OK)
    propose(case, ria, maatregel="boete", bedrag=800, **MEANS_OK)  # step 4: the maximum
    approve(case, tom)
    culpable_meeting(case, ria, amina, clock, rung=6)
    propose(case, ria, maatregel="geen_sanctie", reden_geen_sanctie="Vier stappen gezet; eerst een huisbezoek.")
    assert not [s for s in open_steps(case) if s.startswith("handhaving")]  # "no sanction" is always an outcome
    assert ladder(case) == [(1, "waarschuwing", 0, "goedgekeurd"), (2, "boete", 150, "goedgekeurd"),
                            (3, "boete", 500, "goedgekeurd"), (4, "boete", 800, "goedgekeurd"),
                            (5, "geen_sanctie", 0, "geen_sanctie")]


def test_no_fine_within_six_months_of_a_debt_referral(create_case, people, clock):
    ria, tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **QUARTERLY)
    culpable_meeting(case, ria, amina, clock, rung=2,
                     signalen={"leefgebieden": ["schulden"], "toelichting": "Achterstand met de huur."})
    referral_day = local_today()
    complete(case, "signaal_opvolgen", ria, day=local_today(), ondersteuning=["schuldhulp"], uitkomst="ingezet",
             toelichting="Aangemeld bij schuldhulp.")
    propose(case, ria, maatregel="waarschuwing")
    approve(case, tom)
    for rung in (3, 4):  # about three and six months later, each still within six months of the referral
        culpable_meeting(case, ria, amina, clock, rung=rung)
        assert local_today() < add_months(referral_day, 6)
        with pytest.raises(ActionRefused, match=f"Op {day_text(referral_day)} is de inburgeraar naar schuldhulp"):
            propose(case, ria, maatregel="boete", bedrag=250, **MEANS_OK)
        propose(case, ria, maatregel="geen_sanctie", reden_geen_sanctie="Eerst de schuldhulp laten lopen.")
    culpable_meeting(case, ria, amina, clock, rung=5)
    assert local_today() >= add_months(referral_day, 6)  # more than six months on: a fine is possible again
    propose(case, ria, maatregel="boete", bedrag=250, **MEANS_OK)
    assert ladder(case)[-1] == (2, "boete", 250, "voorgesteld")


def test_the_proposer_never_approves_their_own_proposal(create_case, people, clock):
    """Four eyes: a teamleider other than the proposer decides (DOMAIN.md §4: a sanction is reviewed)."""
    from portal.enforcement.services import EnforcementRefused, decide

    ria, tom, amina = people
    case = create_case(ria)
    walk_to_progress(case, ria, amina, **QUARTERLY)
    culpable_meeting(case, ria, amina, clock, rung=2)
    complete(case, "signaal_opvolgen", ria, day=local_today(), ondersteuning=["maatschappelijke_begeleiding"],
             uitkomst="afgerond", toelichting="Begeleiding bij het plannen gehad.")
    propose(case, ria, maatregel="waarschuwing")
    with pytest.raises(EnforcementRefused, match="eigen voorstel"):
        decide(case, {"besluit": "goedgekeurd", "toelichting": "-"}, ria)
    approve(case, tom)
    assert ladder(case) == [(1, "waarschuwing", 0, "goedgekeurd")]
