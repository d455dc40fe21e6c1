"""The worklist for a caseload: one row per case, sort, search, urgency, filters, pages, the team view."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from portal.extensions import db
from portal.tasks.models import HumanTask
from portal.tasks.urgency import ON_TIME, OVERDUE, SOON, urgency
from portal.tasks.worklist import refresh_step_due
from portal.worker import fire_due_timers
from tests.conftest import visible_text
from tests.factories import complete, open_tasks

TODAY = date(2026, 1, 5)  # tests.factories.START


@pytest.fixture
def ria(create_user):
    return create_user("ria")


def rows(html: str) -> list[str]:
    body = html[html.index("<tbody"):html.index("</tbody>")] if "<tbody" in html else ""
    return re.findall(r"<tr class=\"utrecht-table__row\"[^>]*>(.*?)</tr>", body, re.S)


def names(html: str) -> list[str]:
    return [re.search(r'<a class="worklist__name" href="/cases/\d+">([^<]+)</a>', row).group(1) for row in rows(html)]


def row_of(html: str, case) -> str:
    [row] = [row for row in rows(html) if f"{case.reference} ·" in row]
    return row


def test_one_row_per_case_with_its_open_steps(ria, create_case, login, clock):
    case = create_case(ria, first="Olena", last="Kovalenko")
    complete(case, "kennismakingsgesprek", ria)
    steps = [t for t in open_tasks(case) if t.role == "regisseur"]
    assert len(steps) == 4  # the four intake conversations
    html = login(ria).get("/tasks/").get_data(as_text=True)
    assert len(rows(html)) == 1 and "1 dossier" in html
    row = row_of(html, case)
    for step in steps:
        assert f'<a href="/tasks/{step.id}">{step.title}</a>' in row
    assert case.v_number in row


def test_search_on_the_whole_name_a_part_diacritics_reference_and_v_number(ria, create_case, login, clock):
    olena = create_case(ria, first="Olena", last="Kovalenko")
    omer = create_case(ria, first="Ömer", last="Çelik")
    other = create_case(ria, first="Amina", last="Haddad")
    client = login(ria)

    def found(query: str) -> list[str]:
        return names(client.get("/tasks/", query_string={"q": query}).get_data(as_text=True))

    assert found("Olena Kovalenko") == ["Olena Kovalenko"]  # failed before: 0 results
    assert found("kovalenko olena") == ["Olena Kovalenko"]
    assert found("kova") == ["Olena Kovalenko"]
    assert found("KOVA") == ["Olena Kovalenko"]
    assert found("omer celik") == ["Ömer Çelik"]
    assert found("ÇELİK") == ["Ömer Çelik"]
    assert found(olena.reference) == ["Olena Kovalenko"]
    assert found(omer.v_number) == ["Ömer Çelik"]
    assert found("%") == [] and found("_") == []  # wildcards are text
    assert found("Olena Haddad") == []
    assert sorted(found("")) == sorted([c.full_name for c in (olena, omer, other)])


def test_sort_by_name_stage_and_deadline_with_aria_sort(ria, create_case, login, clock):
    zara = create_case(ria, first="Zara", last="Yilmaz")
    bram = create_case(ria, first="Bram", last="Aksoy")
    complete(bram, "kennismakingsgesprek", ria)  # Bram's next steps are due later, in the intake conversations
    client = login(ria)
    html = client.get("/tasks/").get_data(as_text=True)  # default: next deadline, soonest first
    assert names(html) == ["Zara Yilmaz", "Bram Aksoy"]
    assert re.search(r'<th scope="col" role="columnheader" class="utrecht-table__header-cell" aria-sort="ascending">\s*'
                     r'<a class="sort-link" href="/tasks/\?sort=deadline&amp;dir=desc">Volgende termijn', html)
    by_name = client.get("/tasks/?sort=name").get_data(as_text=True)
    assert names(by_name) == ["Bram Aksoy", "Zara Yilmaz"]
    assert by_name.count("aria-sort=") == 1 and 'aria-sort="ascending"' in by_name
    assert 'href="/tasks/?sort=name&amp;dir=desc"' in by_name  # the active column sorts the other way next
    desc = client.get("/tasks/?sort=name&dir=desc").get_data(as_text=True)
    assert names(desc) == ["Zara Yilmaz", "Bram Aksoy"] and 'aria-sort="descending"' in desc
    assert names(client.get("/tasks/?sort=deadline&dir=desc").get_data(as_text=True)) == ["Bram Aksoy", "Zara Yilmaz"]
    assert (zara.stage_label, bram.stage_label) == ("Brede intake", "Uitgebreide intake")
    assert names(client.get("/tasks/?sort=stage").get_data(as_text=True)) == ["Zara Yilmaz", "Bram Aksoy"]
    assert names(client.get("/tasks/?sort=stage&dir=desc").get_data(as_text=True)) == ["Bram Aksoy", "Zara Yilmaz"]
    assert client.get("/tasks/?sort=bogus").status_code == 400


@pytest.mark.parametrize(("days", "soon", "level"), [
    (-1, 7, OVERDUE), (0, 7, SOON), (7, 7, SOON), (8, 7, ON_TIME),
    (21, 28, SOON), (28, 28, SOON), (29, 28, ON_TIME), (56, 28, ON_TIME),
])
def test_urgency_levels_at_the_thresholds(days, soon, level):
    found = urgency(TODAY + timedelta(days=days), TODAY, soon)
    assert found.level == level and found.days_left == days


def test_a_pip_deadline_21_days_away_looks_different_from_one_56_days_away(ria, create_case, login, clock):
    near = create_case(ria, first="Near", last="Pip")
    far = create_case(ria, first="Far", last="Pip")
    late = create_case(ria, first="Late", last="Pip")
    near.pip_deadline, far.pip_deadline = TODAY + timedelta(days=21), TODAY + timedelta(days=56)
    late.pip_deadline = TODAY - timedelta(days=3)
    html = login(ria).get("/tasks/").get_data(as_text=True)
    assert re.search(r'PIP uiterlijk 26-01-2026 <span class="tag tag--warning">Binnenkort</span> '
                     r'<span class="deadline__detail">nog 21 dagen</span>', row_of(html, near))
    assert re.search(r'PIP uiterlijk 02-03-2026 <span class="tag tag--success">Op tijd</span> '
                     r'<span class="deadline__detail">nog 56 dagen</span>', row_of(html, far))
    assert re.search(r'PIP uiterlijk 02-01-2026 <span class="tag tag--overdue">Te laat</span> '
                     r'<span class="deadline__detail">3 dagen te laat</span>', row_of(html, late))


def test_a_late_pip_sorts_and_filters_like_a_late_step(ria, create_case, login, clock):
    soon = create_case(ria, first="Stap", last="Eerst")
    late_pip = create_case(ria, first="Pip", last="Laat")
    later = create_case(ria, first="Later", last="Dan")
    task = open_tasks(soon)[0]
    task.due_at = task.due_at - timedelta(days=2)  # due in 5 days; the others in 7
    late_pip.pip_deadline = TODAY - timedelta(days=1)
    later.pip_deadline = TODAY + timedelta(days=6)  # before its step (7 days): the PIP is its next deadline
    db.session.flush()
    client = login(ria)
    assert names(client.get("/tasks/").get_data(as_text=True)) == ["Pip Laat", "Stap Eerst", "Later Dan"]
    assert names(client.get("/tasks/?overdue=y").get_data(as_text=True)) == ["Pip Laat"]
    late_pip.pip_decided_on = TODAY - timedelta(days=3)  # decided: the PIP deadline no longer counts
    db.session.flush()
    assert names(client.get("/tasks/").get_data(as_text=True)) == ["Stap Eerst", "Later Dan", "Pip Laat"]


def test_the_team_list_follows_the_stored_deadline_through_steps_and_pip_dates(ria, create_user, create_case,
                                                                              login, clock):
    tom = create_user("tom", role="teamleider")
    soon = create_case(ria, first="Stap", last="Eerst")
    late_pip = create_case(ria, first="Pip", last="Laat")
    later = create_case(ria, first="Later", last="Dan")
    task = open_tasks(soon)[0]
    task.due_at = task.due_at - timedelta(days=2)  # due in 5 days; the others in 7
    refresh_step_due(soon)
    late_pip.pip_deadline = TODAY - timedelta(days=1)
    later.pip_deadline = TODAY + timedelta(days=6)  # before its step (7 days): the PIP is its next deadline
    db.session.flush()
    client = login(tom)
    assert names(client.get("/tasks/?scope=team").get_data(as_text=True)) == ["Pip Laat", "Stap Eerst", "Later Dan"]
    assert names(client.get("/tasks/?scope=team&dir=desc").get_data(as_text=True)) == [
        "Later Dan", "Stap Eerst", "Pip Laat"]
    assert names(client.get("/tasks/?scope=team&overdue=y").get_data(as_text=True)) == ["Pip Laat"]
    late_pip.pip_decided_on = TODAY - timedelta(days=3)  # decided: the PIP deadline no longer counts
    db.session.flush()
    assert names(client.get("/tasks/?scope=team").get_data(as_text=True)) == ["Stap Eerst", "Later Dan", "Pip Laat"]
    # the step done: the engine's next step (due later) is what counts now; the stored value equals the
    # one computed from the tasks, for every case
    complete(soon, "kennismakingsgesprek", ria)
    db.session.flush()
    for case in (soon, late_pip, later):
        db.session.refresh(case)
        due = [t.due_at for t in open_tasks(case) if t.role == "regisseur" and t.due_at]
        assert case.next_step_due == (min(due) if due else None)
    team = client.get("/tasks/?scope=team").get_data(as_text=True)
    assert names(team)[0] == "Later Dan" and "Stap Eerst" in names(team)
    # a case with no deadline at all sorts last, in either direction
    none = create_case(ria, first="Zonder", last="Termijn")
    for task in open_tasks(none):
        task.due_at = None
    refresh_step_due(none)
    none.pip_decided_on = TODAY
    db.session.flush()
    assert names(client.get("/tasks/?scope=team").get_data(as_text=True))[-1] == "Zonder Termijn"
    assert names(client.get("/tasks/?scope=team&dir=desc").get_data(as_text=True))[-1] == "Zonder Termijn"


def test_step_urgency_shows_overdue_soon_and_on_time(ria, create_case, login, clock):
    case = create_case(ria)
    task = open_tasks(case)[0]
    client = login(ria)
    for due, label in ((TODAY - timedelta(days=1), "Te laat"), (TODAY + timedelta(days=7), "Binnenkort"),
                       (TODAY + timedelta(days=8), "Op tijd")):
        task.due_at = task.due_at.replace(year=due.year, month=due.month, day=due.day)
        db.session.flush()
        row = row_of(client.get("/tasks/").get_data(as_text=True), case)
        assert re.search(rf'<span class="deadline">\d\d-\d\d-2026 <span class="tag tag--\w+">{label}</span>', row), row


@pytest.mark.parametrize("max_steps", [1_000, 1], ids=["own list", "long list"])
def test_filters_offer_only_what_is_in_the_list(ria, create_user, create_case, login, clock, monkeypatch, max_steps):
    """From the own list read with the page (OwnList), and for a list of more than MAX_OWN_STEPS steps (a
    teamleider's escalations), which reads its choices with queries of their own."""
    from portal.tasks import worklist

    monkeypatch.setattr(worklist, "MAX_OWN_STEPS", max_steps)
    rob = create_user("rob")
    mine = create_case(ria, first="Mijn")
    complete(mine, "kennismakingsgesprek", ria)
    theirs = create_case(rob, first="Van", last="Rob")
    complete(theirs, "kennismakingsgesprek", rob)
    complete(theirs, "intake_leerbaarheid", rob)
    fresh = create_case(ria, first="Nieuw")
    client = login(ria)
    html = client.get("/tasks/").get_data(as_text=True)
    step_options = re.findall(r'<option value="(\w+)"', html[html.index('id="step"'):html.index("</select>",
                                                                                                html.index('id="step"'))])
    assert set(step_options) == {"kennismakingsgesprek", "intake_leerbaarheid", "intake_opleiding_werk",
                                 "intake_persoonlijke_omstandigheden", "intake_leefgebieden"}
    filtered = client.get("/tasks/?step=kennismakingsgesprek").get_data(as_text=True)
    assert names(filtered) == ["Nieuw Haddad"]
    by_stage = client.get("/tasks/?stage=Uitgebreide intake").get_data(as_text=True)
    assert names(by_stage) == ["Mijn Haddad"]
    # a link to a step no longer in the list answers "nothing", not an error
    stale = client.get("/tasks/?step=pip_vaststellen")
    assert stale.status_code == 200 and rows(stale.get_data(as_text=True)) == []
    assert fresh.reference in html and theirs.reference not in html
    stages = re.findall(r'<option value="([^"]+)"', html[html.index('id="stage"'):html.index(
        "</select>", html.index('id="stage"'))])
    assert set(stages) == {"Brede intake", "Uitgebreide intake"}, stages


def step_choices(html: str) -> set[str]:
    start = html.index('id="step"')
    return set(re.findall(r'<option value="(\w+)"', html[start:html.index("</select>", start)]))


def test_a_long_lists_filter_choices_are_kept_a_while_and_a_caseloads_are_not(app, ria, create_user, create_case,
                                                                                login, clock, monkeypatch):
    """The team list's choices (and those of an own list longer than MAX_OWN_STEPS) are kept for
    LIST_CHOICES_SECONDS per process; a regisseur's caseload is read every time; 0 keeps nothing."""
    from portal.kept import forget_all
    from portal.tasks import worklist

    monkeypatch.setitem(app.config, "LIST_CHOICES_SECONDS", 30)
    app.extensions.pop("portal_kept", None)
    tom = create_user("tom", role="teamleider")
    case = create_case(ria, first="Olena", last="Kovalenko")
    lead, own = login(tom), login(ria, new_client=True)
    assert step_choices(lead.get("/tasks/?scope=team").get_data(as_text=True)) == {"kennismakingsgesprek"}
    assert step_choices(own.get("/tasks/").get_data(as_text=True)) == {"kennismakingsgesprek"}
    complete(case, "kennismakingsgesprek", ria)
    intake = {"intake_leerbaarheid", "intake_opleiding_werk", "intake_persoonlijke_omstandigheden",
              "intake_leefgebieden"}
    assert step_choices(own.get("/tasks/").get_data(as_text=True)) == intake  # the caseload: at once
    team = lead.get("/tasks/?scope=team")
    assert step_choices(team.get_data(as_text=True)) == {"kennismakingsgesprek"}  # kept
    # filtering on a step the kept choices lack still works (the asked value stays selectable)
    assert names(lead.get("/tasks/?scope=team&step=intake_leerbaarheid").get_data(as_text=True)) == [
        "Olena Kovalenko"]
    forget_all()  # as when the time has passed
    assert step_choices(lead.get("/tasks/?scope=team").get_data(as_text=True)) == intake
    # an own list longer than MAX_OWN_STEPS is kept too
    monkeypatch.setattr(worklist, "MAX_OWN_STEPS", 0)
    first = own.get("/tasks/").get_data(as_text=True)
    complete(case, "intake_leerbaarheid", ria)
    assert step_choices(own.get("/tasks/").get_data(as_text=True)) == step_choices(first) == intake
    monkeypatch.setitem(app.config, "LIST_CHOICES_SECONDS", 0)  # nothing kept
    assert step_choices(own.get("/tasks/").get_data(as_text=True)) == intake - {"intake_leerbaarheid"}


def test_overdue_filter_and_pagination(app, ria, create_case, login, clock):
    cases = [create_case(ria, first=f"Persoon{i}") for i in range(7)]
    late = open_tasks(cases[2])[0]
    late.due_at = late.due_at - timedelta(days=30)
    db.session.flush()
    client = login(ria)
    first = client.get("/tasks/").get_data(as_text=True)  # 7 cases, 5 a page
    assert "Pagina 1 van 2" in first and len(rows(first)) == 5 and "7 dossiers" in first
    second = client.get("/tasks/?page=2").get_data(as_text=True)
    assert "Pagina 2 van 2" in second and len(rows(second)) == 2
    assert not set(names(first)) & set(names(second))
    # the pages keep the sort
    sorted_page = client.get("/tasks/?sort=name&page=2").get_data(as_text=True)
    assert re.search(r'rel="prev"\s+href="/tasks/\?(?=[^"]*sort=name)(?=[^"]*page=1)', sorted_page)
    overdue = client.get("/tasks/?overdue=y").get_data(as_text=True)
    assert names(overdue) == [cases[2].full_name]


def test_a_long_worklist_stops_counting_and_still_pages_on(app, ria, create_case, login, clock, monkeypatch):
    """A team's list in a region: the count stops at the cap ("Meer dan …") and "Volgende" goes on while there
    are rows – no COUNT over every case of the municipality."""
    from portal.cases import paging

    monkeypatch.setattr(paging, "COUNT_CAP", 6)
    cases = [create_case(ria, first=f"Persoon{i}") for i in range(12)]
    client = login(ria)
    first = client.get("/tasks/").get_data(as_text=True)  # 5 a page
    assert "Meer dan 6 dossiers" in first and len(rows(first)) == 5 and 'rel="next"' in first
    last = client.get("/tasks/?page=3").get_data(as_text=True)
    assert len(rows(last)) == 2 and 'rel="next"' not in last
    seen = {name for page in (1, 2, 3) for name in names(client.get(f"/tasks/?page={page}").get_data(as_text=True))}
    assert seen == {case.full_name for case in cases}


def test_query_count_stays_constant_for_60_cases(app, ria, create_case, login, clock, monkeypatch):
    """No N+1: the page of 60 cases costs as many queries as the page of 6."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 100)
    client = login(ria)
    for i in range(6):
        create_case(ria, first=f"Klein{i}")

    seen: list[str] = []

    def queries() -> int:
        client.get("/tasks/")  # warm: what the session has already loaded is not what is measured
        count = 0

        def counter(_conn, _cursor, statement, *_args):
            nonlocal count
            count += 1
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            assert client.get("/tasks/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
        return count

    small = queries()
    for i in range(54):
        case = create_case(ria, first=f"Groot{i}")
        if i % 3 == 0:
            complete(case, "kennismakingsgesprek", ria)  # several open steps in one row
    html = client.get("/tasks/").get_data(as_text=True)
    assert "60 dossiers" in html and len(rows(html)) == 60
    before = list(seen)
    seen.clear()
    assert queries() == small, "\n".join(s[:120] for s in seen) + "\n----\n" + "\n".join(s[:120] for s in before)


def test_the_users_cases_are_read_once_per_page(app, ria, create_case, login, clock):
    """The filter choices and the page share one read of the user's open tasks and their cases."""
    client = login(ria)
    for i in range(3):
        create_case(ria, first=f"Een{i}")
    client.get("/tasks/")
    seen: list[str] = []

    def counter(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        html = client.get("/tasks/?stage=&step=").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    assert "3 dossiers" in html
    # one read of the user's tasks with their cases (OwnList) for the choices and the page; no choice of
    # its own (each was a DISTINCT before)
    assert len([s for s in seen if s.startswith("SELECT task.case_id")]) == 1, "\n".join(seen)
    assert not [s for s in seen if "DISTINCT" in s], "\n".join(seen)


def test_teamleider_sees_the_regisseur_and_the_team(ria, create_user, create_case, login, clock):
    tom = create_user("tom", role="teamleider")
    rob = create_user("rob")
    sanne = create_user("sanne", code="0355")  # another municipality
    mine = create_case(ria, first="Olena", last="Kovalenko")
    robs = create_case(rob, first="Yonas", last="Tesfay")
    create_case(sanne, code="0355", first="Elders", last="Anders")
    late = create_case(ria, first="Omar", last="Late", koppeling=TODAY - timedelta(weeks=5))
    fire_due_timers()  # "brede intake niet gestart" for Omar: the teamleider's task
    client = login(tom)
    own = client.get("/tasks/").get_data(as_text=True)
    assert names(own) == ["Omar Late"]
    assert re.search(r'data-label="Regisseur">Ria</td>', row_of(own, late))
    team = client.get("/tasks/?scope=team").get_data(as_text=True)
    assert sorted(names(team)) == ["Olena Kovalenko", "Omar Late", "Yonas Tesfay"]
    assert "Elders" not in team
    assert re.search(r'data-label="Regisseur">Rob</td>', row_of(team, robs))
    kennis = next(t for t in open_tasks(mine) if t.bpmn_id == "kennismakingsgesprek")
    assert f'href="/tasks/{kennis.id}"' not in team  # the regisseur's step is listed, not linked (403 for him)
    by_rob = client.get(f"/tasks/?scope=team&regisseur={rob.id}").get_data(as_text=True)
    assert names(by_rob) == ["Yonas Tesfay"]
    assert names(client.get("/tasks/?scope=team&sort=regisseur&dir=desc").get_data(as_text=True))[0] == "Yonas Tesfay"
    # a regisseur asking for the team scope gets their own list
    assert "Yonas" not in login(ria, new_client=True).get("/tasks/?scope=team").get_data(as_text=True)


def test_the_teamleiders_own_list_from_the_stored_deadline_equals_the_grouped_one(ria, create_user, create_case,
                                                                                   clock, monkeypatch):
    """lead_deadline (kept per case) gives the teamleider's own list in exactly the order and with exactly the
    rows, counts and filters the grouped tasks give; a case leaves it when its last teamleider task closes;
    one teamleider task assigned to someone makes the list group again (the stored column counts them all)."""
    from portal.tasks import worklist
    from portal.tasks.worklist import Filters, worklist_page

    tom = create_user("tom", role="teamleider")
    rob = create_user("rob")
    cases = [create_case(ria if n % 2 else rob, first=f"Nr{n}", last=name, koppeling=TODAY - timedelta(weeks=weeks))
             for n, (name, weeks) in enumerate([("Late", 9), ("Later", 6), ("Vroeg", 5), ("Vers", 1), ("Al", 7)])]
    cases[4].pip_decided_on = TODAY - timedelta(days=3)  # a decided PIP no longer counts
    fire_due_timers()  # "brede intake niet gestart" for the four older than 4 weeks
    db.session.flush()
    lists = [Filters(), Filters(sort="name"), Filters(sort="deadline", descending=True), Filters(overdue=True),
             Filters(search="later"), Filters(stage=cases[0].stage_label), Filters(regisseur_id=ria.id),
             Filters(step="escalatie_intake_niet_gestart"), Filters(step="kennismakingsgesprek")]

    def both(filters):
        stored = worklist_page(tom, filters, 1, TODAY)
        monkeypatch.setattr(worklist, "_lead_tasks_assigned", lambda user: True)
        grouped = worklist_page(tom, filters, 1, TODAY)
        monkeypatch.undo()
        return [(r.case.id, r.next_due, [t.id for t in r.tasks]) for r in stored.items], stored.total, \
               [(r.case.id, r.next_due, [t.id for t in r.tasks]) for r in grouped.items], grouped.total

    for filters in lists:
        stored, stored_total, grouped, grouped_total = both(filters)
        assert (stored, stored_total) == (grouped, grouped_total), filters
    assert {row[0] for row in both(Filters())[0]} == {case.id for case in cases if case.first_name != "Nr3"}
    # the escalation of the latest one done: it leaves the list at once
    escalation = next(t for t in open_tasks(cases[0]) if t.role == "teamleider")
    complete(cases[0], escalation.bpmn_id, tom)
    db.session.flush()
    assert cases[0].lead_deadline is None and cases[0].next_lead_due is None
    assert cases[0].id not in {row[0] for row in both(Filters())[0]}
    # a teamleider task assigned to someone: the grouped list (which honours assignees) again
    other = next(t for t in open_tasks(cases[1]) if t.role == "teamleider")
    other.assignee_id = create_user("tess", role="teamleider").id
    db.session.flush()
    assert worklist._lead_tasks_assigned(tom)
    assert cases[1].id not in {row.case.id for row in worklist_page(tom, Filters(), 1, TODAY).items}


def test_workload_counts_per_regisseur_and_links_to_the_worklist(ria, create_user, create_case, login, clock):
    tom = create_user("tom", role="teamleider")
    rob = create_user("rob")
    create_user("sanne", code="0355")
    first = create_case(ria, first="Een")
    complete(first, "kennismakingsgesprek", ria)  # 4 open steps
    second = create_case(ria, first="Twee")
    late = open_tasks(second)[0]
    late.due_at = late.due_at - timedelta(days=30)
    refresh_step_due(second)  # as tasks.assignment.extend_deadline does after moving a deadline
    create_case(rob, first="Drie")
    create_case(None, first="Vier")  # no regisseur yet
    create_case(create_user("sven", code="0355"), code="0355", first="Elders")
    db.session.flush()
    client = login(tom)
    html = client.get("/tasks/team").get_data(as_text=True)
    table = html[html.index("<tbody"):html.index("</tbody>")]
    lines = re.findall(r"<tr class=\"utrecht-table__row\">(.*?)</tr>", table, re.S)
    assert [re.search(r'<th scope="row"[^>]*>([^<]+)</th>', line).group(1) for line in lines] == [
        "Ria", "Rob", "Geen regisseur"]
    ria_line = lines[0]
    numbers = re.findall(r'numeric-column">(?:<a href="[^"]+">)?(?:<span class="tag tag--overdue">)?(\d+)', ria_line)
    assert numbers == ["2", "5", "1"]  # cases, open tasks, overdue
    assert f'href="/tasks/?scope=team&amp;regisseur={ria.id}"' in ria_line
    assert f'href="/tasks/?scope=team&amp;regisseur={ria.id}&amp;overdue=y"' in ria_line
    assert f'href="/tasks/?scope=team&amp;regisseur={ria.id}&amp;stage=Brede%20intake">Brede intake: 1</a>' in ria_line
    assert "Elders" not in visible_text(html) and "Sven" not in visible_text(html)
    linked = client.get(f"/tasks/?scope=team&regisseur={ria.id}&overdue=y").get_data(as_text=True)
    assert names(linked) == ["Twee Haddad"]
    assert "2 regisseurs · 4 lopende dossiers · 7 open taken · 1 te laat" in " ".join(visible_text(html).split())


def test_workload_pages_through_many_regisseurs_with_the_teams_totals(ria, create_user, create_case, login, clock):
    """PAGE_SIZE is 5 in the tests: seven regisseurs make two pages; the totals are the whole team's."""
    tom = create_user("tom", role="teamleider")
    for name in ("bea", "cor", "dirk", "eva", "fien", "gijs"):
        create_case(create_user(name), first=name.title())
    create_case(ria, first="Ria's")
    client = login(tom)
    first = client.get("/tasks/team").get_data(as_text=True)
    second = client.get("/tasks/team?page=2").get_data(as_text=True)

    def regisseurs(html):
        return re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', html)

    assert len(regisseurs(first)) == 5 and len(regisseurs(second)) == 2
    assert set(regisseurs(first)) | set(regisseurs(second)) == {"Bea", "Cor", "Dirk", "Eva", "Fien", "Gijs", "Ria"}
    for html in (first, second):
        assert "7 regisseurs · 7 lopende dossiers" in " ".join(visible_text(html).split())
    assert 'href="/tasks/team?page=2"' in first and "Pagina 2 van 2" in second
    assert regisseurs(client.get("/tasks/team?page=99").get_data(as_text=True)) == regisseurs(second)  # the last


def test_workload_keeps_a_line_for_whoever_still_has_open_work(ria, create_user, create_case, login, clock):
    """A regisseur who left keeps a line while cases or steps are still theirs (until the hand-over); one who
    left with nothing does not; a newcomer never has one; cases without a regisseur have the last line."""
    tom = create_user("tom", role="teamleider")
    gijs, hans = create_user("gijs"), create_user("hans")
    for step in open_tasks(create_case(gijs, first="Nog")):  # his case, its step already with ria
        step.assignee_id = ria.id
    open_tasks(create_case(ria, first="Ook"))[0].assignee_id = hans.id  # a step of ria's case still his
    gijs.active = hans.active = False
    create_user("dirk").active = False  # left, nothing open
    create_user("amina", role="inburgeraar")
    create_case(None, first="Niemand")
    db.session.flush()
    html = login(tom).get("/tasks/team").get_data(as_text=True)
    lines = re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', html)
    assert lines == ["Gijs", "Hans", "Ria", "Geen regisseur"], lines

    def counts(name):  # cases, open steps
        line = html[html.index(f">{name}</th>"):]
        return re.findall(r'numeric-column">(?:<a href="[^"]+">)?(\d+)', line[:line.index("</tr>")])[:2]

    assert counts("Gijs") == ["1", "0"] and counts("Hans") == ["0", "1"] and counts("Ria") == ["1", "1"]
    assert "3 regisseurs · 3 lopende dossiers · 3 open taken" in " ".join(visible_text(html).split())


def test_a_large_municipalitys_team_totals_are_kept_a_while_its_lines_are_not(app, ria, create_user, create_case,
                                                                              login, monkeypatch):
    """The totals above the workload count every open case and step of the municipality: kept
    LIST_CHOICES_SECONDS for a municipality of more than COUNT_CAP open cases (here 2); the lines and their
    counts, and the number of regisseurs, are read every time."""
    from portal.kept import forget_all
    from portal.tasks import workload

    monkeypatch.setitem(app.config, "LIST_CHOICES_SECONDS", 30)
    forget_all()
    client = login(create_user("tom", role="teamleider"))

    def seen() -> tuple[str, list[str]]:
        html = client.get("/tasks/team").get_data(as_text=True)
        return (re.search(r"(\d+ regisseurs? · \d+ lopende dossiers?)", " ".join(visible_text(html).split())).group(1),
                re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', html))

    create_case(ria)
    create_case(ria)
    assert seen() == ("1 regisseur · 2 lopende dossiers", ["Ria"])
    create_case(ria)
    assert seen() == ("1 regisseur · 3 lopende dossiers", ["Ria"])  # small: counted again
    monkeypatch.setattr(workload, "COUNT_CAP", 2)
    forget_all()
    assert seen() == ("1 regisseur · 3 lopende dossiers", ["Ria"])  # large now: kept
    create_case(create_user("bea"))
    assert seen() == ("2 regisseurs · 3 lopende dossiers", ["Bea", "Ria"])  # the lines at once
    forget_all()  # as when the time has passed
    assert seen() == ("2 regisseurs · 4 lopende dossiers", ["Bea", "Ria"])


def test_workload_is_for_the_teamleider_only(ria, login):
    assert login(ria).get("/tasks/team").status_code == 403


def test_search_key_follows_a_name_change(ria, create_case):
    case = create_case(ria, first="Olena", last="Kovalenko")
    case.last_name = "Kovalenková"
    db.session.flush()
    from portal.cases.models import Case

    assert db.session.scalar(select(Case.search_key).where(Case.id == case.id)).startswith("olena kovalenkova ")
    assert db.session.scalar(select(HumanTask.id).where(HumanTask.case_id == case.id)) is not None
