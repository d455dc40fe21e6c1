"""The process designer's room: counts per version and node from SQL, the wait-state projection,
the `portal bpmn versions/diff` commands and the pages (roles, municipality, audit)."""

import json
import re

import pytest
import time_machine
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.designer.services import version_rows, versions_query, waiting_steps
from portal.extensions import db
from portal.processes.models import ProcessVersion
from portal.processes.services import current_version
from portal.tasks.models import CaseWait, HumanTask, WorkflowInstance
from tests.factories import START, open_steps, walk_to_progress


@pytest.fixture
def version():
    return current_version()


def waits_of(case) -> set[tuple[str, str, bool]]:
    rows = db.session.scalars(select(CaseWait).where(CaseWait.case_id == case.id))
    return {(w.process_id, w.bpmn_id, w.timer) for w in rows}


def test_a_new_case_projects_its_signal_waits(create_case, create_user):
    case = create_case(create_user("ria"))
    assert waits_of(case) == {("inburgering", "niet_verschenen", False), ("inburgering", "zorg_gemeld", False)}


def test_a_timer_wait_is_projected_and_removed_when_it_moves_on(create_case, people):
    ria, _tom, amina = people
    with time_machine.travel(START, tick=False):
        case = create_case(ria)
        walk_to_progress(case, ria, amina)
    timers = {(p, b) for p, b, timer in waits_of(case) if timer}
    # the next meeting's self-assessment, and the end of the term on its own branch
    assert timers == {("voortgang", "timer_zelfbeoordeling"), ("voortgang", "timer_eindevaluatie")}, waits_of(case)
    assert open_steps(case) == []  # nothing to do: the case waits only for its timers
    rows = db.session.scalars(select(CaseWait).where(CaseWait.case_id == case.id, CaseWait.timer.is_(True)))
    assert {(r.municipality_id, r.process_version_id) for r in rows} == {(case.municipality_id, current_version().id)}


def test_version_rows_count_running_cases_and_open_tasks_per_step(version, create_case, create_user):
    ria = create_user("ria")
    before = version_rows([version])[0]
    cases = [create_case(ria, first=f"N{i}") for i in range(3)]
    instance = db.session.scalar(select(WorkflowInstance).where(WorkflowInstance.case_id == cases[0].id))
    instance.completed = True
    db.session.flush()
    row = version_rows([version])[0]
    assert (row.running - before.running, row.finished - before.finished) == (2, 1)
    steps = {(s.bpmn_id, s.kind): s.count for s in row.steps}
    old = {(s.bpmn_id, s.kind): s.count for s in before.steps}
    assert steps[("kennismakingsgesprek", "task")] - old.get(("kennismakingsgesprek", "task"), 0) == 3
    assert steps[("zorg_gemeld", "signal")] - old.get(("zorg_gemeld", "signal"), 0) == 3
    # the same counts straight from the tables
    assert row.open_tasks == db.session.scalar(select(func.count()).where(
        HumanTask.status == HumanTask.OPEN, HumanTask.process_version_id == version.id))
    assert waiting_steps([version.id], municipality_id=-1) == {}


def test_cli_versions_text_and_json(app, version, create_case, create_user):
    create_case(create_user("ria"))
    db.session.flush()
    runner = app.test_cli_runner()
    text = runner.invoke(args=["bpmn", "versions"])
    assert text.exit_code == 0, text.output
    header, *lines = text.output.splitlines()
    assert header.split() == ["version", "hash", "deployed", "(UTC)", "running", "finished", "open", "tasks", "note"]
    row = version_rows([version])[0]
    assert re.match(rf"\s*{version.id}\s+{version.digest[:12]}\s+\S+ \S+\s+{row.running}\s+{row.finished}\s+"
                    rf"{row.open_tasks}\b", lines[0]), lines
    data = json.loads(runner.invoke(args=["bpmn", "versions", "--json"]).output)
    assert [v["version"] for v in data] == [v.id for v in db.session.scalars(versions_query())]
    assert data[0]["running_cases"] == row.running and data[0]["digest"] == version.digest
    assert {"process": "inburgering", "element": "zorg_gemeld", "name": "Zorg gemeld", "kind": "signal",
            "count": next(s.count for s in row.steps if s.bpmn_id == "zorg_gemeld")} in data[0]["waiting"]


def test_cli_diff_text_json_and_unknown_version(app, version, tmp_path):
    runner = app.test_cli_runner()
    same = runner.invoke(args=["bpmn", "diff", str(version.id), "workdir"])
    assert same.exit_code == 0 and same.output.strip() == "0 change(s): 0 added, 0 removed, 0 changed"
    # a second version whose files differ from the first: one timer changed, one field removed
    files = dict(db.session.scalar(select(ProcessVersion.files).where(ProcessVersion.id == version.id)))
    files["bpmn/pip.bpmn"] = files["bpmn/pip.bpmn"].replace('"P14D"</bpmn:timeDuration>', '"P21D"</bpmn:timeDuration>')
    schema = json.loads(files["forms/mdo.json"])
    del schema["properties"]["afspraken"]
    files["forms/mdo.json"] = json.dumps(schema)
    other = ProcessVersion(digest="f" * 64, entry_process="inburgering", bundle={}, files=files, note="test")
    db.session.add(other)
    db.session.flush()
    text = runner.invoke(args=["bpmn", "diff", str(version.id), str(other.id)])
    assert text.exit_code == 0, text.output
    assert text.output.splitlines()[-1] == "2 change(s): 0 added, 1 removed, 1 changed"
    assert ('changed node pip/timer_ondertekening_herinnering (boundaryEvent) "Na 14 dagen niet ondertekend"'
            in text.output)
    assert '    timer: timeDuration: "P14D" → timeDuration: "P21D"' in text.output
    assert 'removed field mdo.json#afspraken' in text.output
    data = json.loads(runner.invoke(args=["bpmn", "diff", str(version.id), str(other.id), "--json"]).output)
    assert data["counts"] == {"added": 0, "removed": 1, "changed": 1}
    assert data["changes"][0]["details"] == [{"attribute": "timer", "old": 'timeDuration: "P14D"',
                                              "new": 'timeDuration: "P21D"'}]
    missing = runner.invoke(args=["bpmn", "diff", "999999", "workdir"])
    assert missing.exit_code == 2 and "no process version '999999'" in missing.output


def test_ontwerper_home_is_the_versions_list(login, create_user, version):
    client = login(create_user("otto", role="ontwerper", code=None))
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/ontwerp/")
    html = client.get("/ontwerp/").get_data(as_text=True)
    assert f"Versie {version.id}" in html and version.digest[:12] in html and "nog geen schermen" not in html
    assert "nog geen schermen" not in client.get("/account").get_data(as_text=True)


def test_diagram_page_shows_counts_in_table_and_data_without_case_data(login, create_user, create_case, version):
    ria = create_user("ria")
    case = create_case(ria)
    client = login(create_user("otto", role="ontwerper", code=None))
    answer = client.get(f"/ontwerp/versies/{version.id}/proces/brede_intake")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    counts = json.loads(re.search(r"data-counts='([^']*)'", html).group(1))
    expected = db.session.scalar(select(func.count()).where(
        HumanTask.bpmn_id == "kennismakingsgesprek", HumanTask.status == HumanTask.OPEN,
        HumanTask.process_version_id == version.id))
    assert counts["kennismakingsgesprek"] == expected >= 1
    assert 'id="node-kennismakingsgesprek"' in html and "Kennismakingsgesprek" in html
    assert case.full_name not in html and case.reference not in html
    assert "<script>" not in html and 'nonce="' in html and "bpmn-navigated-viewer" in html
    xml = client.get(f"/ontwerp/versies/{version.id}/bpmn/brede_intake")
    assert xml.mimetype == "application/xml" and b'<bpmn:process id="brede_intake"' in xml.data
    assert client.get(f"/ontwerp/versies/{version.id}/proces/bestaat_niet").status_code == 404
    call = client.get(f"/ontwerp/versies/{version.id}/proces/inburgering").get_data(as_text=True)
    links = json.loads(re.search(r"data-links='([^']*)'", call).group(1))
    assert links["pip"] == f"/ontwerp/versies/{version.id}/proces/pip"


def test_diff_page_in_words_and_bad_input(login, create_user, version):
    client = login(create_user("otto", role="ontwerper", code=None))
    html = client.get(f"/ontwerp/verschil?van={version.id}&naar=workdir").get_data(as_text=True)
    assert "0 toegevoegd, 0 verwijderd, 0 gewijzigd." in html and "Geen verschillen." in html
    assert client.get("/ontwerp/verschil?van=abc&naar=workdir").status_code == 400
    assert client.get("/ontwerp/verschil").status_code == 200  # the form, nothing compared yet
    assert client.get("/ontwerp/verschil/pip?van=abc&naar=workdir").status_code == 400


def test_case_position_for_staff_of_the_municipality_is_audited(login, create_user, create_case):
    ria = create_user("ria")
    case = create_case(ria)
    client = login(ria)
    html = client.get(f"/cases/{case.id}/proces").get_data(as_text=True)
    markers = json.loads(re.search(r"data-markers='([^']*)'", html).group(1))
    assert markers.get("kennismakingsgesprek") == "active" and "Kennismakingsgesprek" in html
    # the regisseur reads steps, not the designer's details (element ids, form files, timer expressions)
    assert "designer-id" not in html and ">Details<" not in html and "P14D" not in html
    assert db.session.scalar(select(func.count()).where(
        AuditEvent.case_id == case.id, AuditEvent.purpose == "designer.case_position")) == 1
    other = login(create_user("sanne", code="0355"), new_client=True)
    assert other.get(f"/cases/{case.id}/proces").status_code == 404
    assert other.get(f"/cases/{case.id}/proces/bpmn/inburgering").status_code == 404
    designer = login(create_user("otto", role="ontwerper", code=None), new_client=True)
    assert designer.get(f"/cases/{case.id}/proces").status_code == 403


def test_versions_are_listed_newest_first_and_paginated(login, create_user, version):
    for n in range(6):
        db.session.add(ProcessVersion(digest=f"{n:064d}", entry_process="inburgering", bundle={}, files={},
                                      note=f"noot {n}"))
    db.session.flush()
    client = login(create_user("otto", role="ontwerper", code=None))
    first = client.get("/ontwerp/").get_data(as_text=True)
    numbers = [int(n) for n in re.findall(r">Versie (\d+)</a>", first)]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) == 5 and "noot 5" in first
    second = client.get("/ontwerp/?page=2").get_data(as_text=True)
    assert f">Versie {version.id}</a>" in second and "Pagina 2 van 2" in second


def test_the_wait_projection_follows_a_migration_and_its_rollback(app, create_user, create_case, tmp_path):
    import shutil
    from pathlib import Path

    from portal.processes.services import deploy
    from portal.tasks import migration

    case = create_case(create_user("ria"))
    old = current_version()
    target = tmp_path / "workflows"
    shutil.copytree(Path(__file__).resolve().parents[2] / "workflows", target)
    pip = target / "bpmn" / "pip.bpmn"
    pip.write_text(pip.read_text().replace('"P14D"', '"P10D"'))
    app.config["WORKFLOWS_DIR"], previous = str(target), app.config["WORKFLOWS_DIR"]
    try:
        new, created = deploy(note="N+1")
    finally:
        app.config["WORKFLOWS_DIR"] = previous
    assert created

    def versions_of_waits():
        return set(db.session.scalars(select(CaseWait.process_version_id).where(CaseWait.case_id == case.id)))

    assert versions_of_waits() == {old.id}
    run = migration.migrate_cases(new, case_ids=[case.id])
    assert run.moved == 1 and versions_of_waits() == {new.id}
    assert waits_of(case) == {("inburgering", "niet_verschenen", False), ("inburgering", "zorg_gemeld", False)}
    migration.rollback(run.id)
    assert versions_of_waits() == {old.id}
