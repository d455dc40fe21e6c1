"""The words staff read for stored progress codes come from the deployed forms (portal.progress.labels)."""

from __future__ import annotations

import json

import pytest

from portal.processes.services import current_version, runtime_for
from portal.progress import labels
from tests.conftest import ROOT


@pytest.mark.parametrize("where", [
    labels.MAP_STATUS, labels.PVT_STATUS, labels.SIGNAL_DOMAINS, labels.COOPERATION, labels.SUPPORT,
    labels.CONFERENCE_OUTCOMES, labels.EVALUATION_EXTENSION, labels.EXTENSION_DECISIONS, labels.CONCLUSIONS,
    labels.ENFORCEMENT_MEASURES, labels.LADDER, labels.FINAL_LADDER, labels.GOAL_STATUS, labels.EXAM_PART,
    labels.EXAM_RESULT,
])
def test_staff_labels_match_the_forms(app, where):
    """Every stored code reads as the title its form gave it (the words come from the deployed form)."""
    form, path = where
    schema = json.loads((ROOT / "workflows" / "forms" / f"{form}.json").read_text(encoding="utf-8"))
    node = schema
    for name in path.split("."):
        node = node["properties"][name] if "properties" in node else node["items"]["properties"][name]
    options = node.get("oneOf") or node["items"]["oneOf"]
    with app.test_request_context():
        words = labels.Words(runtime_for(current_version()))
        assert {o["const"]: words(where, o["const"]) for o in options} == {o["const"]: o["title"] for o in options}


def test_form_titles_of_follow_ups_match_the_forms(app):
    with app.test_request_context():
        words = labels.Words(runtime_for(current_version()))
        for kind, form in labels.FOLLOW_UP_TASKS.items():
            schema = json.loads((ROOT / "workflows" / "forms" / f"{form}.json").read_text(encoding="utf-8"))
            assert words.task_title(form) == schema["title"], kind
