"""A municipality's settings, with the law's default and its source for each: the escalation terms and
reminder handed to every new case's process (``termijnen``), the 10-week start event, the team's contact
details for letters, the languages offered to newcomers and whether "Wie heeft mijn dossier bekeken" names
the regisseur or teamleider (``newcomer_audit_names``; default: roles only).

A change counts for NEW deadlines only: the process of a running case keeps the terms it started with
(``portal.tasks.workflow.case_start_data`` copies them into the case), and a case keeps the start event
of its PIP deadline (``Case.pip_deadline_event``). Every change is audited with the old and new value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.audit.services import record
from portal.auth.models import Municipality
from portal.extensions import db


@dataclass(frozen=True)
class Term:
    key: str  #: key of PORTAL_ESCALATION and of the process's ``termijnen``
    label: object
    unit: str  #: "W" weeks, "D" days, "days" a number of days (not a duration)
    source: object
    minimum: int
    maximum: int


TERMS = (
    Term("intake_start", _l("Kennismakingsgesprek niet begonnen: melding aan de teamleider na (weken na de "
                            "koppeling)"), "W",
         _l("Geen wettelijke termijn. Werkafspraak van het portaal, ruim binnen de 10 weken voor het PIP "
            "(Besluit inburgering 2021 art. 5.3)."), 1, 10),
    Term("ondertekening", _l("Plan niet ondertekend: melding aan de teamleider na (dagen na het vaststellen)"), "D",
         _l("Geen wettelijke termijn: ondertekenen is geen voorwaarde voor de geldigheid van het PIP (DOMAIN.md "
            "§2.3). Werkafspraak van het portaal."), 7, 90),
    Term("gesprek_te_laat", _l("Voortgangsgesprek te laat: melding aan de teamleider na (dagen na de geplande "
                               "datum)"), "D",
         _l("Geen wettelijke termijn. Werkafspraak van het portaal voor de voortgangsgesprekken."), 1, 60),
    Term("pip_wijziging", _l("Gewijzigd plan vaststellen binnen (weken na het voortgangsgesprek)"), "W",
         _l("Algemene wet bestuursrecht art. 4:13: een besluit binnen een redelijke termijn, ten hoogste acht "
            "weken."), 1, 8),
    Term("zelfbeoordeling_dagen", _l("Herinnering: de zelfbeoordeling opent (dagen vóór het voortgangsgesprek)"),
         "days", _l("Geen wettelijke termijn. Werkafspraak van het portaal."), 1, 30),
)
TERM_KEYS = frozenset(term.key for term in TERMS)
_DURATION = re.compile(r"^P(\d+)([DW])$")


def amount(value: str | int, unit: str) -> int | None:
    """A stored term as a number of the term's unit (P4W → 4 weeks; P28D → 28 days; P2W as days → 14)."""
    if unit == "days":
        return int(value) if isinstance(value, int) else None
    found = _DURATION.match(str(value))
    if found is None:
        return None
    number, kind = int(found.group(1)), found.group(2)
    if kind == unit:
        return number
    return number * 7 if unit == "D" else (number // 7 if number % 7 == 0 else None)


def stored(value: int, unit: str) -> str | int:
    return value if unit == "days" else f"P{value}{unit}"


def portal_default(term: Term) -> str | int:
    return current_app.config["ESCALATION"][term.key]


def in_force(municipality: Municipality, term: Term) -> str | int:
    return (municipality.escalation_terms or {}).get(term.key, portal_default(term))


#: The other settings the page changes, with their attribute on Municipality.
PLAIN_FIELDS = ("pip_deadline_start", "contact_phone", "contact_email", "contact_address", "languages",
                "newcomer_audit_names")


def save_settings(municipality: Municipality, terms: dict[str, int], plain: dict[str, object],
                  actor_id: int) -> dict[str, dict]:
    """Store what changed (a term equal to the portal's default is stored as "follow the default"); audit
    each change with its old and new value. :returns: the changes, by name."""
    changes: dict[str, dict] = {}
    overrides = dict(municipality.escalation_terms or {})
    for term in TERMS:
        if term.key not in terms:
            continue
        old = in_force(municipality, term)
        new = stored(terms[term.key], term.unit)
        if amount(old, term.unit) == terms[term.key]:
            continue
        if amount(portal_default(term), term.unit) == terms[term.key]:
            overrides.pop(term.key, None)
        else:
            overrides[term.key] = new
        changes[term.key] = {"old": old, "new": new}
    if changes:
        municipality.escalation_terms = overrides or None
    for name in PLAIN_FIELDS:
        if name not in plain:
            continue
        old, new = getattr(municipality, name), plain[name]
        if old != new:
            setattr(municipality, name, new)
            changes[name] = {"old": old, "new": new}
    if changes:
        record("write", f"municipality:{municipality.id}.settings", "admin.settings", user_id=actor_id,
               municipality_id=municipality.id, detail={"code": municipality.code, "changes": changes})
    db.session.flush()
    return changes
