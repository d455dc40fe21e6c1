"""Batch import of COA handovers (koppelingen) from a CSV file.

Every row is validated by the same form as the web page and imported in its own savepoint: a bad
row is reported with its line number and field and leaves nothing behind; good rows go in.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.auth.models import Municipality, User
from portal.casefile.services import open_case
from portal.cases.forms import KoppelingFields, koppeling_data
from portal.cases.services import DuplicateCase
from portal.extensions import db
from portal.security import Role

REQUIRED_COLUMNS = ("v_nummer", "voornaam", "achternaam", "geboortedatum", "land_van_herkomst", "taal",
                    "huishoudgrootte", "koppelingsdatum", "gemeentecode")
OPTIONAL_COLUMNS = ("azc_locatie", "coa_contactpersoon", "vergunningsdatum", "regisseur")


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)  # case references
    skipped: list[str] = field(default_factory=list)  # "line N: V-number … already has a case"
    errors: list[str] = field(default_factory=list)  # "line N, field: message"

    @property
    def ok(self) -> bool:
        return not self.errors


def _read_rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    reader.fieldnames = header
    return header, [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def import_coa_csv(raw: bytes, user_id: int | None = None) -> ImportReport:
    """Import every valid row; the caller commits (the CLI does, once, at the end)."""
    report = ImportReport()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.errors.append(f"the file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8")
        return report
    try:
        header, rows = _read_rows(text)
    except csv.Error as exc:  # e.g. a line break inside an unquoted field
        report.errors.append(f"the file cannot be read as CSV ({exc}); save it as CSV UTF-8")
        return report
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        report.errors.append(f"line 1: missing column(s) {', '.join(missing)}; expected "
                             f"{', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}")
        return report
    municipalities = {m.code: m for m in db.session.scalars(select(Municipality))}
    for line, row in enumerate(rows, start=2):
        problems = _import_row(line, row, municipalities, user_id, report)
        report.errors.extend(problems)
    return report


def _import_row(line: int, row: dict[str, str], municipalities: dict[str, Municipality], user_id: int | None,
                report: ImportReport) -> list[str]:
    if not any(row.values()):
        return []
    form = KoppelingFields(formdata=MultiDict(row))
    problems = []
    if not form.validate():
        for name, messages in form.errors.items():
            problems.extend(f"line {line}, {name}: {message} (value {row.get(name, '')!r})" for message in messages)
    municipality = municipalities.get(row.get("gemeentecode", ""))
    if municipality is None:
        problems.append(f"line {line}, gemeentecode: unknown municipality code {row.get('gemeentecode')!r}")
    regisseur_id = None
    if row.get("regisseur"):
        regisseur = db.session.scalar(select(User).where(User.username == row["regisseur"]))
        if regisseur is None or regisseur.role != Role.REGISSEUR.value or (
                municipality and regisseur.municipality_id != municipality.id):
            problems.append(f"line {line}, regisseur: {row['regisseur']!r} is not a regisseur of this municipality")
        else:
            regisseur_id = regisseur.id
    if problems:
        return problems
    data = koppeling_data(form)
    savepoint = db.session.begin_nested()
    try:
        case = open_case(data, municipality, regisseur_id, user_id, "cli.import-coa")
        savepoint.commit()
    except DuplicateCase:
        savepoint.rollback()
        report.skipped.append(f"line {line}: V-number {data.v_nummer} already has a case")
        return []
    except Exception as exc:  # anything else: this row only, the rest of the file goes on
        savepoint.rollback()
        return [f"line {line}: could not be imported: {exc}"]
    report.imported.append(case.reference)
    return []
