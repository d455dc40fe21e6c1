"""The regisseur's worklist and the generated task forms: labels, errors, drafts, stale tasks."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.tasks.models import HumanTask
from tests.conftest import csrf_token
from tests.factories import complete, open_tasks


@pytest.fixture
def ria(create_user):
    return create_user("ria")


def task_of(case, bpmn_id):
    return next(t for t in open_tasks(case) if t.bpmn_id == bpmn_id)


def worklist_row(html: str, case) -> str:
    """The worklist's table row of ``case`` (one row per case)."""
    [row] = [row for row in re.findall(r"<tr class=\"utrecht-table__row\"[^>]*>(.*?)</tr>", html, re.S)
             if f"{case.reference} ·" in row]
    return row


def step_context(html: str, step_title: str) -> dict[str, str]:
    """The "Uit eerdere stap" panel of a task page as {label: answer}."""
    start = html.index(f"<summary>Uit eerdere stap: {step_title}</summary>")
    panel = html[start:html.index("</details>", start)]
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", panel, re.S)
    return {label.strip(): answer.strip() for label, answer in pairs}


def test_worklist_shows_my_tasks_with_overdue_mark(ria, create_user, create_case, login):
    colleague = create_user("rob")
    with time_machine.travel(datetime(2026, 1, 5, 9, tzinfo=UTC), tick=False):
        mine = create_case(ria, first="Yonas")
        theirs = create_case(colleague, first="Olena")
    client = login(ria)
    html = client.get("/tasks/").get_data(as_text=True)
    assert mine.reference in html and theirs.reference not in html
    row = worklist_row(html, mine)
    assert re.search(r'12-01-2026 <span class="tag tag--overdue">Te laat</span>', row)  # due 2026-01-12, long past
    assert re.search(r'<a href="/tasks/\d+">Kennismakingsgesprek en startscenario</a>', row)


def test_worklist_paginates_and_filters(ria, create_case, login):
    cases = [create_case(ria, first=f"Persoon{i}") for i in range(7)]
    complete(cases[0], "kennismakingsgesprek", ria)
    client = login(ria)
    first = client.get("/tasks/").get_data(as_text=True)  # 7 cases (one row each), 5 a page
    assert "Pagina 1 van 2" in first
    assert "Pagina 2 van 2" in client.get("/tasks/?page=2").get_data(as_text=True)
    filtered = client.get("/tasks/?step=intake_leerbaarheid").get_data(as_text=True)
    assert cases[0].reference in filtered and cases[1].reference not in filtered
    searched = client.get("/tasks/?q=Persoon3").get_data(as_text=True)
    assert cases[3].reference in searched and cases[4].reference not in searched


def test_task_form_has_labels_hints_and_sensitive_marks(ria, create_case, login):
    case = create_case(ria)
    complete(case, "kennismakingsgesprek", ria)
    client = login(ria)
    html = client.get(f"/tasks/{task_of(case, 'intake_persoonlijke_omstandigheden').id}").get_data(as_text=True)
    controls = re.findall(r'<(?:input|select|textarea)\b[^>]*>', html)
    assert len(controls) > 10
    for tag in controls:
        if 'type="hidden"' in tag or 'type="submit"' in tag:
            continue
        field_id = re.search(r'\bid="([^"]+)"', tag).group(1)
        assert re.search(rf'<label[^>]*for="{re.escape(field_id)}"', html), f"no label for {field_id}"
    assert "aria-describedby" in html
    assert "Gevoelig gegeven" in html
    assert "novalidate" in html


def test_invalid_submission_rerenders_with_summary_and_keeps_input(ria, create_case, login):
    case = create_case(ria)
    task = task_of(case, "kennismakingsgesprek")
    client = login(ria)
    url = f"/tasks/{task.id}"
    response = client.post(url, data={"csrf_token": csrf_token(client, url),
                                      "gesprek-datum": "31-02-2026", "startscenario_toelichting": "Iets belangrijks"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Er is een probleem" in html and "Er is iets misgegaan" not in html  # error summary
    assert 'value="31-02-2026"' in html  # the typed value is kept
    assert db.session.get(HumanTask, task.id).status == "open"


def test_draft_is_saved_as_typed_and_resumed(ria, create_case, login):
    case = create_case(ria)
    task = task_of(case, "kennismakingsgesprek")
    client = login(ria)
    url = f"/tasks/{task.id}"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "save_draft": "1",
                                      "gesprek-datum": "niet-een-datum"})
    assert response.status_code == 302
    assert db.session.get(HumanTask, task.id).draft["gesprek-datum"] == ["niet-een-datum"]
    html = client.get(url).get_data(as_text=True)
    assert 'value="niet-een-datum"' in html
    assert "Concept opgeslagen" in html


def test_complete_via_form_moves_the_case(ria, create_case, login, clock):  # the date below is "this week"
    case = create_case(ria)
    task = task_of(case, "kennismakingsgesprek")
    client = login(ria)
    url = f"/tasks/{task.id}"
    html = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, url), "gesprek-datum": "2026-01-08", "gesprek-gesproken_taal": "arabisch",
            "gesprek-tolk": "telefonisch", "startscenario": "gecombineerd"}
    # fill every other required field the form shows with a valid value
    from portal.demo import sample_submission
    from portal.tasks.workflow import form_spec_for

    sample = sample_submission(form_spec_for(task), datetime(2026, 1, 8).date(), {})
    for key, value in sample.items():
        if isinstance(value, dict):
            for sub, subvalue in value.items():
                data.setdefault(f"{key}-{sub}", "y" if subvalue is True else subvalue)
        elif value is True:
            data.setdefault(key, "y")
        elif not isinstance(value, bool):
            data.setdefault(key, value)
    assert "gesprek-datum" in html
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert f"/cases/{case.id}" in response.headers["Location"]
    assert db.session.get(HumanTask, task.id).status == "completed"
    assert {t.bpmn_id for t in open_tasks(case)} >= {"intake_leerbaarheid"}


def test_stale_task_gives_409_with_what_was_typed(ria, create_case, login, clock):
    case = create_case(ria)
    task = task_of(case, "kennismakingsgesprek")
    client = login(ria)
    url = f"/tasks/{task.id}"
    token = csrf_token(client, url)
    complete(case, "kennismakingsgesprek", ria)  # done "in another tab"
    response = client.post(url, data={"csrf_token": token, "gesprek-datum": "2026-01-08",
                                      "startscenario_toelichting": "Mijn aantekening"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "al afgerond" in html and "Mijn aantekening" in html


def test_unknown_task_is_404(ria, login):
    assert login(ria).get("/tasks/999999").status_code == 404


def test_teamleider_gets_the_overrun_escalation(ria, create_user, create_case, login):
    from portal.tasks.workflow import advance_due_instance

    tom = create_user("tom", role="teamleider")
    with time_machine.travel(datetime(2026, 1, 5, 9, tzinfo=UTC), tick=False):
        case = create_case(ria)
        complete(case, "kennismakingsgesprek", ria)
    with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=UTC), tick=False):
        advance_due_instance(datetime.now(UTC))
    client = login(tom)
    html = client.get("/tasks/").get_data(as_text=True)
    assert case.reference in html and "Uitlopende intake bespreken" in html
    assert "Gesprek leerbaarheid" not in html  # the regisseur's work is not in the teamleider's list
    escalation = task_of(case, "intake_uitloop_bespreken")
    assert client.get(f"/tasks/{escalation.id}").status_code == 200
    assert login(ria, new_client=True).get(f"/tasks/{escalation.id}").status_code == 403


def test_plan_form_shows_the_learnability_result_from_the_intake(ria, create_case, login):
    from tests.factories import walk_intake

    case = create_case(ria)
    walk_intake(case, ria)
    html = login(ria).get(f"/tasks/{task_of(case, 'pip_opstellen').id}").get_data(as_text=True)
    panel = step_context(html, "Gesprek leerbaarheid en taal")
    assert panel["Indicatie haalbaar taalniveau binnen 3 jaar"] == "Lager dan A1"  # the answers, as labels
    assert panel["Lijkt B1 haalbaar?"] == "Ja"
    assert html.index("Uit eerdere stap: Gesprek leerbaarheid en taal") < html.index('class="utrecht-form portal-form"')


def test_worklist_audits_which_cases_were_shown(ria, create_case, login):
    case = create_case(ria)
    login(ria).get("/tasks/")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.subject == "case.list")).all()
    assert [(e.action, e.purpose, e.user_id) for e in events] == [("read", "tasks.worklist", ria.id)]
    assert events[0].detail["cases"] == [case.id]


def test_a_task_page_and_its_completion_read_the_process_version_once(ria, create_case, login, clock):
    """The task page and the completion each ask for the case's process several times (form, context, the
    engine); the session's identity map holds rows weakly, so the version was read again each time."""
    from sqlalchemy import event

    from portal.demo import form_fields, sample_submission
    from portal.tasks.workflow import form_spec_for

    case = create_case(ria)
    task = task_of(case, "kennismakingsgesprek")
    url = f"/tasks/{task.id}"
    data = form_fields(sample_submission(form_spec_for(task), datetime(2026, 1, 8).date(), {}))
    client = login(ria)
    client.get(url)
    reads: list[str] = []

    def counter(_conn, _cursor, statement, *_args):
        if "FROM process_version" in statement:
            reads.append(statement)

    def fresh_session() -> None:  # as a request starts: nothing loaded yet (the test shares its session)
        db.session.expunge_all()
        db.session.info.clear()
        reads.clear()

    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        fresh_session()
        html = client.get(url).get_data(as_text=True)
        assert len(reads) == 1, reads
        fresh_session()
        response = client.post(url, data={**data, "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                                                                           html).group(1)})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        assert len(reads) == 1, reads
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
