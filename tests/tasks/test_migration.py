"""Moving running cases to a new process version through the real services, and rolling back.

Version N is the real process; version N+1 shortens the signing reminder (P14D → P10D), adds a step
between the participatieladder and the intake summary, and removes the "verhuizing registreren"
step. Cases stand at every wait state of version N.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.db import utcnow
from portal.extensions import db
from portal.plans.models import PlanDocument
from portal.plans.services import SignRequest, current_version, sign
from portal.processes.services import deploy
from portal.tasks import migration
from portal.tasks.models import CaseMigration, HumanTask, ProcessMigration, WorkflowInstance
from portal.tasks.workflow import advance_case, complete_task
from tests.factories import INTAKE_STEPS, PLAN, complete, open_steps, open_task, produce_documents

ROOT = Path(__file__).resolve().parents[2] / "workflows"


def next_version(tmp_path: Path) -> Path:
    target = tmp_path / "workflows"
    shutil.copytree(ROOT, target)
    pip = target / "bpmn" / "pip.bpmn"
    pip.write_text(pip.read_text().replace('"P14D"', '"P10D"'))
    intake = target / "bpmn" / "brede_intake.bpmn"
    text = intake.read_text()
    # a new step after the participatieladder
    flow = '<bpmn:sequenceFlow id="flow_participatieladder_samenvatting" sourceRef="participatieladder_intake" '
    text = text.replace(f'{flow}targetRef="intake_samenvatting" />',
                        f'{flow}targetRef="intake_controle" />'
                        '<bpmn:userTask id="intake_controle" name="Intake controleren" />'
                        '<bpmn:sequenceFlow id="flow_controle_samenvatting" sourceRef="intake_controle" '
                        'targetRef="intake_samenvatting" />')
    text = text.replace("<bpmn:flowNodeRef>intake_samenvatting</bpmn:flowNodeRef>",
                        "<bpmn:flowNodeRef>intake_samenvatting</bpmn:flowNodeRef>"
                        "<bpmn:flowNodeRef>intake_controle</bpmn:flowNodeRef>")
    # "verhuizing registreren" removed: the scenario goes straight on
    text = re.sub(r'<bpmn:userTask id="verhuizing_registreren".*?</bpmn:userTask>', "", text, flags=re.S)
    text = text.replace('targetRef="verhuizing_registreren"', 'targetRef="gw_startscenario_samen"')
    text = re.sub(r'<bpmn:sequenceFlow id="flow_verhuizing_samen"[^>]*/>', "", text)
    text = text.replace("<bpmn:flowNodeRef>verhuizing_registreren</bpmn:flowNodeRef>", "")
    text = text.replace("<bpmn:incoming>flow_verhuizing_samen</bpmn:incoming>", "")
    text = re.sub(r'<bpmndi:BPMN(Shape|Edge) id="(verhuizing_registreren|flow_verhuizing_samen)_di".*?</bpmndi:BPMN\1>',
                  "", text, flags=re.S)
    intake.write_text(text)
    form = json.loads((target / "forms" / "escalatie_bespreken.json").read_text())
    (target / "forms" / "intake_controle.json").write_text(json.dumps({**form, "title": "Intake controleren"}))
    return target


STAGES = ["start", "verhuizing", "verhuisd", "ladder", "samenvatting", "pip", "tekenen", "voortgang"]


def walk(case, stage: str, regisseur, newcomer) -> None:
    if stage == "start":
        return
    scenario = "na_verhuizing" if stage in ("verhuizing", "verhuisd") else "gecombineerd"
    complete(case, "kennismakingsgesprek", regisseur, startscenario=scenario)
    if stage == "verhuizing":
        return
    if stage == "verhuisd":  # past the step the new version removes, in the first conversation
        complete(case, "verhuizing_registreren", regisseur)
    steps = {"verhuisd": 1, "ladder": 4, "samenvatting": 5}.get(stage, 6)
    for step in INTAKE_STEPS[1:1 + steps]:
        complete(case, step, regisseur)
    if stage in ("verhuisd", "ladder", "samenvatting"):
        return
    if stage == "pip":
        return
    complete(case, "pip_opstellen", regisseur, **PLAN)
    complete(case, "pip_vaststellen", regisseur, besluitdatum="2026-03-02")
    if stage == "tekenen":
        return
    _documents_ready()
    sign(case, newcomer, SignRequest(version_id=current_version(case).id, typed_name=case.full_name,
                                     password="amina-geheim-1", consent=True, locale="ar"))
    complete_task(open_task(case, "pip_ondertekenen").id, {"besluit": "akkoord"}, newcomer)


_made: dict[str, bytes] = {}


def _documents_ready() -> None:
    """The worker's PDFs: made once for real, then the same bytes for the other cases (this test is
    about moving cases, not about rendering 50 PDFs)."""
    kinds = [PlanDocument.DECISION, PlanDocument.PLAN]
    pending = list(db.session.scalars(select(PlanDocument).where(PlanDocument.status == PlanDocument.PENDING,
                                                                 PlanDocument.kind.in_(kinds))))
    if not _made:
        produce_documents()
        for document in pending:
            db.session.refresh(document)
            _made[document.kind] = document.pdf
        return
    for document in pending:
        document.pdf = _made[document.kind]
        document.sha256 = hashlib.sha256(document.pdf).hexdigest()
        document.status, document.produced_at = PlanDocument.READY, utcnow()
    db.session.flush()


@pytest.fixture
def running(create_user, create_case, app, tmp_path):
    """200 cases on version N at every wait state (25 per stage), then version N+1 deployed."""
    ria = create_user("ria")
    cases = {stage: [] for stage in STAGES}
    for n in range(200):
        stage = STAGES[n % len(STAGES)]
        newcomer = None
        if stage == "voortgang":
            newcomer = create_user(f"nieuw{n}", role="inburgeraar", password="amina-geheim-1")
        case = create_case(ria, first="Case", last=f"{stage}-{n}")
        if newcomer:
            case.newcomer_user_id = newcomer.id
        walk(case, stage, ria, newcomer)
        cases[stage].append(case)
    old = db.session.scalar(select(WorkflowInstance.process_version_id).limit(1))
    app.config["WORKFLOWS_DIR"], previous = str(next_version(tmp_path)), app.config["WORKFLOWS_DIR"]
    try:
        new, created = deploy(note="N+1")
    finally:
        app.config["WORKFLOWS_DIR"] = previous
    assert created
    return cases, old, new, ria


def snapshot(case_ids):
    rows = db.session.execute(select(WorkflowInstance.case_id, WorkflowInstance.state, WorkflowInstance.next_timer_due,
                                     WorkflowInstance.process_version_id).where(WorkflowInstance.case_id.in_(case_ids)))
    tasks = db.session.execute(select(HumanTask.case_id, HumanTask.id, HumanTask.engine_task_id, HumanTask.assignee_id)
                               .where(HumanTask.case_id.in_(case_ids), HumanTask.status == HumanTask.OPEN))
    return ({r.case_id: (json.dumps(r.state, sort_keys=True), r.next_timer_due, r.process_version_id) for r in rows},
            sorted(tuple(t) for t in tasks))


def test_dry_run_migrate_and_rollback_over_every_wait_state(running, clock):
    cases, old, new, ria = running
    all_ids = [c.id for stage in cases.values() for c in stage]
    verdicts = {v.case_id: v.verdict for v in migration.dry_run(new)}
    assert len(verdicts) == 200
    for stage, stage_cases in cases.items():
        movable = {verdicts[c.id].movable for c in stage_cases}
        assert movable == {stage != "verhuizing"}, stage
    assert "verhuizing_registreren" in verdicts[cases["verhuizing"][0].id].blockers[0]
    assert any("P14D" in note and "P10D" in note for note in verdicts[cases["tekenen"][0].id].notes)

    due_before = {c.id: db.session.scalar(select(WorkflowInstance.next_timer_due)
                                          .where(WorkflowInstance.case_id == c.id)) for c in cases["tekenen"]}
    before = snapshot(all_ids)
    run = migration.migrate_cases(new)
    assert (run.moved, run.refused, run.failed) == (175, 25, 0)
    on_new = db.session.scalar(select(func.count()).select_from(WorkflowInstance)
                               .where(WorkflowInstance.process_version_id == new.id))
    assert on_new == 175
    # waiting timers keep their due dates (the signing reminder still fires 14 days after the start)
    for case in cases["tekenen"]:
        assert db.session.scalar(select(WorkflowInstance.next_timer_due)
                                 .where(WorkflowInstance.case_id == case.id)) == due_before[case.id]
    # open tasks keep their ids and assignees
    moved_ids = [c.id for s, cs in cases.items() if s != "verhuizing" for c in cs]
    assert snapshot(moved_ids)[1] == [t for t in before[1] if t[0] in moved_ids]

    # a case at the participatieladder meets the new step next; one past it does not
    ladder, summary = cases["ladder"][0], cases["samenvatting"][0]
    complete(ladder, "participatieladder_intake", ria)
    assert open_steps(ladder) == ["intake_controle"]
    complete(summary, "intake_samenvatting", ria)
    assert "intake_controle" not in open_steps(summary)
    moved_house = cases["verhuisd"][0]  # its history holds the removed step: it loads and goes on
    complete(moved_house, INTAKE_STEPS[2], ria)
    assert INTAKE_STEPS[2] not in open_steps(moved_house)

    # the shortened reminder fires at its old moment (14 days after signing opened), not earlier
    signing = cases["tekenen"][0]
    due = due_before[signing.id]
    clock.move_to(due - timedelta(seconds=1))
    advance_case(signing, utcnow())
    assert "pip_ondertekening_opvolgen" not in open_steps(signing)
    clock.move_to(due + timedelta(seconds=1))
    advance_case(signing, utcnow())
    assert "pip_ondertekening_opvolgen" in open_steps(signing)

    # rollback: untouched cases come back exactly; the four that moved on are kept
    run_back, restored, kept = migration.rollback(run.id)
    assert (restored, kept) == (171, 4)
    untouched = [i for i in all_ids if i not in (ladder.id, summary.id, signing.id, moved_house.id)]
    assert snapshot(untouched) == (lambda s: ({k: v for k, v in s[0].items() if k in untouched},
                                              [t for t in s[1] if t[0] in untouched]))(before)
    assert db.session.scalar(select(func.count()).select_from(CaseMigration).where(
        CaseMigration.migration_id == run.id, CaseMigration.outcome == CaseMigration.KEPT)) == 4


def test_cli_dry_run_migrate_and_rollback(app, create_user, create_case, tmp_path):
    ria = create_user("ria")
    at = {stage: create_case(ria, last=stage) for stage in ("start", "verhuizing", "ladder")}
    for stage, case in at.items():
        walk(case, stage, ria, None)
    app.config["WORKFLOWS_DIR"], previous = str(next_version(tmp_path)), app.config["WORKFLOWS_DIR"]
    try:
        new, _ = deploy(note="N+1")
    finally:
        app.config["WORKFLOWS_DIR"] = previous
    runner = app.test_cli_runner()

    result = runner.invoke(args=["bpmn", "migrate", "--to", str(new.id), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["movable"], report["not_movable"]) == (2, 1)
    [blocked] = [c for c in report["cases"] if not c["movable"]]
    assert blocked["case"] == at["verhuizing"].id and "verhuizing_registreren" in blocked["active"]

    result = runner.invoke(args=["bpmn", "migrate", "--to", str(new.id), "--case", str(at["verhuizing"].id)])
    assert result.exit_code == 1 and "0 moved, 1 refused, 0 failed" in result.output

    result = runner.invoke(args=["bpmn", "migrate", "--to", str(new.id), "--json"])
    assert result.exit_code == 0, result.output
    moved = json.loads(result.output.splitlines()[-1])
    assert (moved["moved"], moved["refused"]) == (2, 1)

    result = runner.invoke(args=["bpmn", "migrate", "--rollback", str(moved["migration"])])
    assert result.exit_code == 0 and "2 case(s) restored, 0 kept" in result.output
    result = runner.invoke(args=["bpmn", "migrate", "--rollback", str(moved["migration"])])
    assert result.exit_code == 1 and "already rolled back" in result.output
    assert runner.invoke(args=["bpmn", "migrate", "--to", "9999"]).exit_code == 2


def test_two_runs_at_once_move_a_case_once(app, create_user, create_case, tmp_path):
    """Both operators' runs listed the case; the one that locks it second finds it moved and refuses."""
    case = create_case(create_user("ria"))
    app.config["WORKFLOWS_DIR"], previous = str(next_version(tmp_path)), app.config["WORKFLOWS_DIR"]
    try:
        new, _ = deploy(note="N+1")
    finally:
        app.config["WORKFLOWS_DIR"] = previous
    listed = migration._candidates(new, None, [case.id])  # what the second run saw before the first moved it
    first = migration.migrate_cases(new, case_ids=[case.id])
    second = ProcessMigration(target_version_id=new.id)
    db.session.add(second)
    db.session.flush()
    for case_id, _reference, version_id in listed:
        migration._move_one(second, new, case_id, version_id, None)
    assert (first.moved, second.moved, second.refused) == (1, 0, 1)
    assert db.session.scalar(select(func.count()).select_from(CaseMigration).where(
        CaseMigration.case_id == case.id, CaseMigration.outcome == CaseMigration.MOVED)) == 1
