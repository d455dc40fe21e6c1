"""`portal import-coa`: good rows in, bad rows named by line and field, nothing half-imported."""

from sqlalchemy import func, select

from portal.casefile.coa_import import import_coa_csv
from portal.cases.models import Case
from portal.extensions import db
from portal.tasks.models import HumanTask, WorkflowInstance

HEADER = ("v_nummer;voornaam;achternaam;geboortedatum;land_van_herkomst;taal;huishoudgrootte;koppelingsdatum;"
          "gemeentecode;regisseur\n")


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_good_rows_imported_bad_rows_reported(municipality, create_user):
    municipality("0344")
    create_user("ria")
    csv = (HEADER
           + "1111111111;Amina;Haddad;12-03-1994;Syrië;arabisch;3;2026-01-05;0344;ria\n"
           + "22;Yonas;Tesfay;1999-07-02;Eritrea;tigrinya;1;2026-01-05;0344;\n"
           + "3333333333;Olena;Kovalenko;1985-11-05;Oekraïne;oekraiens;twee;2026-01-05;9999;\n"
           + "4444444444;Dawit;Gebremariam;1988-01-20;Eritrea;tigrinya;4;2026-01-06;0344;\n")
    before = (count(Case), count(WorkflowInstance), count(HumanTask))
    report = import_coa_csv(csv.encode("utf-8"))
    assert len(report.imported) == 2
    assert any(e.startswith("line 3, v_nummer:") for e in report.errors), report.errors
    assert any(e.startswith("line 4, huishoudgrootte:") for e in report.errors), report.errors
    assert any(e.startswith("line 4, gemeentecode:") for e in report.errors), report.errors
    # Each case: the kennismakingsgesprek and, its koppeling being months ago, the intake-not-started escalation.
    assert (count(Case), count(WorkflowInstance), count(HumanTask)) == (before[0] + 2, before[1] + 2, before[2] + 4)
    amina = db.session.scalar(select(Case).where(Case.v_number == "1111111111"))
    assert amina.regisseur.username == "ria" and amina.birth_date.isoformat() == "1994-03-12"


def test_reimport_skips_existing(municipality):
    municipality("0344")
    csv = HEADER + "5555555555;Leyla;Yilmaz;1992-09-14;Turkije;turks;2;2026-01-05;0344;\n"
    assert len(import_coa_csv(csv.encode()).imported) == 1
    again = import_coa_csv(csv.encode())
    assert again.imported == [] and again.errors == [] and len(again.skipped) == 1


def test_missing_columns_and_bad_encoding(municipality):
    report = import_coa_csv(b"v_nummer,voornaam\n1,2\n")
    assert report.errors and "missing column(s)" in report.errors[0]
    assert "not UTF-8" in import_coa_csv("naïef".encode("latin-1")).errors[0]


def test_comma_separated_file_works(municipality):
    municipality("0344")
    csv = HEADER.replace(";", ",") + "6666666666,Samir,Nasser,1990-02-08,Syrië,arabisch,5,2026-01-05,0344,\n"
    assert len(import_coa_csv(csv.encode()).imported) == 1
