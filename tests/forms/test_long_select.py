"""LongSelectField writes its options itself (quickly): the HTML must be exactly WTForms' own, escaped alike."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from portal.forms import LongSelectField, PortalForm, choices

HOSTILE = [("", "Alle regisseurs"), ("7", 'Anna <script>alert("x")</script> & Co'), ('"><b>', "O'Brien"),
           ("12", ""), ("ü-3", "Çelik, Ömer")]


def _pair(coerce=str, **select_kwargs):
    class Pair(PortalForm):
        class Meta:
            csrf = False

        plain = SelectField("Regisseur", coerce=coerce, choices=[], **select_kwargs)
        quick = LongSelectField("Regisseur", coerce=coerce, choices=[], **select_kwargs)

    return Pair


def _same(form) -> None:
    wtforms = str(form.plain()).replace('id="plain" name="plain"', "")
    quick = str(form.quick()).replace('id="quick" name="quick"', "")
    assert quick == wtforms


@pytest.mark.parametrize("chosen", ["", "7", '"><b>', "ü-3", "absent"])
def test_the_same_html_as_wtforms_with_hostile_labels_and_values(app, chosen):
    with app.test_request_context("/"):
        form = _pair()(MultiDict({"plain": chosen, "quick": chosen}))
        form.plain.choices = form.quick.choices = choices(HOSTILE)
        _same(form)
        html = str(form.quick())
        assert "<script>" not in html and "&lt;script&gt;" in html
        assert html.count(" selected ") == (chosen in {value for value, _label in HOSTILE})


def test_coerced_values_and_options_with_attributes_of_their_own(app):
    with app.test_request_context("/"):
        form = _pair(coerce=int)(MultiDict({"plain": "3", "quick": "3"}))
        form.plain.choices = form.quick.choices = [
            SelectChoice(1, "Een"), SelectChoice(3, "Drie"),
            SelectChoice(4, "Vier (afwezig)", render_kw={"disabled": True})]
        _same(form)
        assert '<option disabled value="4">' in str(form.quick())
        assert '<option selected value="3">Drie</option>' in str(form.quick())
