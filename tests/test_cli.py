"""The `portal` command as README and CI use it."""

from datetime import UTC, datetime

import time_machine

from portal.extensions import db
from tests.factories import complete, open_steps


def test_bpmn_lint_passes_on_workflows(app):
    result = app.test_cli_runner().invoke(args=["bpmn", "lint"])
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.output


def test_bpmn_lint_fails_with_file_line_messages(app, tmp_path):
    broken = tmp_path / "kapot.bpmn"
    broken.write_text("""<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="kapot" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="t" />
    <bpmn:userTask id="t" name="Zonder formulier" />
  </bpmn:process>
</bpmn:definitions>""")
    result = app.test_cli_runner().invoke(args=["bpmn", "lint", str(broken)])
    assert result.exit_code == 1
    assert "kapot.bpmn:6 [kapot/t] process has no lanes" in result.output
    assert "kapot.bpmn:6 [kapot/t] no form: create workflows/forms/t.json" in result.output


def test_deploy_is_idempotent(app):
    result = app.test_cli_runner().invoke(args=["bpmn", "deploy"])
    assert result.exit_code == 0 and result.output.startswith("unchanged: process version")


def test_import_coa_reports_rows(app, tmp_path, municipality):
    municipality("0344")
    db.session.commit()
    csv = tmp_path / "coa.csv"
    csv.write_text("v_nummer;voornaam;achternaam;geboortedatum;land_van_herkomst;taal;huishoudgrootte;"
                   "koppelingsdatum;gemeentecode\n"
                   "7777777777;Ali;Ahmadi;2000-01-01;Afghanistan;dari;1;2026-01-05;0344\n"
                   "123;Bad;Row;2000-01-01;Afghanistan;dari;1;2026-01-05;0344\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-coa", str(csv)])
    assert result.exit_code == 1
    assert "geïmporteerd: 0344-2026-" in result.output
    assert "fout: regel 3, v_nummer: Een V-nummer bestaat uit 10 cijfers." in result.output
    assert "1 geïmporteerd, 0 overgeslagen, 1 fout(en)" in result.output


def test_timers_run_once_fires_due_timers(app, create_user, create_case):
    ria = create_user("ria")
    with time_machine.travel(datetime(2026, 1, 5, 9, tzinfo=UTC), tick=False):
        case = create_case(ria)
        complete(case, "kennismakingsgesprek", ria)
    with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=UTC), tick=False):
        result = app.test_cli_runner().invoke(args=["timers", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "fired timers of 1 case(s)" in result.output
    assert "intake_uitloop_bespreken" in open_steps(case)


def test_timers_run_at_a_simulated_moment(app, create_user, create_case):
    ria = create_user("ria")
    with time_machine.travel(datetime(2026, 1, 5, 9, tzinfo=UTC), tick=False):
        case = create_case(ria)
        complete(case, "kennismakingsgesprek", ria)
    refused = app.test_cli_runner().invoke(args=["timers", "run", "--at", "2026-03-10"])
    assert refused.exit_code != 0 and "PORTAL_ALLOW_CLOCK_TRAVEL" in refused.output
    app.config["ALLOW_CLOCK_TRAVEL"] = True
    try:
        with time_machine.travel(datetime(2026, 1, 6, 9, tzinfo=UTC), tick=False):  # "now" is early January
            result = app.test_cli_runner().invoke(args=["timers", "run", "--at", "2026-03-10"])
    finally:
        app.config["ALLOW_CLOCK_TRAVEL"] = False
    assert result.exit_code == 0, result.output
    assert "fired timers of 1 case(s)" in result.output
    assert "intake_uitloop_bespreken" in open_steps(case)


def test_municipality_pip_deadline_start_is_set_and_reset(app, municipality):
    from portal.cases.services import PIP_DEADLINE_STARTS
    from portal.cli import municipality_pip_deadline_start

    assert list(municipality_pip_deadline_start.params[1].type.choices) == [*PIP_DEADLINE_STARTS, "default"]
    utrecht = municipality("0344")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["municipality", "pip-deadline-start", "0344", "kennisgeving_brp"])
    assert result.exit_code == 0, result.output
    db.session.refresh(utrecht)
    assert utrecht.pip_deadline_start == "kennisgeving_brp"
    assert runner.invoke(args=["municipality", "pip-deadline-start", "0344", "intake"]).exit_code == 2
    assert runner.invoke(args=["municipality", "pip-deadline-start", "9999", "koppeling"]).exit_code == 1
    assert runner.invoke(args=["municipality", "pip-deadline-start", "0344", "default"]).exit_code == 0
    db.session.refresh(utrecht)
    assert utrecht.pip_deadline_start is None
