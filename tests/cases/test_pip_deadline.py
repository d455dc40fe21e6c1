"""The 10-week PIP deadline (Besluit inburgering 2021 art. 5.3): its start event and its escalation.

Through the real intake and PIP processes with the frozen ``clock`` (tests.factories.START, Monday
5 January 2026, 10:00 Dutch time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.dates import LOCAL_ZONE, local_moment
from portal.tasks.workflow import advance_case
from tests.factories import PLAN, complete, next_timer, open_steps, walk_intake

DEADLINE = date(2026, 3, 16)  # koppeling 5 January + 10 weeks


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_ZONE)


def fire_at(case, clock, moment: datetime) -> None:
    clock.move_to(moment)
    advance_case(case, datetime.now(UTC))


def test_deciding_on_the_last_day_is_on_time(create_case, people, clock):
    """Finding 11: the escalation used to fire at 08:00 on day 70, while deciding that day is on time."""
    ria, _tom, _amina = people
    case = create_case(ria)
    walk_intake(case, ria)
    assert case.pip_deadline == DEADLINE and open_steps(case) == ["pip_opstellen"]
    # due once 16 March has ended: 00:00 Dutch time on the 17th (23:00 UTC, winter time)
    assert next_timer(case) == datetime(2026, 3, 16, 23, tzinfo=UTC)
    fire_at(case, clock, local(DEADLINE, 8, 1))
    fire_at(case, clock, local(DEADLINE, 23, 59))
    assert "escalatie_pip_te_laat" not in open_steps(case)
    complete(case, "pip_opstellen", ria, day=DEADLINE, **PLAN)
    complete(case, "pip_vaststellen", ria, day=DEADLINE, besluitdatum=DEADLINE.isoformat())
    assert case.pip_decided_on == DEADLINE
    fire_at(case, clock, local(DEADLINE + timedelta(days=1), 9))
    assert "escalatie_pip_te_laat" not in open_steps(case)


def test_the_escalation_comes_the_day_after_the_deadline(create_case, people, clock):
    ria, tom, _amina = people
    case = create_case(ria)
    walk_intake(case, ria)
    fire_at(case, clock, local(DEADLINE + timedelta(days=1), 0, 0) + timedelta(seconds=1))
    assert "escalatie_pip_te_laat" in open_steps(case)


def test_start_from_the_later_of_duo_notice_and_brp_registration_per_municipality(
        app, create_case, people, municipality, clock):
    """Besluit art. 5.3: 10 weeks from DUO's notice or the BRP registration, whichever is later; chosen
    per municipality (municipality.pip_deadline_start), the others keep the portal's setting."""
    ria, _tom, _amina = people
    municipality("0344").pip_deadline_start = "kennisgeving_brp"
    case = create_case(ria)
    assert case.pip_deadline == DEADLINE  # neither date known yet: provisionally from the koppeling
    clock.move_to(local(date(2026, 2, 2), 10))
    complete(case, "kennismakingsgesprek", ria, day=date(2026, 2, 2),
             kennisgeving_duo_datum="2026-01-26", brp_inschrijving_datum="2026-01-14")
    assert (case.duo_notice_date, case.brp_registration_date) == (date(2026, 1, 26), date(2026, 1, 14))
    assert case.pip_deadline == date(2026, 4, 6)  # 26 January (the later one) + 10 weeks
    for step in ["intake_leerbaarheid", "intake_opleiding_werk", "intake_persoonlijke_omstandigheden",
                 "intake_leefgebieden", "participatieladder_intake", "intake_samenvatting"]:
        complete(case, step, ria, day=date(2026, 2, 2))
    # the process got the moved deadline: the escalation waits until 6 April has ended (summer time)
    assert next_timer(case) == datetime(2026, 4, 6, 22, tzinfo=UTC)

    other = create_case(ria, code="0363")  # Amsterdam keeps the portal's setting: the koppeling
    assert app.config["PIP_DEADLINE_START"] == "koppeling"
    other.duo_notice_date = date(2026, 1, 26)
    from portal.cases.services import pip_deadline
    assert pip_deadline(other) == date(2026, 4, 13)  # koppeling 2 February + 10 weeks


def test_only_one_date_known_counts_that_one_and_the_setting_is_checked(app, create_case, people, monkeypatch):
    from portal.cases.services import pip_deadline, record_notices

    ria, _tom, _amina = people
    monkeypatch.setitem(app.config, "PIP_DEADLINE_START", "kennisgeving_brp")  # the portal-wide setting
    case = create_case(ria)
    record_notices(case, None, date(2026, 1, 19))
    assert case.pip_deadline == date(2026, 3, 30)
    record_notices(case, date(2026, 1, 12), None)  # the later one (BRP) still counts
    assert case.pip_deadline == date(2026, 3, 30)
    monkeypatch.setitem(app.config, "PIP_DEADLINE_START", "intake")
    case.pip_deadline_event = None  # a case opened before the event was kept follows the setting
    with pytest.raises(ValueError, match="kennisgeving_brp"):
        pip_deadline(case)


def test_after_day_is_midnight_dutch_time_across_dst():
    from portal.dates import after_day

    assert after_day(date(2026, 3, 28)) == datetime(2026, 3, 28, 23, tzinfo=UTC)  # CET
    assert after_day(date(2026, 3, 29)) == datetime(2026, 3, 29, 22, tzinfo=UTC)  # CEST from 29 March 02:00
    assert after_day(date(2026, 10, 24)) == datetime(2026, 10, 24, 22, tzinfo=UTC)
    assert after_day(date(2026, 10, 25)) == datetime(2026, 10, 25, 23, tzinfo=UTC)
    assert after_day(date(2028, 2, 28)) == local_moment(date(2028, 2, 29), 0)
    with pytest.raises(TypeError):
        after_day(datetime(2026, 3, 16, tzinfo=UTC))
