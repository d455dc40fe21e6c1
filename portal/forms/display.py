"""A stored answer as its reader sees it: choice codes as their (translated) titles, dates formatted."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date, gettext

from portal.engine import FieldSpec


def display_value(spec: FieldSpec, value: Any) -> Any:
    labels = {c.value: c.label for c in spec.choices}
    if spec.kind == "choice":
        return gettext(labels.get(str(value), str(value)))
    if spec.kind == "multichoice":
        return ", ".join(gettext(labels.get(str(v), str(v))) for v in value)
    if spec.kind == "boolean":
        return gettext("ja") if value else gettext("nee")
    if spec.kind == "date":
        return format_date(date.fromisoformat(value))
    return value
