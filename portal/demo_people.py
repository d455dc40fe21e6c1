"""The demo's newcomers as people: facts that agree with each other in every step that records them.

Each demo newcomer has a :class:`Person`: how they are addressed, their household, the interpreter the
conversations use, their learnability and schooling. :func:`person_answers` turns it into the answers a
step records, so the conversation is held in the newcomer's own language with an interpreter, the level
fits the route, a single person has no childcare and a plan speaks of "meneer" or "mevrouw" as fits.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

#: Steps whose form has a "gesprek" section (date, language, interpreter).
CONVERSATION_STEPS = frozenset({"kennismakingsgesprek", "intake_leerbaarheid", "intake_opleiding_werk",
                                "intake_persoonlijke_omstandigheden", "intake_leefgebieden"})
#: Households with a partner (the duty to offer a conversation without the partner applies).
WITH_PARTNER = frozenset({"met_partner", "met_partner_en_kinderen"})


@dataclass(frozen=True)
class Person:
    title: str  # "mevrouw" or "meneer"
    household: str  # intake: gezin.huishouden
    children: int
    interpreter: str  # "telefonisch" or "ter_plaatse": nobody in the demo speaks Dutch yet
    level: str  # leerbaarheidstoets.indicatie_niveau
    b1: str  # leerbaarheidstoets.b1_haalbaar
    script: str  # taalachtergrond.alfabetisering
    education: str  # opleiding.hoogste_opleiding
    years: int  # opleiding.jaren_onderwijs
    route: str  # the learning route the plan chooses (if the demo drafts one)

    @property
    def pronoun(self) -> str:
        return "zij" if self.title == "mevrouw" else "hij"

    @property
    def partner(self) -> bool:
        return self.household in WITH_PARTNER


#: V-number → the person (the order of NEWCOMERS in portal.demo).
PEOPLE = {
    "1000000001": Person("mevrouw", "met_partner_en_kinderen", 1, "ter_plaatse", "b1", "ja", "ander_schrift",
                         "voortgezet", 12, "b1_route"),
    "1000000002": Person("meneer", "alleenstaand", 0, "telefonisch", "a2", "twijfel", "ander_schrift",
                         "basisonderwijs", 6, "b1_route"),
    "1000000003": Person("meneer", "met_partner_en_kinderen", 2, "telefonisch", "a1", "nee", "ander_schrift",
                         "basisonderwijs", 5, "z_route"),
    "1000000004": Person("mevrouw", "alleenstaande_ouder", 1, "telefonisch", "boven_b1", "ja", "ander_schrift",
                         "universiteit", 16, "b1_route"),
    "1000000005": Person("meneer", "alleenstaand", 0, "telefonisch", "b1", "ja", "ander_schrift",
                         "voortgezet", 11, "onderwijsroute"),
    "1000000006": Person("mevrouw", "met_partner", 0, "telefonisch", "b1", "ja", "latijns_schrift",
                         "hoger_beroepsonderwijs", 15, "b1_route"),
    "1000000007": Person("meneer", "met_partner_en_kinderen", 3, "ter_plaatse", "onder_a1", "nee",
                         "niet_gealfabetiseerd", "geen", 0, "z_route"),
    "1000000008": Person("mevrouw", "met_partner", 0, "ter_plaatse", "a2", "twijfel", "ander_schrift",
                         "basisonderwijs", 8, "b1_route"),
    "1000000009": Person("meneer", "alleenstaand", 0, "telefonisch", "b1", "ja", "ander_schrift",
                         "voortgezet", 11, "b1_route"),
}

#: Extra goals per V-number on top of the demo plan's three (a plan across more life domains).
EXTRA_GOALS = {
    "1000000001": [{"leefgebied": "gezin_en_kinderopvang", "doel": "Opvang voor haar dochter tijdens de taalles",
                    "actie": "Peuteropvang drie ochtenden per week aanvragen", "wie": "regisseur"}],
}


def _motivation(person: Person) -> str:
    he = person.pronoun
    return (f"De leerbaarheidstoets geeft B1 als haalbaar aan; {person.title} heeft {person.years} jaar onderwijs "
            f"gevolgd en wil in de zorg werken. De onderwijsroute is besproken: {he} is ouder dan 28 jaar en kiest "
            f"voor werk naast de taal.")


def person_answers(v_number: str, language: str, bpmn_id: str) -> dict[str, Any]:
    """The answers step ``bpmn_id`` records about the demo person ``v_number`` (``None`` removes a key)."""
    person = PEOPLE.get(v_number)
    if person is None:
        return {}
    answers: dict[str, Any] = {}
    if bpmn_id in CONVERSATION_STEPS:
        answers["gesprek"] = {"gesproken_taal": language, "tolk": person.interpreter}
    if bpmn_id == "intake_leerbaarheid":
        answers["leerbaarheidstoets"] = {"indicatie_niveau": person.level, "b1_haalbaar": person.b1,
                                         "proefklas_advies": "niet_nodig"}
        answers["taalachtergrond"] = {"moedertaal": language, "alfabetisering": person.script,
                                      "nederlands_niveau": "beginner"}
    elif bpmn_id == "intake_opleiding_werk":
        answers["opleiding"] = {"hoogste_opleiding": person.education, "jaren_onderwijs": person.years}
    elif bpmn_id == "intake_persoonlijke_omstandigheden":
        answers["gezin"] = {"huishouden": person.household, "aantal_kinderen": person.children,
                            "leeftijden_kinderen": "3" if person.children == 1 else None}
        answers["informatieplicht"] = {
            "vve_gewezen": "ja" if person.children else "niet_van_toepassing",
            "gesprek_zonder_partner_aangeboden": True,
            "gesprek_zonder_partner": "ja" if person.partner else "niet_van_toepassing"}
    elif bpmn_id == "intake_leefgebieden":
        answers["kinderopvang"] = {"kinderopvang_nodig": "ja" if person.children else "niet_van_toepassing",
                                   "kinderopvang_toelichting": None}
    elif bpmn_id == "intake_samenvatting":
        answers.update(samenvatting_besproken=True, niet_besproken_reden=None)
    elif bpmn_id == "pip_opstellen":
        answers["leerroute"] = {"route": person.route, "motivering": _motivation(person)}
        answers["randvoorwaarden"] = ({"kinderopvang": "geregeld"} if person.children else
                                      {"kinderopvang": "niet_nodig", "kinderopvang_toelichting": None})
    return answers


def merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` merged into its sections; a change to ``None`` removes the key."""
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict):
            merged[key] = merge(merged[key] if isinstance(merged.get(key), dict) else {}, value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def plan_goals(v_number: str, goals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [*goals, *EXTRA_GOALS.get(v_number, [])]
