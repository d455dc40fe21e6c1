"""Helpers for form tests: task data as a browser posts it, and forms built inside a request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import render_template_string
from werkzeug.datastructures import MultiDict

from portal.engine import FormSpec, form_spec_from_schema

FORMS = Path(__file__).resolve().parents[2] / "workflows" / "forms"
RENDER = '{% from "macros/forms.html" import render_form %}{{ render_form(form) }}'


def workflow_forms() -> list[FormSpec]:
    """Every form of the deployed process (workflows/forms/*.json)."""
    return [form_spec_from_schema(path.stem, json.loads(path.read_text())) for path in sorted(FORMS.glob("*.json"))]


def one_field_form(schema: dict[str, Any], required: bool = False) -> FormSpec:
    """A form with a single field ``f`` of the given JSON Schema."""
    return form_spec_from_schema("t", {"type": "object", "properties": {"f": schema},
                                       "required": ["f"] if required else []})


def formdata(data: dict[str, Any], prefix: str = "") -> MultiDict:
    """Task data as the fields a browser posts: sections as ``section-field``, rows as ``rows-0-field``,
    several choices as repeated keys, a ticked box as ``y`` and an unticked one left out."""
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            pairs.extend(formdata(value, f"{name}-").items(multi=True))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for number, row in enumerate(value):
                pairs.extend(formdata(row, f"{name}-{number}-").items(multi=True))
        elif isinstance(value, list):
            pairs.extend((name, str(item)) for item in value)
        elif isinstance(value, bool):
            if value:
                pairs.append((name, "y"))
        else:
            pairs.append((name, str(value)))
    return MultiDict(pairs)


def render(form) -> str:
    """The form as the portal renders it (macros/forms.html); needs a request context."""
    return render_template_string(RENDER, form=form)
