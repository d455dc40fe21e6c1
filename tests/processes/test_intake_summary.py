"""Confirming the brede intake: a summary not discussed with the newcomer needs a reason (issue 11, finding 12)."""

import pytest

from portal.tasks.workflow import InvalidSubmission, complete_task
from tests.conftest import csrf_token
from tests.factories import INTAKE_STEPS, complete, open_steps, open_task

SUMMARY = {"samenvatting": "Startpositie: A1, wil in de zorg werken.",
           "conclusies": {"taal_en_leerbaarheid": "B1 haalbaar.", "opleiding_en_werk": "12 jaar school.",
                          "gezondheid": "Geen beperkingen voor het traject."},
           "bevestiging": True}
REASON = "Geen tolk beschikbaar; bespreken op 20 januari met tolk."


@pytest.fixture
def case_at_summary(create_case, create_user):
    ria = create_user("ria")
    case = create_case(ria)
    for step in INTAKE_STEPS[:-1]:
        complete(case, step, ria)
    assert open_steps(case) == ["intake_samenvatting"]
    return case, ria


@pytest.mark.parametrize(("answer", "violations"), [
    ({"samenvatting_besproken": False}, {(("niet_besproken_reden",), "required")}),
    ({}, {(("niet_besproken_reden",), "required")}),  # not answered at all is not discussed either
    ({"samenvatting_besproken": False, "niet_besproken_reden": "Geen tijd."},
     {(("niet_besproken_reden",), "minLength")}),
])
def test_not_discussed_without_a_reason_is_refused(case_at_summary, answer, violations):
    case, ria = case_at_summary
    with pytest.raises(InvalidSubmission) as refused:
        complete_task(open_task(case, "intake_samenvatting").id, {**SUMMARY, **answer}, ria)
    assert {(v.path, v.rule) for v in refused.value.violations} == violations
    assert open_steps(case) == ["intake_samenvatting"]


@pytest.mark.parametrize("answer", [{"samenvatting_besproken": True},
                                    {"samenvatting_besproken": False, "niet_besproken_reden": REASON}])
def test_discussed_or_not_discussed_with_a_reason_is_confirmed(case_at_summary, answer):
    case, ria = case_at_summary
    complete_task(open_task(case, "intake_samenvatting").id, {**SUMMARY, **answer}, ria)
    assert open_steps(case) == ["pip_opstellen"]


def test_the_form_shows_the_missing_reason_at_its_field(case_at_summary, login):
    case, ria = case_at_summary
    client = login(ria)
    url = f"/tasks/{open_task(case, 'intake_samenvatting').id}"
    form = {"csrf_token": csrf_token(client, url), "samenvatting": SUMMARY["samenvatting"],
            **{f"conclusies-{k}": v for k, v in SUMMARY["conclusies"].items()}, "bevestiging": "y"}
    response = client.post(url, data=form)  # "besproken" left unticked: nee
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    field = html[html.index('for="niet_besproken_reden"'):]
    assert "Vul een antwoord in." in field[:field.index("</textarea>")]  # a question: answered, not "filled"
    assert SUMMARY["samenvatting"] in html  # nothing typed is lost
    response = client.post(url, data={**form, "niet_besproken_reden": REASON})
    assert response.status_code == 302 and open_steps(case) == ["pip_opstellen"]
