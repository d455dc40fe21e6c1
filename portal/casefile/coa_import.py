"""Batch import of COA handovers (koppelingen) from a CSV file — one that never guesses.

The whole file is read and checked before any row is imported: its size, its encoding (UTF-8, a
BOM allowed), its separator (the one kind of ``;``, ``,`` or tab in the header line — never sniffed),
its quoting (an unclosed quote or a record over several lines refuses the file, naming the line)
and its header (duplicate, missing, unknown or unnamed columns refuse the file). Any of these
refuses the whole file: nothing is imported.

Then every row is checked on its own: control characters (NUL, tab, line breaks, bidi overrides)
and formula-like cells (``=``, ``+``, ``-``, ``@`` first, also after spaces) are refused, and the
row is validated by the same form as the web page. A bad row is reported with its line number and
column, in Dutch, and leaves nothing behind; good rows go in, each in its own savepoint. Values are
never echoed in messages or logs.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.auth.models import Municipality, User
from portal.casefile.services import open_case
from portal.cases.forms import KoppelingFields, koppeling_data
from portal.cases.models import Case
from portal.cases.services import DuplicateCase
from portal.extensions import db
from portal.security import Role

log = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("v_nummer", "voornaam", "achternaam", "geboortedatum", "land_van_herkomst", "taal",
                    "huishoudgrootte", "koppelingsdatum", "gemeentecode")
OPTIONAL_COLUMNS = ("azc_locatie", "coa_contactpersoon", "vergunningsdatum", "regisseur")
SEPARATORS = {";": "puntkomma", ",": "komma", "\t": "tab"}
#: A spreadsheet runs a cell starting with one of these as a formula (the fullwidth forms too).
FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
#: Invisible characters that reorder or hide text (bidi embeddings, overrides, isolates, marks).
HIDDEN = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029\ufeff")


class FileRefused(Exception):
    """The file as a whole cannot be read without guessing; nothing is imported."""


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)  # case references
    skipped: list[str] = field(default_factory=list)  # "regel N: … heeft al een dossier"
    errors: list[str] = field(default_factory=list)  # "regel N, kolom: melding"
    #: A dry run's rows that would be imported: (line, V-number).
    ready: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_coa_csv(raw: bytes, user_id: int | None = None, *, dry_run: bool = False,
                   municipality_code: str | None = None, purpose: str = "cli.import-coa") -> ImportReport:
    """Check the whole file, then import every valid row; the caller commits (the CLI does, once).

    :param dry_run: check every row (a known V-number counts as skipped) and open nothing: the preview.
    :param municipality_code: only rows of this municipality (a staff member's own); others are errors.
    """
    report = ImportReport()
    try:
        header, records = read_file(raw)
    except FileRefused as exc:
        report.errors.append(str(exc))
        return report
    municipalities = {m.code: m for m in db.session.scalars(select(Municipality))}
    seen: dict[str, int] = {}
    for line, cells in records:
        problems = _cell_problems(line, header, cells)
        row = {name: value.strip() for name, value in zip(header, cells, strict=True)}
        if not problems and any(row.values()):
            problems = _import_row(line, row, municipalities, user_id, seen, report,
                                   dry_run=dry_run, only=municipality_code, purpose=purpose)
        report.errors.extend(problems)
    return report


def read_file(raw: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header's column names and every non-blank record with its line number; :class:`FileRefused`
    when the file cannot be read without guessing."""
    limit = current_app.config["COA_IMPORT_MAX_BYTES"]
    if len(raw) > limit:
        raise FileRefused(_("Het bestand is groter dan %(limit)s kB; splits het in kleinere bestanden.",
                            limit=limit // 1024))
    text = _decode(raw)
    if not text.strip():
        raise FileRefused(_("Het bestand is leeg: de eerste regel moet de kolomnamen bevatten."))
    records = list(_records(text, _separator(text)))
    (_line, header_cells), rows = records[0], records[1:]
    header = _check_header(header_cells)
    max_rows = current_app.config["COA_IMPORT_MAX_ROWS"]
    if len(rows) > max_rows:
        raise FileRefused(_("Het bestand heeft meer dan %(limit)s rijen; splits het in kleinere bestanden.",
                            limit=max_rows))
    for line, cells in rows:
        if len(cells) != len(header):
            raise FileRefused(_("Regel %(line)s heeft %(found)s kolommen, de kopregel %(expected)s. Controleer "
                                "scheidingstekens en aanhalingstekens op die regel; er is niets geïmporteerd.",
                                line=line, found=len(cells), expected=len(header)))
    return header, rows


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(_("Het bestand is opgeslagen als UTF-16 (‘Unicode-tekst’). Sla het op als ‘CSV UTF-8’."))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(_("Regel %(line)s: het bestand is geen UTF-8-tekst (byte %(byte)s). Sla het op als "
                            "‘CSV UTF-8’.", line=raw[:exc.start].count(b"\n") + 1, byte=exc.start)) from None


def _separator(text: str) -> str:
    """The one separator of the header line; refused when there is none or more than one kind."""
    header_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    found = [sep for sep in SEPARATORS if sep in header_line]
    if len(found) != 1:
        raise FileRefused(_("Regel 1: de kopregel moet de kolomnamen bevatten, gescheiden door één soort "
                            "scheidingsteken (puntkomma, komma of tab); gevonden: %(found)s.",
                            found=", ".join(SEPARATORS[sep] for sep in found) or _("geen")))
    return found[0]


def _records(text: str, separator: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank record; a record must stay on its own line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"', doublequote=True,
                        strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise FileRefused(_("Regel %(line)s: een aanhalingsteken (\") is niet goed gesloten. Herstel die regel; "
                                "er is niets geïmporteerd.", line=start)) from None
        if reader.line_num != start:
            raise FileRefused(_("Regel %(line)s: een waarde loopt door over meer regels (een aanhalingsteken dat "
                                "niet gesloten is, of een regeleinde in een cel). Herstel die regel; er is niets "
                                "geïmporteerd.", line=start))
        if cells:
            yield start, cells
        start = reader.line_num + 1


def _check_header(cells: list[str]) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    problems = []
    unnamed = [str(position) for position, name in enumerate(names, start=1) if not name]
    if unnamed:
        problems.append(_("kolom %(positions)s heeft geen naam", positions=", ".join(unnamed)))
    duplicates = sorted({name for name in names if name and names.count(name) > 1})
    if duplicates:
        problems.append(_("dubbele kolommen: %(names)s", names=_listed(duplicates)))
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        problems.append(_("ontbrekende kolommen: %(names)s", names=_listed(missing)))
    unknown = [name for name in dict.fromkeys(names) if name and name not in known]
    if unknown:
        problems.append(_("onbekende kolommen: %(names)s", names=_listed(unknown)))
    if problems:
        raise FileRefused(_("Regel 1 (kopregel): %(problems)s. Toegestane kolommen: %(known)s. Er is niets "
                            "geïmporteerd.", problems="; ".join(problems), known=", ".join(known)))
    return names


def _listed(names: list[str]) -> str:
    """Column names as typed, quoted, shortened and with invisible characters made visible."""
    return ", ".join(f"“{_visible(name[:40])}”" for name in names[:10]) + (" …" if len(names) > 10 else "")


def _visible(text: str) -> str:
    return "".join(f"U+{ord(ch):04X}" if _hidden(ch) else ch for ch in text)


def _hidden(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" or ch in HIDDEN


def _cell_problems(line: int, header: list[str], cells: list[str]) -> list[str]:
    problems = []
    for name, value in zip(header, cells, strict=True):
        hidden = next((ch for ch in value if _hidden(ch)), None)
        if hidden is not None:
            problems.append(_("regel %(line)s, %(column)s: bevat een onzichtbaar teken of stuurteken (%(code)s), "
                              "zoals een tab, regeleinde of NUL. Haal het weg.",
                              line=line, column=name, code=_visible(hidden)))
        elif value.lstrip()[:1] in FORMULA_START:
            problems.append(_("regel %(line)s, %(column)s: begint met ‘%(sign)s’. Een cel die zo begint, voert een "
                              "rekenprogramma uit als formule; zo'n waarde wordt niet geïmporteerd.",
                              line=line, column=name, sign=value.lstrip()[0]))
    return problems


def _import_row(line: int, row: dict[str, str], municipalities: dict[str, Municipality], user_id: int | None,
                seen: dict[str, int], report: ImportReport, *, dry_run: bool, only: str | None,
                purpose: str) -> list[str]:
    form = KoppelingFields(formdata=MultiDict(row))
    problems = []
    if not form.validate():
        for name, messages in form.errors.items():
            problems.extend(_("regel %(line)s, %(column)s: %(message)s", line=line, column=name, message=message)
                            for message in messages)
    municipality = municipalities.get(row["gemeentecode"])
    if municipality is None:
        problems.append(_("regel %(line)s, gemeentecode: onbekende gemeentecode “%(code)s”.",
                          line=line, code=row["gemeentecode"][:10]))
    elif only is not None and municipality.code != only:
        problems.append(_("regel %(line)s, gemeentecode: je kunt alleen dossiers van je eigen gemeente (%(code)s) "
                          "importeren.", line=line, code=only))
        municipality = None
    regisseur_id = None
    if row.get("regisseur"):
        regisseur = db.session.scalar(select(User).where(User.username == row["regisseur"]))
        if regisseur is None or regisseur.role != Role.REGISSEUR.value or (
                municipality and regisseur.municipality_id != municipality.id):
            problems.append(_("regel %(line)s, regisseur: “%(name)s” is geen regisseur van deze gemeente.",
                              line=line, name=row["regisseur"][:80]))
        else:
            regisseur_id = regisseur.id
    if row["v_nummer"] and row["v_nummer"] in seen:
        problems.append(_("regel %(line)s, v_nummer: hetzelfde V-nummer staat al op regel %(first)s.",
                          line=line, first=seen[row["v_nummer"]]))
    seen.setdefault(row["v_nummer"], line)
    if problems:
        return problems
    data = koppeling_data(form)
    if dry_run:
        if db.session.scalar(select(Case.id).where(Case.v_number == data.v_nummer)) is not None:
            report.skipped.append(_("regel %(line)s: dit V-nummer heeft al een dossier.", line=line))
        else:
            report.ready.append((line, data.v_nummer))
        return []
    savepoint = db.session.begin_nested()
    try:
        case = open_case(data, municipality, regisseur_id, user_id, purpose)
        savepoint.commit()
    except DuplicateCase:
        savepoint.rollback()
        report.skipped.append(_("regel %(line)s: dit V-nummer heeft al een dossier.", line=line))
        return []
    except Exception as exc:  # this row only, the rest of the file goes on; never the values in the log
        savepoint.rollback()
        log.warning("COA import, line %d: %s", line, type(exc).__name__)
        return [_("regel %(line)s: kon niet worden opgeslagen (%(error)s); niets van deze regel is bewaard.",
                  line=line, error=type(exc).__name__)]
    report.imported.append(case.reference)
    return []
