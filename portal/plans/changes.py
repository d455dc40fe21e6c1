"""What changed between two versions of a plan, in words: "Doel 2: leefgebied Gezin en kinderopvang toegevoegd".

Labels and choice titles come from the plan's form schema and are translated into the current locale, so
staff read the list in Dutch (or English) and the newcomer in their own language before signing. Rows
(goals) are matched by content, not only by position: removing goal 1 of three reads "Doel 1 verwijderd",
not as two changed goals and a removed third; a goal in another leefgebied is a new goal, not a changed one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from flask_babel import gettext

from portal.engine import FieldSpec, FormSpec
from portal.forms import display_value

#: Field kinds whose values are short enough to name in the sentence ("gewijzigd van B1-route in Z-route").
SHORT_KINDS = {"choice", "multichoice", "date", "integer", "number", "boolean"}


@dataclass(frozen=True)
class PlanChange:
    """One change: the sentence, and the values before and after as a reader sees them (None: not there)."""

    text: str
    old: str | None = None
    new: str | None = None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def _shown(spec: FieldSpec, value: Any) -> str:
    """A stored value as its label (a code as its title, a date formatted); as stored when it does not fit."""
    try:
        shown = display_value(spec, value)
    except (TypeError, ValueError, KeyError):
        return str(value)
    if isinstance(shown, list):  # a row or section: "Label: value; …"
        return "; ".join(f"{answer.label}: {answer.value}" for answer in shown)
    return str(shown)


def _label(spec: FieldSpec, after_where: bool) -> str:
    """The translated label; after "Doel 1:" it starts in lower case unless it is an abbreviation ("MAP")."""
    label = gettext(spec.label)
    if after_where and len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _where(where: str | None, what: str) -> str:
    return gettext("%(where)s: %(what)s", where=where, what=what) if where else what


def _field_change(spec: FieldSpec, old: Any, new: Any, where: str | None) -> PlanChange | None:
    if old == new or (_blank(old) and _blank(new)):
        return None
    name = _label(spec, where is not None)
    before = None if _blank(old) else _shown(spec, old)
    after = None if _blank(new) else _shown(spec, new)
    if before is None:
        what = gettext("%(name)s %(value)s toegevoegd", name=name, value=after) if spec.kind in SHORT_KINDS \
            else gettext("%(name)s toegevoegd", name=name)
    elif after is None:
        what = gettext("%(name)s verwijderd", name=name)
    elif spec.kind in SHORT_KINDS:
        what = gettext("%(name)s gewijzigd van %(old)s in %(new)s", name=name, old=before, new=after)
    else:
        what = gettext("%(name)s gewijzigd", name=name)
    return PlanChange(_where(where, what), before, after)


def _fields_changes(specs: tuple[FieldSpec, ...], old: dict[str, Any], new: dict[str, Any],
                    where: str | None) -> list[PlanChange]:
    found = (_field_change(spec, old.get(spec.name), new.get(spec.name), where) for spec in specs)
    return [change for change in found if change is not None]


def _row_name(spec: FieldSpec, number: int) -> str:
    label = spec.row_label or spec.label  # the schema's items.title ("Doel")
    return gettext("%(label)s %(number)d", label=gettext(label), number=number)


def _row_summary(spec: FieldSpec, row: dict[str, Any]) -> tuple[FieldSpec, Any] | None:
    """The field that names a row: its first answered choice (a goal's leefgebied), else its first answer."""
    answered = [child for child in spec.children if not _blank(row.get(child.name))]
    chosen = next((child for child in answered if child.kind == "choice"), answered[0] if answered else None)
    return (chosen, row[chosen.name]) if chosen else None


def _row_added(spec: FieldSpec, number: int, row: dict[str, Any]) -> PlanChange:
    where, summary = _row_name(spec, number), _row_summary(spec, row)
    if summary is None:
        return PlanChange(gettext("%(name)s toegevoegd", name=where))
    child, value = summary
    what = gettext("%(name)s %(value)s toegevoegd", name=_label(child, True), value=_shown(child, value))
    return PlanChange(_where(where, what), None, _row_text(spec, row))


def _row_removed(spec: FieldSpec, number: int, row: dict[str, Any]) -> PlanChange:
    where, summary = _row_name(spec, number), _row_summary(spec, row)
    text = gettext("%(name)s verwijderd", name=where)
    if summary is not None:
        child, value = summary
        text = _where(text, f"{_label(child, True)} {_shown(child, value)}")
    return PlanChange(text, _row_text(spec, row), None)


def _row_text(spec: FieldSpec, row: dict[str, Any]) -> str:
    return "; ".join(f"{gettext(child.label)}: {_shown(child, row[child.name])}"
                     for child in spec.children if not _blank(row.get(child.name)))


def _same_row(spec: FieldSpec, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Two rows are the same goal, changed, when the field that names them (the leefgebied) is the same."""
    named = _row_summary(spec, old)
    return named is not None and new.get(named[0].name) == named[1]


def _rows_changes(spec: FieldSpec, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[PlanChange]:
    """Rows matched by content. In a stretch that differs, a row whose naming field (leefgebied) stayed is a
    changed row; any other is removed (numbered as in the old version) or added (numbered as in the new)."""
    keys = [[json.dumps(row, sort_keys=True) for row in rows] for rows in (old, new)]
    out: list[PlanChange] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=keys[0], b=keys[1], autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        removed, added, changed = list(range(i1, i2)), list(range(j1, j2)), []
        for i in list(removed):
            j = next((j for j in added if _same_row(spec, old[i], new[j])), None)
            if j is not None:
                removed.remove(i)
                added.remove(j)
                changed.append((i, j))
        for i, j in changed:
            out += _fields_changes(spec.children, old[i], new[j], _row_name(spec, j + 1))
        out += [_row_removed(spec, i + 1, old[i]) for i in removed]
        out += [_row_added(spec, j + 1, new[j]) for j in added]
    return out


def describe_changes(old: dict[str, Any] | None, new: dict[str, Any], form: FormSpec) -> list[PlanChange]:
    """Every difference between two plans' contents, in the order of the form, in the current locale.

    Only fields the form knows are compared (a field a later form dropped is no change to report)."""
    old = old or {}
    out: list[PlanChange] = []
    for spec in form.fields:
        before, after = old.get(spec.name), new.get(spec.name)
        if spec.kind == "section":
            out += _fields_changes(spec.children, before if isinstance(before, dict) else {},
                                   after if isinstance(after, dict) else {}, gettext(spec.label))
        elif spec.kind == "rows":
            out += _rows_changes(spec, [r for r in before or [] if isinstance(r, dict)],
                                 [r for r in after or [] if isinstance(r, dict)])
        else:
            change = _field_change(spec, before, after, None)
            if change is not None:
                out.append(change)
    return out
