"""The engine's migration verdicts (stored in English, as the CLI prints them) in the staff's language.

Each known sentence of :mod:`portal.engine.migration` and :mod:`portal.tasks.migration` has a pattern
here; a sentence without one is shown as it is (never hidden).
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

_PATTERNS: list[tuple[re.Pattern[str], object]] = [
    (re.compile(r"^the case stands on (?P<node>.+), which the new version removed$"),
     lambda m: _("Het dossier staat op %(node)s, en die stap bestaat niet meer in de nieuwe versie.", **m)),
    (re.compile(r"^subprocess (?P<node>.+) is active and does not exist in the new version$"),
     lambda m: _("Het deelproces %(node)s loopt, en bestaat niet meer in de nieuwe versie.", **m)),
    (re.compile(r"^the case is inside the branches of (?P<node>.+), which the new version removed$"),
     lambda m: _("Het dossier zit in een tak van %(node)s, en die splitsing bestaat niet meer in de nieuwe "
                 "versie.", **m)),
    (re.compile(r"^the new version opens parallel branches at (?P<split>.+), before (?P<node>.+) where the "
                r"case stands; the case would never get them$"),
     lambda m: _("De nieuwe versie opent parallelle takken bij %(split)s, vóór %(node)s waar het dossier "
                 "staat; het dossier zou ze nooit krijgen.", **m)),
    (re.compile(r"^the new version reads the answers of step (?P<step>\S+) \(in (?P<where>.+)\), which this "
                r"case has passed by$"),
     lambda m: _("De nieuwe versie leest de antwoorden van stap %(step)s (in %(where)s), maar dit dossier is "
                 "daar al voorbij.", **m)),
    (re.compile(r"^the case moved to another version or ended after this run listed it$"),
     lambda m: _("Het dossier is intussen naar een andere versie verplaatst of afgerond.")),
    (re.compile(r"^the stored state could not be read: (?P<error>.*)$", re.S),
     lambda m: _("De opgeslagen stand is niet te lezen: %(error)s", **m)),
    (re.compile(r"^timer (?P<node>.+): keeps its due date \(was (?P<old>\S+), now (?P<new>\S+) from its next "
                r"start\)$"),
     lambda m: _("Timer %(node)s houdt zijn vervaldatum (was %(old)s; %(new)s geldt vanaf de volgende keer "
                 "dat hij start).", **m)),
    (re.compile(r"^open step (?P<node>.+): its form changed; a saved draft is checked against the new form "
                r"when it is sent$"),
     lambda m: _("Open stap %(node)s: het formulier is veranderd; een bewaard concept wordt bij versturen met "
                 "het nieuwe formulier gecontroleerd.", **m)),
    (re.compile(r"^the case moved on after the migration; restoring it would undo that work$"),
     lambda m: _("Het dossier is na het verplaatsen verder gegaan; terugzetten zou dat werk ongedaan maken.")),
]


def explain(sentence: str) -> str:
    """``sentence`` in the user's language when it is a known verdict; otherwise as it is."""
    for pattern, say in _PATTERNS:
        found = pattern.match(sentence)
        if found:
            return say(found.groupdict())
    return sentence
