"""The list pages' queries read indexes, not whole tables (query plans on SQLite and PostgreSQL).

At 100,000 cases a scan of ``human_task`` or ``inburgering_case`` costs hundreds of milliseconds per page
(bench/scale.py); these plans keep the worklist, its search and the case list on their indexes. Not timed:
the plan is what is checked. On PostgreSQL sequential scans are switched off for the check, so the
planner shows the index it *can* use on a small test database.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from portal.auth.models import User
from portal.cases.services import visible_cases_query
from portal.db import utcnow
from portal.extensions import db
from portal.tasks.worklist import MINE, TEAM, Filters, _base, own_list_query
from portal.tasks.workload import lines_count_query, lines_query, stage_counts, task_counts, totals_query


def plan(query, *, in_order: bool = False) -> str:
    """The plan of ``query``. ``in_order``: whether an index can give its order (PostgreSQL: sorting is
    switched off too; on a table of a few rows that autovacuum has analysed, a sort of two rows is cheapest)."""
    sql = str(query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        if in_order:
            db.session.execute(text("SET LOCAL enable_sort = off"))
        return "\n".join(row[0] for row in db.session.execute(text(f"EXPLAIN {sql}")))
    return "\n".join(row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))


def full_scans(found: str, table: str) -> list[str]:
    """Lines of the plan that read all of ``table`` (SQLite: ``SCAN t`` without an index; PostgreSQL: Seq Scan)."""
    if db.engine.dialect.name == "postgresql":
        return [line for line in found.splitlines() if re.search(rf"Seq Scan on {table}\b", line)]
    return [line for line in found.splitlines() if re.search(rf"\bSCAN {table}\b(?! USING)", line)
            and "INDEX" not in line]


@pytest.fixture
def regisseur(create_user) -> User:
    return create_user("ria")


@pytest.mark.parametrize("filters", [Filters(), Filters(search="kova"), Filters(sort="name"),
                                     Filters(step="kennismakingsgesprek", overdue=True)],
                         ids=["worklist", "search", "sorted", "filtered"])
def test_the_worklist_reads_the_users_tasks_through_an_index(regisseur, filters):
    query = _base(regisseur, filters).query
    found = plan(query)
    assert not full_scans(found, "human_task"), found
    if db.engine.dialect.name == "sqlite":  # both halves seek on all four columns, the assignee included
        assert "ix_human_task_worklist" in found, found
        assert found.count("status=? AND assignee_id=?)") == 2, found
    else:  # an index; which one PostgreSQL takes on a test table of a few rows depends on whether autovacuum
        # has analysed it yet (after the worklist tests it has, and (status, role, due_at) looks as good)
        assert re.search(r"Index (Only )?Scan using ix_human_task_\w+ on human_task", found), found


def test_the_own_list_reads_the_users_tasks_and_their_cases_through_indexes(regisseur):
    """A caseload's tasks with their cases' stage and regisseur (tasks.worklist.OwnList): two lookups of the
    worklist index, each case and regisseur by its key."""
    found = plan(own_list_query(regisseur))
    assert not full_scans(found, "human_task") and not full_scans(found, "inburgering_case"), found
    assert not full_scans(found, "user_account"), found
    if db.engine.dialect.name == "sqlite":
        assert found.count("ix_human_task_worklist") == 2, found
        assert "SEARCH inburgering_case USING INTEGER PRIMARY KEY" in found, found


def test_the_team_worklist_of_one_regisseur_reads_an_index(create_user, regisseur):
    from portal.tasks.worklist import _ordered
    lead = create_user("tom", role="teamleider")
    filters = Filters(scope=TEAM, regisseur_id=regisseur.id)
    query, due, name, stored = _base(lead, filters)[:4]
    found = plan(_ordered(query, filters, due, name, stored).limit(26))
    assert not full_scans(found, "inburgering_case"), found
    if db.engine.dialect.name == "sqlite":  # the regisseur's open cases in deadline order, not the municipality's
        assert "ix_case_open_regisseur_deadline" in found and "TEMP B-TREE" not in found, found
    assert MINE != TEAM


@pytest.mark.parametrize("options", [{}, {"mine": True}, {"search": "kova"}, {"stage": "brede_intake"}],
                         ids=["all", "mine", "search", "stage"])
def test_the_case_list_reads_an_index(regisseur, options):
    found = plan(visible_cases_query(regisseur, **options).limit(26))
    assert not full_scans(found, "inburgering_case"), found
    assert "ix_case_" in found or "ix_inburgering_case_" in found, found
    if db.engine.dialect.name == "sqlite" and not options.get("search"):  # a page in index order, no sort of
        # the municipality (the team list's index on (municipality_id, closed_at, …) once tempted SQLite: 140 ms)
        assert "TEMP B-TREE FOR ORDER BY" not in found, found


@pytest.mark.parametrize("search", ["kova", "olena kova", "0344-2026-00012"])
def test_the_case_search_reads_the_trigram_index(create_user, regisseur, search):
    """SQLite: the words of three or more characters are looked up in the FTS5 trigram table case_search
    (migration 5bc8c83d0d17), not tested on the municipality's 25,000 search keys at 100,000 cases: on the case
    list and on the team worklist, which share cases.services.matching_cases."""
    from portal.tasks.worklist import _ordered
    lead = create_user("tom", role="teamleider")
    filters = Filters(scope=TEAM, search=search)
    query, due, name, stored = _base(lead, filters)[:4]
    for found in (plan(visible_cases_query(regisseur, search=search).limit(26)),
                  plan(_ordered(query, filters, due, name, stored).limit(26))):
        assert not full_scans(found, "inburgering_case"), found
        if db.engine.dialect.name == "sqlite":
            assert re.search(r"SCAN case_search VIRTUAL TABLE INDEX \d+:M", found), found
            assert "ix_case_municipality_search" not in found, found


def test_a_search_of_two_characters_scans_the_municipalitys_search_keys(regisseur):
    """FTS5 has no trigram for it and would read the whole region's rows (35 ms at 100,000 cases, against 2 ms
    for the municipality's part of ix_case_municipality_search)."""
    found = plan(visible_cases_query(regisseur, search="ko").limit(26))
    assert not full_scans(found, "inburgering_case"), found
    if db.engine.dialect.name == "sqlite":
        assert "COVERING INDEX ix_case_municipality_search (municipality_id=?)" in found, found
        assert "case_search" not in found, found


def test_the_team_workload_counts_from_indexes_alone(regisseur):
    """A page's people, their counts and the team's totals: no scan of the tasks or the cases."""
    m, now, page = regisseur.municipality_id, utcnow(), [regisseur.id, None]
    tasks, stages = plan(task_counts(m, now, page)), plan(stage_counts(m, page))
    lines, totals = plan(lines_query(m).limit(25)), plan(totals_query(m, now))
    counted = plan(lines_count_query(m))
    for found in (tasks, stages, lines, totals, counted):
        assert not full_scans(found, "human_task") and not full_scans(found, "inburgering_case"), found
    if db.engine.dialect.name == "sqlite":  # no row is read, only the index (PostgreSQL's planner picks any
        # index on an empty test table; at 100,000 cases it reads these, bench/scale.py)
        assert "COVERING INDEX ix_human_task_worklist" in tasks, tasks
        assert "COVERING INDEX ix_case_open_regisseur" in stages, stages
        assert "COVERING INDEX ix_human_task_worklist (municipality_id=? AND role=? AND status=?)" in totals, totals
        for found in (lines, counted):  # the staff, not the region's newcomers
            assert "SEARCH user_account USING INDEX ix_user_account_municipality_role" in found, found
        assert "COVERING INDEX ix_case_open_regisseur" in totals, totals


@pytest.mark.parametrize("filters", [Filters(scope=TEAM), Filters(scope=TEAM, overdue=True),
                                     Filters(scope=TEAM, step="kennismakingsgesprek")],
                         ids=["team", "late", "step"])
def test_the_team_worklist_reads_a_page_in_index_order(create_user, filters):
    from portal.tasks.worklist import _ordered
    lead = create_user("tom", role="teamleider")
    query, due, name, stored = _base(lead, filters)[:4]
    found = plan(_ordered(query, filters, due, name, stored).limit(26), in_order=True)
    assert not full_scans(found, "inburgering_case") and not full_scans(found, "human_task"), found
    if db.engine.dialect.name == "sqlite":  # the stored deadline: no grouping, no sort of the municipality
        assert "ix_case_open_deadline" in found and "TEMP B-TREE" not in found, found
    else:  # the partial index: PostgreSQL orders by it (with closed_at among its columns it sorted instead)
        assert "ix_case_open_deadline" in found and not re.search(r"\bSort\b", found), found


@pytest.mark.parametrize("filters", [Filters(), Filters(overdue=True), Filters(step="escalatie_intake_niet_gestart"),
                                     Filters(sort="deadline", descending=True)],
                         ids=["own", "late", "step", "latest first"])
def test_the_teamleiders_own_list_reads_a_page_in_index_order(create_user, filters):
    """A region's municipality holds thousands of open escalations: no grouping of them, no sort."""
    from portal.tasks.worklist import _ordered
    lead = create_user("tom", role="teamleider")
    query, due, name, stored = _base(lead, filters)[:4]
    found = plan(_ordered(query, filters, due, name, stored).limit(26), in_order=not filters.descending)
    assert not full_scans(found, "inburgering_case") and not full_scans(found, "human_task"), found
    if filters.descending:  # latest first sorts the list (cases without a deadline stay last), never groups;
        # which index PostgreSQL sorts from on a test table of a few rows depends on whether it was analysed
        assert "GROUP BY" not in found and "GroupAggregate" not in found, found
        assert db.engine.dialect.name == "postgresql" or "ix_case_lead_deadline" in found, found
        return
    assert "ix_case_lead_deadline" in found, found
    if db.engine.dialect.name == "sqlite":
        assert "TEMP B-TREE" not in found and "GROUP BY" not in found, found
    else:  # PostgreSQL orders by the partial index
        assert not re.search(r"\bSort\b", found), found


def test_the_worklist_looks_its_cases_up_by_id(regisseur, create_case):
    """PostgreSQL misjudges the unassigned half of the task lookup; given the ids it cannot start from every case."""
    create_case(regisseur)
    query = _base(regisseur, Filters()).query
    found = plan(query)
    if db.engine.dialect.name == "postgresql":
        assert re.search(r"pk_inburgering_case.*\n\s*Index Cond: \(id = (ANY|\d)", found), found
    else:
        assert "SEARCH inburgering_case USING INTEGER PRIMARY KEY" in found, found
