"""Words for the codes a progress record stores, as the newcomer's pages show them.

One place for every code → label mapping of the progress record: the mappings the staff pages
already use come from :mod:`portal.progress.staff_labels` (re-exported here, not copied), and the
ones only the newcomer's pages needed so far are defined below. The Dutch texts are the titles of
the same codes in ``workflows/forms/voortgangsgesprek.json`` and ``eindverslag.json``, so the form
and the record share one translation. Templates write ``labels.label(labels.GOAL_STATUS, code)``;
they never spell these words out themselves.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.progress.staff_labels import CONCLUSIONS, LADDER_RUNGS, MAP_STATUS, PVT_STATUS, label

__all__ = ["CONCLUSIONS", "EXAM_PART", "EXAM_RESULT", "GOAL_STATUS", "LADDER_RUNGS", "MAP_STATUS", "PVT_STATUS",
           "label"]

#: voortgangsgesprek.json doelen[].status
GOAL_STATUS = {
    "op_schema": _l("Op schema"),
    "vertraagd": _l("Vertraagd"),
    "behaald": _l("Behaald"),
    "vervallen": _l("Niet meer van toepassing"),
}

#: voortgangsgesprek.json examens[].onderdeel
EXAM_PART = {
    "lezen": _l("Lezen"),
    "luisteren": _l("Luisteren"),
    "schrijven": _l("Schrijven"),
    "spreken": _l("Spreken"),
    "knm": _l("Kennis van de Nederlandse maatschappij (KNM)"),
    "z_route_toets": _l("Z-route: eindtoets of -gesprek"),
}

#: voortgangsgesprek.json examens[].resultaat
EXAM_RESULT = {
    "behaald": _l("Behaald"),
    "niet_behaald": _l("Niet behaald"),
    "gepland": _l("Gepland"),
}
