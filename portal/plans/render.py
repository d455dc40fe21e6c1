"""The plan as readable text: per section, in the current language, from the drafted content.

The same function gives the newcomer's page (their language), the PDF and, under the Dutch locale,
the canonical legal text that is hashed and signed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale, gettext

from portal.engine import FieldSpec, FormSpec


@dataclass
class PlanItem:
    label: str
    value: str


@dataclass
class PlanSection:
    title: str
    items: list[PlanItem] = field(default_factory=list)
    rows: list[list[PlanItem]] = field(default_factory=list)


def _value(spec: FieldSpec, value: Any) -> str:
    from portal.forms import display_value

    return str(display_value(spec, value))


def plan_sections(content: dict[str, Any], form: FormSpec) -> list[PlanSection]:
    """The plan per section, labels translated into the current locale; free text as typed."""
    general = PlanSection(gettext("Algemeen"))
    sections = [general]
    for spec in form.fields:
        value = content.get(spec.name)
        if value in (None, "", [], {}):
            continue
        if spec.kind == "section":
            section = PlanSection(gettext(spec.label))
            section.items = [PlanItem(gettext(child.label), _value(child, value[child.name]))
                             for child in spec.children if value.get(child.name) not in (None, "", [])]
            sections.append(section)
        elif spec.kind == "rows":
            section = PlanSection(gettext(spec.label))
            section.rows = [[PlanItem(gettext(child.label), _value(child, row[child.name]))
                             for child in spec.children if row.get(child.name) not in (None, "", [])]
                            for row in value]
            sections.append(section)
        else:
            general.items.append(PlanItem(gettext(spec.label), _value(spec, value)))
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
