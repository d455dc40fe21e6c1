"""portal.forms.messages: WTForms' English defaults become the portal's Dutch msgids, in every portal
form and in the COA import (no request there); messages the portal does not map keep WTForms' own."""

from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Regexp

from portal.forms import PortalForm, choices


class Probe(PortalForm):
    name = StringField("Naam", [InputRequired(), Length(max=3)])
    exact = StringField("Code", [Length(min=2, max=2)])
    number = IntegerField("Aantal", [NumberRange(min=1)])
    day = DateField("Dag")
    pick = SelectField("Keuze", choices=choices([("a", "A")]))
    shape = StringField("Vorm", [Regexp("^x$")])


def test_builtin_messages_are_the_portals(app):
    data = MultiDict({"exact": "abc", "number": "zes", "day": "gisteren", "pick": "z", "shape": "y"})
    with app.test_request_context("/", method="POST"), force_locale("nl"):
        form = Probe(formdata=data, meta={"csrf": False})
        assert not form.validate()
        assert form.errors == {
            "name": ["Vul dit veld in."], "exact": ["Gebruik precies 2 tekens."],
            "number": ["Vul een heel getal in.", "Vul een getal in van minstens 1."],
            "day": ["Vul een geldige datum in."], "pick": ["Kies een van de mogelijkheden."],
            "shape": ["Ongeldige invoer."],  # not mapped: WTForms' own Dutch
        }
        form = Probe(formdata=MultiDict({"name": "Amina", "number": "0"}), meta={"csrf": False})
        form.validate()
        assert form.errors["name"] == ["Gebruik maximaal 3 tekens."]
        assert form.errors["number"] == ["Vul een getal in van minstens 1."]
