"""A step whose script runs over its budget: the regisseur gets a 422 with a clear message, the task
stays open, nothing is stored, and the designer finds the process and element in the log."""

import logging
from pathlib import Path

import pytest

from portal.engine import load_source
from portal.extensions import db
from portal.processes.models import ProcessVersion
from portal.tasks.models import HumanTask, WorkflowInstance
from tests.conftest import csrf_token
from tests.factories import open_tasks

SANDBOX = Path(__file__).resolve().parents[1] / "engine" / "data" / "sandbox"


@pytest.fixture
def ria(create_user):
    return create_user("ria")


@pytest.fixture
def sandbox_case(ria, create_case):
    """A case on the test process of data/sandbox, deployed without lint as by older data."""
    source = load_source(SANDBOX, "sandbox")
    db.session.add(ProcessVersion(digest=source.digest, entry_process="sandbox", bundle=source.bundle,
                                  files=source.files, note="test: scripts over their budget"))
    db.session.flush()
    return create_case(ria)  # new cases start on the newest version


def submit(client, task, script: str):
    url = f"/tasks/{task.id}"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "script": script})


@pytest.mark.parametrize(("script", "limit"), [("traag", "time"), ("tekst_1gb", "memory")])
def test_a_step_over_its_budget_answers_422_and_stays_open(ria, sandbox_case, login, caplog, script, limit):
    [task] = open_tasks(sandbox_case)
    instance = db.session.query(WorkflowInstance).filter_by(case_id=sandbox_case.id).one()
    state_before = instance.state
    client = login(ria)
    with caplog.at_level(logging.WARNING, logger="portal.tasks.workflow"):
        response = submit(client, task, script)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"een rekenregel in het proces ({script}) duurde te lang of gebruikte te veel geheugen" in html
    assert "de taak staat nog open" in html
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).status == HumanTask.OPEN
    assert db.session.get(WorkflowInstance, instance.id).state == state_before
    [logged] = [r.getMessage() for r in caplog.records if "BPMN" in r.getMessage()]
    assert f"BPMN sandbox/{script} of case {sandbox_case.id} exceeded its {limit} budget" in logged
    assert "Amina" not in logged and "Haddad" not in logged


def test_a_script_the_rules_refuse_fails_the_step_the_same_way(ria, sandbox_case, login, caplog):
    [task] = open_tasks(sandbox_case)
    client = login(ria)
    with caplog.at_level(logging.WARNING, logger="portal.tasks.workflow"):
        response = submit(client, task, "lus")  # while True: refused by the rules before it runs
    assert response.status_code == 422
    assert "door een fout in het proces (lus)" in response.get_data(as_text=True)
    assert any("BPMN sandbox/lus of case" in r.getMessage() for r in caplog.records)


def test_a_normal_script_completes_the_step(ria, sandbox_case, login):
    [task] = open_tasks(sandbox_case)
    response = submit(login(ria), task, "normaal")
    assert response.status_code == 302
    assert db.session.get(HumanTask, task.id).status == HumanTask.COMPLETED


def test_a_process_that_fails_at_its_start_refuses_the_new_case_with_422(create_user, login, monkeypatch):
    from sqlalchemy import select

    from portal.cases.models import Case
    from portal.engine import EngineError
    from portal.engine.runtime import DeployedProcess
    from tests.casefile.test_views import VALID

    def over_budget(self, data):
        raise EngineError("inburgering/intake_start: the script ran longer than its time budget of 100 ms",
                          "inburgering", "intake_start", limit="time")

    monkeypatch.setattr(DeployedProcess, "start", over_budget)
    ria = create_user("ria")
    client = login(ria)
    response = client.post("/cases/new", data={**VALID, "regisseur": str(ria.id),
                                                "csrf_token": csrf_token(client, "/cases/new")})
    assert response.status_code == 422
    assert "Het proces kon niet starten door een fout in het proces (intake_start)" in response.get_data(as_text=True)
    assert db.session.scalar(select(Case).where(Case.v_number == VALID["v_nummer"])) is None
