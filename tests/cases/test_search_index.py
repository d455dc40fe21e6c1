"""The case search's index: SQLite's FTS5 trigram table ``case_search`` finds exactly what ``LIKE '%word%'`` on
the search key finds, and stays in step with every insert, change and delete of a case row, the ORM's and plain
SQL's alike (portal.cases.models.SEARCH_INDEX_DDL, migration 5bc8c83d0d17). PostgreSQL has no such table:
there the same searches go through its trigram index, and these tests check the results alone."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import delete, insert, select, text

from portal import create_app
from portal.cases.models import SEARCH_INDEX_DDL, SEARCH_INDEX_TABLES, Case, search_key
from portal.cases.services import matching_cases, search_terms
from portal.extensions import db

NAMES = [("Ömer", "Çelik"), ("Ayşe", "Yıldız"), ("Olena", "Kovalenko"), ("Oleksandr", "Kovalenkova"),
         ("Amina", "Haddad"), ("Fatma", "Öztürk"), ("Jürgen", "Groß"), ("Ab%cd", "Ef_gh"), ("Abxcd", "Efxgh"),
         ("Mohammad", "Al-Khatib"), ("Yonas", "Tesfay")]


def sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def found(municipality_id: int, search: str) -> set[int]:
    return set(db.session.scalars(matching_cases(municipality_id, search)))


def liked(municipality_id: int, search: str) -> set[int]:
    """What the search found before the index: ``LIKE '%word%'`` (escaped) on the case rows, per word."""
    query = select(Case.id).where(Case.municipality_id == municipality_id)
    for term in search_terms(search):
        query = query.where(Case.search_key.contains(term, autoescape=True))
    return set(db.session.scalars(query))


def in_step() -> None:
    """FTS5's own check of an external-content table against its content (raises when they differ)."""
    if sqlite():
        db.session.execute(text("INSERT INTO case_search (case_search, rank) VALUES ('integrity-check', 1)"))


@pytest.fixture
def cases(create_user, create_case):
    ria = create_user("ria")
    made = [create_case(ria, first=first, last=last) for first, last in NAMES]
    create_case(create_user("zoe", code="0355"), code="0355", first="Olena", last="Kovalenko")  # not ours
    return made


@pytest.mark.parametrize("search", [
    "kovalenko", "Kovalenko", "KOVALENKO", "kova", "enko", "ova", "ko", "k", "a", "ö", "o",
    "Öztürk", "ozturk", "Çelik", "celik", "yıldız", "Groß", "gross", "al-khatib", "khat",
    "%", "_", "b%c", "f_g", "b%", "%cd", "xcd", "_gh", "ab%cd", "%%", "olena kova", "kova olena", "oma  haddad",
    "amina haddad zzz", "zzz", "tesfay yonas ay", '"', 'a"b',
])
def test_the_index_finds_what_like_finds(cases, search):
    municipality_id = cases[0].municipality_id
    assert found(municipality_id, search) == liked(municipality_id, search)


def test_references_v_numbers_and_wildcards_find_their_cases(cases):
    municipality_id = cases[0].municipality_id
    wildcard, lookalike = cases[7], cases[8]
    for case in cases:
        assert found(municipality_id, case.reference) == {case.id}
        assert found(municipality_id, case.v_number) == {case.id}
    assert found(municipality_id, "b%c") == {wildcard.id}  # %: a character, not "any characters"
    assert found(municipality_id, "f_g") == {wildcard.id}  # _: not "any character"
    assert found(municipality_id, "bxc") == {lookalike.id}
    assert found(municipality_id, "olena kova") == {cases[2].id}  # the other municipality's Olena is not ours
    assert found(municipality_id, "kovalenko") == {cases[2].id, cases[3].id}
    assert found(municipality_id, "gross jurgen") == {cases[6].id}


def test_a_changed_name_is_found_by_its_new_name_only(cases):
    case = cases[2]
    case.last_name = "Shevchenko"
    db.session.flush()
    in_step()
    assert found(case.municipality_id, "shevchenko") == {case.id}
    assert case.id not in found(case.municipality_id, "kovalenko")


def test_the_index_follows_rows_written_with_plain_sql(cases, municipality):
    """Rows written without the ORM (bench/scale_build.py's multiply, a repair by hand) are indexed too."""
    template = cases[4]
    row = {column.name: getattr(template, column.key) for column in Case.__table__.columns if column.name != "id"}
    row |= {"reference": "0344-2026-99999", "v_number": "9999999999", "first_name": "Warsame",
            "last_name": "Abdullahi", "search_key": "warsame abdullahi 0344-2026-99999 9999999999",
            "newcomer_user_id": None}
    new_id = db.session.execute(insert(Case.__table__).values(row).returning(Case.__table__.c.id)).scalar_one()
    in_step()
    assert found(template.municipality_id, "abdullahi") == {new_id}
    db.session.execute(sa.update(Case.__table__).where(Case.__table__.c.id == new_id)
                       .values(search_key="warsame abdi 0344-2026-99999 9999999999"))
    in_step()
    assert found(template.municipality_id, "abdullahi") == set()
    assert found(template.municipality_id, "abdi") == {new_id}
    db.session.execute(delete(Case.__table__).where(Case.__table__.c.id == new_id))
    in_step()
    assert found(template.municipality_id, "abdi") == set()


def test_a_deleted_case_is_no_longer_found(municipality):
    """A case row without a process (the ORM's delete; the portal anonymises rather than deletes)."""
    case = Case(reference="0344-2026-77777", municipality=municipality(), first_name="Rahel", last_name="Berhane",
                birth_date=date(1990, 1, 1), v_number="7777777777", country_of_origin="Eritrea", language="tigrinya",
                koppeling_date=date(2026, 1, 5))
    db.session.add(case)
    db.session.flush()
    assert case.search_key == search_key(case)
    assert found(case.municipality_id, "berhane") == {case.id}
    db.session.delete(case)
    db.session.flush()
    in_step()
    assert found(case.municipality_id, "berhane") == set()


def test_migrations_and_create_all_make_the_same_index(app):
    """The migration carries its own copy of the statements; create_all runs SEARCH_INDEX_DDL. Both must
    leave the same FTS5 table and triggers (SQLite), and PostgreSQL neither."""
    made = text("SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'case_search%' ORDER BY name")
    if not sqlite():
        assert not set(sa.inspect(db.session.connection()).get_table_names()) & SEARCH_INDEX_TABLES
        return
    migrated = db.session.execute(made).all()
    engine = sa.create_engine("sqlite://")
    tables = [db.metadata.tables[name] for name in ("municipality", "user_account")] + [Case.__table__]
    db.metadata.create_all(engine, tables=tables)
    with engine.connect() as connection:
        created = connection.execute(made).all()
    assert created == migrated
    assert {name for kind, name, _sql in migrated if kind == "table"} == SEARCH_INDEX_TABLES
    assert sorted(sql for kind, _name, sql in migrated if kind == "trigger") == sorted(
        statement for statement in SEARCH_INDEX_DDL if statement.startswith("CREATE TRIGGER"))
    db.metadata.drop_all(engine, tables=[Case.__table__])
    with engine.connect() as connection:
        assert connection.execute(made).all() == []
    engine.dispose()


@pytest.mark.own_database
def test_the_migration_indexes_existing_cases_and_its_downgrade_removes_it(tmp_path, seal_config):
    """Upgrade over cases that exist already (filled by 'rebuild'), then downgrade: nothing of it is left."""
    from flask_migrate import downgrade, upgrade

    app = create_app({**seal_config, "TESTING": True, "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.sqlite3'}"})
    made = text("SELECT name FROM sqlite_master WHERE name LIKE 'case_search%'")
    with app.app_context():
        upgrade(revision="9b4d6f8a1c23")
        # the models describe the schema below this migration too (it changes no table of theirs)
        from portal.auth.models import Municipality

        db.session.add(Case(id=7, reference="0344-2026-00007", municipality=Municipality(code="0344", name="Utrecht"),
                            first_name="Olena", last_name="Kovalenko", birth_date=date(1990, 1, 1),
                            v_number="2000000007", country_of_origin="Oekraïne", language="oekraiens",
                            koppeling_date=date(2026, 1, 5)))
        db.session.commit()
        upgrade()
        assert db.session.scalars(text("SELECT rowid FROM case_search WHERE case_search MATCH '\"kova\"'")).all() \
            == [7]
        in_step()
        db.session.commit()
        downgrade(revision="9b4d6f8a1c23")
        assert db.session.execute(made).all() == []
        assert db.session.scalar(text("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'")) == 0
        db.session.remove()
        db.engine.dispose()
