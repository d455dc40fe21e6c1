"""The field kinds against every form of the process (workflows/forms/*.json)."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from portal.demo import sample_submission
from portal.forms import KINDS, build_task_form, form_to_data
from tests.forms.formdata import formdata, render, workflow_forms

FORMS = workflow_forms()
DAY = date(2026, 1, 8)


@pytest.fixture
def request_context(app):
    with app.test_request_context("/", method="POST"), force_locale("nl"):
        yield


def test_every_kind_a_form_uses_is_registered():
    used = {spec.kind for form in FORMS for _path, spec in form.iter_fields()}  # sections' and rows' fields too
    assert used - set(KINDS) == set()
    assert {"choice", "multichoice", "boolean", "date", "textarea", "rows", "section"} <= used  # the walk sees them


@pytest.mark.parametrize("form_spec", FORMS, ids=[form.task_id for form in FORMS])
def test_the_sample_submission_is_valid(form_spec):
    assert form_spec.validation_errors(sample_submission(form_spec, DAY)) == []


@pytest.mark.parametrize("form_spec", FORMS, ids=[form.task_id for form in FORMS])
def test_the_sample_goes_through_the_form_unchanged(request_context, form_spec):
    """What a regisseur posts comes back as the same task data (unticked boxes are added as false)."""
    sample = sample_submission(form_spec, DAY)
    form_class = build_task_form(form_spec)
    assert 'name="' in render(form_class(formdata=None, meta={"csrf": False}))
    form = form_class(formdata=formdata(sample), meta={"csrf": False})
    assert form.validate(), form.errors
    data = form_to_data(form, form_spec)
    assert form_spec.validation_errors(data) == []
    assert _without_false(data) == _without_false(sample)


def _without_false(value):
    """The answers without unticked boxes (and sections that held only those)."""
    if isinstance(value, dict):
        kept = {key: _without_false(item) for key, item in value.items() if item is not False}
        return {key: item for key, item in kept.items() if item != {}}
    if isinstance(value, list):
        return [_without_false(item) for item in value]
    return value


def test_a_form_class_is_built_once_per_locale_and_speaks_that_locale(app):
    """The generated class is cached; its labels are translated when it is built, so the locale is part of
    the key: an English request after a Dutch one must not get the Dutch labels."""
    spec = next(form for form in FORMS if form.task_id == "kennismakingsgesprek")
    with app.test_request_context("/"):
        with force_locale("nl"):
            dutch = build_task_form(spec)
            assert build_task_form(spec) is dutch
            dutch_text = str(dutch().save_draft.label.text)
        with force_locale("en"):
            english = build_task_form(spec)
            english_text = str(english().save_draft.label.text)
    assert english is not dutch
    assert (dutch_text, english_text) == ("Concept opslaan", "Save as draft")


def test_a_form_with_an_unhashable_example_is_built_uncached(app):
    """A designer's schema may give a list as a field's example: the spec cannot be a cache key, the form is
    built all the same (no 500 in the form editor's preview)."""
    from portal.engine.forms import form_spec_from_schema

    spec = form_spec_from_schema("vrij", {"type": "object", "properties": {
        "naam": {"type": "string", "title": "Naam", "examples": [["een", "lijst"]]}}})
    with app.test_request_context("/"), force_locale("nl"):
        form = build_task_form(spec)()
    assert "naam" in form._fields
