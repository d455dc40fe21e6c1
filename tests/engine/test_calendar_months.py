"""Due dates, duration timers and script helpers count months the same way (portal.dates).

SpiffWorkflow alone would fire a "P1M" timer started on 31 January on 3 March (31 days); the
portal's timers, dueIn and add_duration() all give 28 February.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from portal.dates import LOCAL_ZONE
from portal.engine import EngineError, load_source
from portal.engine.runtime import DeployedProcess
from portal.engine.serializer import spec_from_dict
from portal.engine.timers import CalendarDurationTimer

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="l1" name="Regisseur">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>reken</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>taak</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>timer</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>einde</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="reken" />
    <bpmn:scriptTask id="reken">
      <bpmn:script>verwacht = add_duration(today(), script_termijn)</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="reken" targetRef="taak" />
    <bpmn:userTask id="taak" name="Taak">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="dueIn" value="{due_in}" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="timer" attachedToRef="taak" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>termijn</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f_t" sourceRef="timer" targetRef="einde" />
    <bpmn:sequenceFlow id="f3" sourceRef="taak" targetRef="einde" />
    <bpmn:endEvent id="einde" />
  </bpmn:process>
</bpmn:definitions>
"""


def process(tmp_path: Path, due_in: str) -> DeployedProcess:
    (tmp_path / "bpmn").mkdir()
    (tmp_path / "forms").mkdir()
    (tmp_path / "bpmn" / "p.bpmn").write_text(BPMN.format(due_in=due_in))
    (tmp_path / "forms" / "taak.json").write_text(json.dumps({"type": "object", "properties": {}}))
    return DeployedProcess(load_source(tmp_path, "p").bundle)


def start(proc: DeployedProcess, when: datetime, termijn: str, script_termijn: str | None = None):
    with time_machine.travel(when, tick=False):
        return proc.start({"termijn": termijn, "script_termijn": script_termijn or termijn})


def test_deployed_duration_timers_are_calendar_timers(tmp_path):
    proc = process(tmp_path, "P1M")
    timer = proc.spec.task_specs["timer"].event_definition
    assert type(timer) is CalendarDurationTimer
    # Stored under Spiff's own typename, so specs deployed before this class existed still load.
    assert proc.bundle["spec"]["task_specs"]["timer"]["event_definition"]["typename"] == "DurationTimerEventDefinition"
    assert type(spec_from_dict(proc.bundle["spec"]).task_specs["timer"].event_definition) is CalendarDurationTimer


@pytest.mark.parametrize(("when", "expected"), [
    (datetime(2026, 1, 31, 9, tzinfo=UTC), datetime(2026, 2, 28, 9, tzinfo=UTC)),  # not 3 March
    (datetime(2028, 1, 31, 9, tzinfo=UTC), datetime(2028, 2, 29, 9, tzinfo=UTC)),  # leap year
    (datetime(2026, 12, 31, 9, tzinfo=UTC), datetime(2027, 1, 31, 9, tzinfo=UTC)),  # year end
    # 23:30 UTC on 30 January is 00:30 on 31 January in the Netherlands: a Dutch month later is 28 February
    # 00:30, which is 23:30 UTC on 27 February (counting in UTC would give 28 February 23:30 UTC).
    (datetime(2026, 1, 30, 23, 30, tzinfo=UTC), datetime(2026, 2, 27, 23, 30, tzinfo=UTC)),
])
def test_p1m_timer_due_date_and_script_agree(tmp_path, when, expected):
    proc = process(tmp_path, "P1M")
    result = start(proc, when, "P1M")
    [task] = result.ready_tasks
    assert task.due_at == expected
    assert result.next_timer_due == expected
    assert proc.data(result.state)["verwacht"] == expected.astimezone(LOCAL_ZONE).date().isoformat()


def test_due_date_keeps_dutch_wall_clock_across_dst(tmp_path):
    # 10:00 CET on Friday 20 March 2026; the clocks go forward on 29 March: due 10:00 CEST on 3 April.
    result = start(process(tmp_path, "P2W"), datetime(2026, 3, 20, 9, tzinfo=UTC), "P2W")
    assert result.ready_tasks[0].due_at == datetime(2026, 4, 3, 8, tzinfo=UTC)
    assert result.next_timer_due == datetime(2026, 4, 3, 8, tzinfo=UTC)


def test_timer_fires_on_the_calendar_date_not_before(tmp_path):
    proc = process(tmp_path, "P1M")
    state = start(proc, datetime(2026, 1, 31, 9, tzinfo=UTC), "P1M").state
    with time_machine.travel(datetime(2026, 2, 28, 8, 59, tzinfo=UTC), tick=False):
        assert proc.advance(state).next_timer_due == datetime(2026, 2, 28, 9, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 2, 28, 9, 1, tzinfo=UTC), tick=False):
        assert proc.advance(state).next_timer_due is None


def test_bad_duration_from_case_data_is_an_engine_error(tmp_path):
    proc = process(tmp_path, "P1W")
    with time_machine.travel(datetime(2026, 1, 5, 9, tzinfo=UTC), tick=False), \
            pytest.raises(EngineError, match="not an ISO 8601 duration"):
        proc.start({"termijn": "1 maand", "script_termijn": "P1W"})
