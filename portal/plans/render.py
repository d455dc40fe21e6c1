"""The plan as readable text: per section, in the current language, from the drafted content.

The same function gives the newcomer's page (their language), the PDF and, under the Dutch locale,
the canonical legal text that is hashed and signed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale, gettext

from portal.engine import FormSpec
from portal.forms import Answer, display_value


@dataclass
class PlanItem:
    label: str
    value: str

    @property
    def has_letters(self) -> bool:
        """Text takes its direction from its own letters (``dir="auto"``: Dutch free text reads left to right on an
        Arabic page); a bare number such as "36" has none and follows the page, so it stays in the column."""
        return any(character.isalpha() for character in self.value)


@dataclass
class PlanSection:
    title: str
    items: list[PlanItem] = field(default_factory=list)
    rows: list[list[PlanItem]] = field(default_factory=list)


def _items(answers: list[Answer]) -> list[PlanItem]:
    return [PlanItem(answer.label, str(answer.value)) for answer in answers]


def plan_sections(content: dict[str, Any], form: FormSpec) -> list[PlanSection]:
    """The plan per section, labels translated into the current locale; free text as typed."""
    general = PlanSection(gettext("Algemeen"))
    sections = [general]
    for spec in form.fields:
        value = content.get(spec.name)
        if value in (None, "", [], {}):
            continue
        if spec.kind == "section":
            sections.append(PlanSection(gettext(spec.label), items=_items(display_value(spec, value))))
        elif spec.kind == "rows":
            sections.append(PlanSection(gettext(spec.label), rows=[_items(row) for row in display_value(spec, value)]))
        else:
            general.items.append(PlanItem(gettext(spec.label), str(display_value(spec, value))))
    return [s for s in sections if s.items or s.rows]


def plan_text(content: dict[str, Any], form: FormSpec) -> str:
    """The canonical Dutch text of a plan (what is hashed and what the beschikking states)."""
    with force_locale("nl"):
        lines = []
        for section in plan_sections(content, form):
            lines.append(f"## {section.title}")
            lines.extend(f"{item.label}: {item.value}" for item in section.items)
            for number, row in enumerate(section.rows, start=1):
                lines.append(f"{number}. " + "; ".join(f"{item.label}: {item.value}" for item in row))
            lines.append("")
    return "\n".join(lines).strip() + "\n"
