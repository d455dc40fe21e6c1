"""`portal import-coa`: a file that cannot be read without guessing is refused whole; bad rows are named
by line and column in Dutch and leave nothing behind; good rows go in; no value reaches a message or log."""

import logging

import pytest
from sqlalchemy import func, select, text

from portal.casefile import coa_import
from portal.casefile.coa_import import import_coa_csv
from portal.cases.models import Case
from portal.extensions import db
from portal.tasks.models import HumanTask, WorkflowInstance

COLUMNS = ("v_nummer", "voornaam", "achternaam", "geboortedatum", "land_van_herkomst", "taal", "huishoudgrootte",
           "koppelingsdatum", "gemeentecode", "regisseur")
HEADER = ";".join(COLUMNS) + "\n"
GOOD = "4444444444;Dawit;Gebremariam;1988-01-20;Eritrea;tigrinya;4;2026-01-06;0344;\n"


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def row(**values) -> str:
    """A good row (V-number 5555555555) with ``values`` replaced."""
    cells = dict(zip(COLUMNS, "5555555555;Leyla;Yilmaz;1992-09-14;Turkije;turks;2;2026-01-05;0344;".split(";"),
                     strict=True))
    return ";".join(str(values.get(name, value)) for name, value in cells.items()) + "\n"


@pytest.fixture
def utrecht(municipality):
    return municipality("0344")


def test_good_rows_imported_bad_rows_reported(utrecht, create_user):
    create_user("ria")
    csv = (HEADER
           + "1111111111;Amina;Haddad;12-03-1994;Syrië;arabisch;3;2026-01-05;0344;ria\n"
           + "22;Yonas;Tesfay;1999-07-02;Eritrea;tigrinya;1;2026-01-05;0344;\n"
           + "3333333333;Olena;Kovalenko;1985-11-05;Oekraïne;oekraiens;twee;2026-01-05;9999;\n"
           + GOOD)
    before = (count(Case), count(WorkflowInstance), count(HumanTask))
    report = import_coa_csv(csv.encode("utf-8"))
    assert len(report.imported) == 2
    assert "regel 3, v_nummer: Een V-nummer bestaat uit 10 cijfers." in report.errors
    assert "regel 4, huishoudgrootte: Vul een heel getal in." in report.errors  # not WTForms' English default
    assert any(e.startswith("regel 4, gemeentecode: onbekende gemeentecode") for e in report.errors), report.errors
    # Each case: the kennismakingsgesprek and, its koppeling being months ago, the intake-not-started escalation.
    assert (count(Case), count(WorkflowInstance), count(HumanTask)) == (before[0] + 2, before[1] + 2, before[2] + 4)
    amina = db.session.scalar(select(Case).where(Case.v_number == "1111111111"))
    assert amina.regisseur.username == "ria" and amina.birth_date.isoformat() == "1994-03-12"
    assert not any("Tesfay" in e or "Kovalenko" in e for e in report.errors)  # values are never echoed


def test_reimport_skips_existing(utrecht):
    csv = HEADER + row()
    assert len(import_coa_csv(csv.encode()).imported) == 1
    again = import_coa_csv(csv.encode())
    assert again.imported == [] and again.errors == []
    assert again.skipped == ["regel 2: dit V-nummer heeft al een dossier."]


@pytest.mark.parametrize("separator", [",", "\t"])
def test_comma_and_tab_separated_files_work(utrecht, separator):
    csv = HEADER.replace(";", separator) + row().replace(";", separator)
    assert len(import_coa_csv(csv.encode()).imported) == 1


def test_bom_is_accepted(utrecht):
    assert len(import_coa_csv(b"\xef\xbb\xbf" + (HEADER + row()).encode()).imported) == 1


@pytest.mark.parametrize(("raw", "message"), [
    (b"", "Het bestand is leeg"),
    ("naïef".encode("latin-1"), "Regel 1: het bestand is geen UTF-8-tekst (byte 2)"),
    ((HEADER + GOOD).encode() + "Zoë;x\n".encode("latin-1"), "Regel 3: het bestand is geen UTF-8-tekst"),
    ((HEADER + GOOD).encode("utf-16"), "UTF-16"),
    (b"v_nummer voornaam\n1 2\n", "gevonden: geen."),
    (b"v_nummer;voornaam,achternaam\n", "gevonden: puntkomma, komma."),
])
def test_unreadable_files_are_refused_whole(utrecht, raw, message):
    before = count(Case)
    report = import_coa_csv(raw)
    assert len(report.errors) == 1 and message in report.errors[0], report.errors
    assert report.imported == [] and count(Case) == before


@pytest.mark.parametrize(("header", "problem"), [
    (HEADER.replace("\n", ";voornaam\n"), "dubbele kolommen: “voornaam”"),
    (HEADER.replace("taal;", ""), "ontbrekende kolommen: “taal”"),
    (HEADER.replace("\n", ";bsn;Opmerking\n"), "onbekende kolommen: “bsn”, “opmerking”"),
    (HEADER.replace("\n", "; \n"), "kolom 11 heeft geen naam"),
])
def test_header_problems_refuse_the_file_before_any_row(utrecht, header, problem):
    report = import_coa_csv((header + GOOD).encode())
    assert len(report.errors) == 1 and report.errors[0].startswith("Regel 1 (kopregel): "), report.errors
    assert problem in report.errors[0] and "Er is niets geïmporteerd." in report.errors[0]
    assert report.imported == []


def test_an_unbalanced_quote_refuses_the_file_naming_its_line(utrecht):
    csv = HEADER + GOOD + row(voornaam='"Leyla') + row(v_nummer="6666666666") + row(v_nummer="7777777777")
    before = count(Case)
    report = import_coa_csv(csv.encode())
    assert report.errors == ["Regel 3: een aanhalingsteken (\") is niet goed gesloten. Herstel die regel; er is "
                             "niets geïmporteerd."]
    assert report.imported == [] and count(Case) == before  # not even line 2


def test_a_quote_closed_lines_later_or_a_name_with_a_newline_refuses_the_file(utrecht):
    for csv in (HEADER + GOOD + row(voornaam='"Ley') + row(voornaam='la"'),
                HEADER + GOOD + row(voornaam='"Leyla\nAmina"')):
        report = import_coa_csv(csv.encode())
        assert len(report.errors) == 1
        assert report.errors[0].startswith("Regel 3: een waarde loopt door over meer regels")
        assert report.imported == []


def test_text_after_a_closing_quote_refuses_the_file(utrecht):
    report = import_coa_csv((HEADER + row(voornaam='"Ley"la')).encode())
    assert report.errors[0].startswith("Regel 2: een aanhalingsteken") and report.imported == []


@pytest.mark.parametrize("line", [row().replace(";0344;", ";0344;;"), row().rsplit(";", 1)[0] + "\n",
                                  row().replace(";", ",")])
def test_a_ragged_row_refuses_the_file(utrecht, line):
    report = import_coa_csv((HEADER + GOOD + line).encode())
    assert len(report.errors) == 1 and report.errors[0].startswith("Regel 3 heeft "), report.errors
    assert "de kopregel 10" in report.errors[0] and report.imported == []


@pytest.mark.parametrize(("column", "value", "sign"), [
    ("voornaam", '"=HYPERLINK(""https://evil.example"";""klik"")"', "="),
    ("achternaam", "+31612345678", "+"),
    ("achternaam", "-Haddad", "-"),
    ("huishoudgrootte", "-2", "-"),  # a negative number is no valid value of any column
    ("land_van_herkomst", "@SUM(A1:A9)", "@"),
    ("voornaam", "   =1+1", "="),  # after leading spaces
    ("taal", "\uff1dcmd", "\uff1d"),  # fullwidth
])
def test_formula_like_cells_are_refused(utrecht, column, value, sign):
    report = import_coa_csv((HEADER + row(**{column: value}) + GOOD).encode())
    assert report.errors == [f"regel 2, {column}: begint met ‘{sign}’. Een cel die zo begint, voert een "
                             "rekenprogramma uit als formule; zo'n waarde wordt niet geïmporteerd."]
    assert len(report.imported) == 1  # the good row goes in


@pytest.mark.parametrize(("value", "code"), [
    ("Le\x00yla", "U+0000"), ("\t=1+1", "U+0009"), ("Ley\x0bla", "U+000B"), ("Ley\x7fla", "U+007F"),
    ("Ley\x85la", "U+0085"), ("\u202ealeyL", "U+202E"), ("Ley\u2066la", "U+2066"),
])
def test_control_and_bidi_characters_are_refused(utrecht, value, code):
    report = import_coa_csv((HEADER + row(voornaam=f'"{value}"')).encode())
    assert len(report.errors) == 1 and report.errors[0].startswith(f"regel 2, voornaam: bevat een onzichtbaar teken "
                                                                  f"of stuurteken ({code})"), report.errors
    assert report.imported == []


def test_wtforms_defaults_are_in_dutch(utrecht):
    csv = HEADER + row(voornaam="A" * 121, geboortedatum="31-31-1990", huishoudgrootte="30")
    errors = import_coa_csv(csv.encode()).errors
    assert set(errors) == {"regel 2, voornaam: Gebruik maximaal 120 tekens.",
                           "regel 2, geboortedatum: Geboortedatum bestaat niet: 31-31-1990.",
                           "regel 2, huishoudgrootte: Vul een getal in tussen 1 en 20."}, errors


def test_the_same_v_number_twice_in_one_file_is_named(utrecht):
    report = import_coa_csv((HEADER + row() + "\n" + row(voornaam="Leila")).encode())
    assert report.errors == ["regel 4, v_nummer: hetzelfde V-nummer staat al op regel 2."]
    assert len(report.imported) == 1


def test_size_and_row_limits(app, utrecht, monkeypatch):
    monkeypatch.setitem(app.config, "COA_IMPORT_MAX_ROWS", 2)
    report = import_coa_csv((HEADER + row() + row(v_nummer="6666666666") + GOOD).encode())
    assert report.errors == ["Het bestand heeft meer dan 2 rijen; splits het in kleinere bestanden."]
    monkeypatch.setitem(app.config, "COA_IMPORT_MAX_BYTES", 1024)
    report = import_coa_csv((HEADER + row() * 20).encode())
    assert report.errors == ["Het bestand is groter dan 1 kB; splits het in kleinere bestanden."]
    assert report.imported == []


def test_a_database_error_names_the_line_but_no_value(utrecht, monkeypatch, caplog, capsys):
    """The finding: on PostgreSQL a NUL byte printed the whole INSERT (name, birth date, V-number)."""
    def failing_open_case(data, *_args):
        db.session.execute(text("INSERT INTO municipality (code, name, created_at, updated_at) "
                                "VALUES (:code, :name, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                           {"code": "0344", "name": f"{data.achternaam} {data.geboortedatum}"})

    monkeypatch.setattr(coa_import, "open_case", failing_open_case)
    with caplog.at_level(logging.DEBUG):
        report = import_coa_csv((HEADER + row(achternaam="Geheimnaam")).encode())
    assert report.errors == ["regel 2: kon niet worden opgeslagen (IntegrityError); niets van deze regel is bewaard."]
    out = capsys.readouterr()
    for value in ("Geheimnaam", "1992-09-14", "5555555555"):
        assert value not in caplog.text + out.out + out.err


def test_mutated_files_never_crash_and_a_refused_file_imports_nothing(utrecht):
    """A seeded fuzz of small budget: quotes, separators, line breaks, NUL, BOMs, bad UTF-8, bidi and
    formula signs sprinkled into a good file. Every outcome is a report; a file refused whole adds no case."""
    import random

    rng = random.Random(9)
    palette = ['"', ";", ",", "\t", "\n", "\r", "\x00", "=", "-", "@", "\u202e", "\ufeff", "ë", " ", "x", "9"]
    base = (HEADER + row() + GOOD).encode()
    for _ in range(300):
        data = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(data) + 1)
            choice = rng.random()
            if choice < 0.6:
                data[at:at] = rng.choice(palette).encode()
            elif choice < 0.8:
                del data[at:at + rng.randint(1, 3)]
            else:
                data[at:at] = rng.choice([b"\xff", b"\xc3", b"\xef\xbb\xbf", b"\xfe\xff"])
        before = count(Case)
        report = import_coa_csv(bytes(data))
        assert count(Case) == before + len(report.imported)
        assert all(e.startswith(("regel ", "Regel ", "Het bestand ")) for e in report.errors), report.errors
        if any(e.startswith(("Regel ", "Het bestand ")) for e in report.errors):
            assert report.imported == [] and len(report.errors) == 1
