"""The newcomer's language as recorded on the case (``Case.language``, a code from the COA handover such as
``oekraiens``): its label for staff and the portal locale the newcomer reads in, where the portal has one.

The codes are those of the conversation forms' "Taal van het gesprek" (``gesproken_taal``), so the case
page, the activation letter and the demo speak about the same languages.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Language code → label (Dutch source, translated for English staff).
LANGUAGE_LABELS = {
    "arabisch": _l("Arabisch"),
    "tigrinya": _l("Tigrinya"),
    "farsi": _l("Farsi (Perzisch)"),
    "dari": _l("Dari"),
    "pashto": _l("Pashto"),
    "koerdisch": _l("Koerdisch"),
    "turks": _l("Turks"),
    "oekraiens": _l("Oekraïens"),
    "russisch": _l("Russisch"),
    "somalisch": _l("Somalisch"),
    "amhaars": _l("Amhaars"),
    "engels": _l("Engels"),
    "frans": _l("Frans"),
    "nederlands": _l("Nederlands"),
}

#: Language code → the portal locale a speaker reads best (Dari speakers read Persian script: ``fa``).
LANGUAGE_LOCALES = {
    "arabisch": "ar",
    "tigrinya": "ti",
    "farsi": "fa",
    "dari": "fa",
    "turks": "tr",
    "oekraiens": "uk",
    "engels": "en",
    "nederlands": "nl",
}


def _code(language: str | None) -> str:
    return (language or "").strip().lower().replace("ï", "i")


def language_label(language: str | None) -> str:
    """The label of a stored language code; an unknown (free-text) value as it was typed."""
    label = LANGUAGE_LABELS.get(_code(language))
    return str(label) if label is not None else (language or "")


def language_locale(language: str | None) -> str | None:
    """The portal locale for a stored language code, or None when the portal has no pages in it."""
    return LANGUAGE_LOCALES.get(_code(language))
