"""Code → label mappings for the staff views of the progress record (case page, task pages).

The progress rows store the codes of the choices a form offered; these are the labels to show. Where a
form offers the choice, the label is the form's own title (``workflows/forms/*.json``), so staff see the
words they chose from and the translation catalog holds one message for both (a test compares them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

#: voortgangsgesprek.json participatie.trede, eindverslag.json trede (the rungs are stored as ints)
LADDER_RUNGS = {
    1: _l("1. Geïsoleerd"),
    2: _l("2. Sociale contacten buitenshuis"),
    3: _l("3. Deelname aan georganiseerde activiteiten"),
    4: _l("4. Onbetaald werk"),
    5: _l("5. Betaald werk met ondersteuning"),
    6: _l("6. Betaald werk"),
}

#: voortgangsgesprek.json map_pvt.map_status
MAP_STATUS = {
    "niet_gestart": _l("Niet gestart"),
    "bezig": _l("Bezig"),
    "afgerond": _l("Afgerond"),
    "niet_van_toepassing": _l("Niet van toepassing (onderwijsroute)"),
}

#: voortgangsgesprek.json map_pvt.pvt_status
PVT_STATUS = {
    "niet_gestart": _l("Niet gestart"),
    "bezig": _l("Bezig"),
    "afgerond": _l("Afgerond"),
}

#: voortgangsgesprek.json signalen.leefgebieden
SIGNAL_DOMAINS = {
    "schulden": _l("Schulden of geldzorgen"),
    "gezondheid": _l("Gezondheid"),
    "huisvesting": _l("Huisvesting"),
    "gezin": _l("Gezin of kinderopvang"),
    "anders": _l("Anders"),
}

#: voortgangsgesprek.json medewerking.oordeel
COOPERATION = {
    "ja": _l("Ja"),
    "onvoldoende": _l("Onvoldoende, niet verwijtbaar"),
    "verwijtbaar": _l("Onvoldoende en verwijtbaar"),
}

#: portal.progress.services.assess: the reasons behind a stagnation verdict (no form offers these)
STAGNATION_REASONS = {
    "geen_trede_vooruit": _l("Geen trede vooruit over twee gesprekken"),
    "aanwezigheid_onder_norm": _l("Aanwezigheid onder de norm"),
}

#: FollowUp.kind → the title of the form that records it
FOLLOW_UP_KINDS = {
    "ondersteuning": _l("Signaal opvolgen: eerst ondersteuning"),  # signaal_opvolgen.json
    "mdo": _l("Casusoverleg (MDO) over stagnatie"),  # mdo.json
    "eindevaluatie": _l("Evaluatie einde inburgeringstermijn"),  # eindevaluatie.json
    "verlenging": _l("Besluit DUO over verlenging vastleggen"),  # verlenging_besluit.json
}

#: signaal_opvolgen.json ondersteuning
SUPPORT = {
    "verwijzing": _l("Verwijzing naar een partner"),
    "schuldhulp": _l("Schuldhulpverlening"),
    "maatschappelijke_begeleiding": _l("Extra maatschappelijke begeleiding"),
    "plan_aanpassen": _l("Plan aanpassen (nieuwe versie)"),
    "verlenging": _l("Verlenging van de inburgeringstermijn aanvragen bij DUO"),
    "ontheffing": _l("Ontheffing aanvragen bij DUO (medisch of bijzondere omstandigheden)"),
    "anders": _l("Anders"),
}

#: mdo.json uitkomst
CONFERENCE_OUTCOMES = {
    "plan_aanpassen": _l("Plan aanpassen (nieuwe versie)"),
    "extra_ondersteuning": _l("Extra ondersteuning"),
    "verwijzing": _l("Verwijzing naar een partner"),
}

#: eindevaluatie.json verlenging
EVALUATION_EXTENSION = {
    "niet_nodig": _l("Niet nodig"),
    "aangevraagd": _l("Aangevraagd bij DUO (besluit volgt)"),
    "toegekend": _l("Toegekend door DUO"),
}

#: verlenging_besluit.json besluit
EXTENSION_DECISIONS = {
    "toegekend": _l("Toegekend"),
    "afgewezen": _l("Afgewezen"),
}

#: eindverslag.json conclusie
CONCLUSIONS = {
    "voldaan": _l("Inburgeringsplicht voldaan"),
    "ontheffing": _l("Ontheffing verleend"),
    "niet_voldaan": _l("Niet voldaan binnen de termijn"),
    "vertrokken": _l("Verhuisd naar een andere gemeente of vertrokken"),
}

#: EnforcementStep.track (computed by the portal; no form offers it)
ENFORCEMENT_TRACKS = {
    "intake": _l("Brede intake (art. 22 Wi2021)"),
    "pip": _l("PIP (art. 23 Wi2021)"),
}

#: handhaving_voorstel.json maatregel
ENFORCEMENT_MEASURES = {
    "waarschuwing": _l("Schriftelijke waarschuwing en nieuwe oproep"),
    "boete": _l("Boete"),
}

#: EnforcementStep.status; the decided ones as handhaving_beoordelen.json besluit names them
ENFORCEMENT_STATUS = {
    "voorgesteld": _l("Voorgesteld"),
    "goedgekeurd": _l("Goedgekeurd"),
    "afgewezen": _l("Afgewezen"),
}

#: Concern.CATEGORIES (raised on the newcomer's pages, not through a JSON form)
CONCERN_CATEGORIES = {
    "gesprek_afgezegd": _l("Een afspraak of gesprek ging niet door"),
    "geen_school": _l("Nog geen taalschool of cursus"),
    "hulp_nodig": _l("Hulp nodig"),
    "anders": _l("Anders"),
}

#: Concern.status
CONCERN_STATUS = {
    "open": _l("Open"),
    "beantwoord": _l("Beantwoord"),
}


def label(mapping: Mapping[Any, Any], code: Any) -> str:
    """The label for ``code``, or the code itself for a value this mapping does not know (never an error)."""
    if code is None or code == "":
        return ""
    return str(mapping.get(code, code))
