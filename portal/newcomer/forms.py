from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    Form,
    FormField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length

from portal.auth.forms import new_password_field, repeated_password_field
from portal.engine import FormSpec
from portal.forms import PortalForm, build_field, choices, read_fields
from portal.forms.bounds import RecordIdField


class ActivationForm(PortalForm):
    code = StringField(_l("Activeringscode"), [InputRequired(_l("Vul de code van je brief in.")), Length(max=40)],
                       description=_l("De code staat op de brief van de gemeente, bijvoorbeeld ABCD-EFGH-JKLM-NPQR."),
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "characters"})
    language = SelectField(_l("Taal"), [InputRequired()], description=_l("In deze taal zie je je plan."))
    password = new_password_field()
    password_again = repeated_password_field("password")


class SignForm(PortalForm):
    version_id = RecordIdField()
    consent = BooleanField(_l("Ik heb het plan gelezen en ga ermee akkoord."),
                           [DataRequired(_l("Vink aan dat je het plan hebt gelezen en ermee akkoord gaat."))])
    typed_name = StringField(_l("Je volledige naam"), [InputRequired(_l("Schrijf je volledige naam.")),
                                                        Length(max=200)],
                             description=_l("Zo zet je je handtekening."), render_kw={"autocomplete": "name"})
    password = PasswordField(_l("Je wachtwoord"), [InputRequired(_l("Vul je wachtwoord in."))],
                             description=_l("Ter controle dat jij het bent."),
                             render_kw={"autocomplete": "current-password"})


class QuestionForm(PortalForm):
    version_id = RecordIdField()
    message = TextAreaField(_l("Je vraag of waarom je het niet eens bent"),
                            [InputRequired(_l("Schrijf je vraag.")), Length(max=2000)],
                            description=_l("Je regisseur neemt contact met je op. Je plan is dan nog niet "
                                           "ondertekend."))


class VerifyCodeForm(PortalForm):
    class Meta:
        csrf = False

    code = StringField(_l("Controlecode"), [InputRequired(_l("Vul de controlecode in.")), Length(max=20)],
                       description=_l("De code staat onderaan elke pagina van het document."))


class VerifyFileForm(PortalForm):
    document = FileField(_l("PDF-bestand"), [FileRequired(_l("Kies een PDF-bestand."))])


# -- the self-assessment before a progress meeting (workflows/forms/zelfbeoordeling.json) -----------

def _goal_label(goal) -> str:
    if goal.domain:
        return gettext("Doel %(number)d (%(domain)s): %(goal)s", number=goal.number, goal=goal.text, domain=goal.domain)
    return gettext("Doel %(number)d: %(goal)s", number=goal.number, goal=goal.text)


def self_assessment_form(spec: FormSpec, goals: list) -> type[PortalForm]:
    """The self-assessment as a form class, built per request from the task's form (``spec``) by the
    portal's field kinds, in the newcomer's words. The rows of ``doelen`` become one optional radio group
    per goal of the plan (``goals``: newcomer.services.PlanGoal), each with the choices of ``oordeel``.

    Only "how is it going" is required; a goal left open is simply not sent.
    """
    fields = {field.name: field for field in spec.fields}
    overall, per_goal, help_needed, question = (fields["algemeen"], fields["doelen"], fields["hulp_nodig"],
                                                fields["vraag"])
    verdict = next(child for child in per_goal.children if child.name == "oordeel")
    goal_specs = tuple(replace(verdict, name=f"doel_{goal.number}", required=False, widget="radio") for goal in goals)
    attrs: dict[str, Any] = {"algemeen": build_field(overall, required_message=gettext("Kies een antwoord."))}
    if goals:
        goal_fields = {goal_spec.name: build_field(goal_spec, label=_goal_label(goal))
                       for goal, goal_spec in zip(goals, goal_specs, strict=True)}
        attrs["doelen"] = FormField(type("GoalsForm", (Form,), goal_fields), label=gettext(per_goal.label))
    attrs["hulp_nodig"] = build_field(help_needed, description=gettext("Kies er een of meer, of geen."))
    attrs["vraag"] = build_field(replace(question, max_length=question.max_length or 2000),
                                 description=gettext("Je regisseur leest dit voor het gesprek."))
    # What self_assessment_data reads back through the same kinds (plain class attributes, not fields).
    attrs["answer_specs"] = (overall, help_needed, question)
    attrs["goal_specs"] = goal_specs
    return type("SelfAssessmentForm", (PortalForm,), attrs)


def self_assessment_data(form: PortalForm, goals: list) -> dict[str, Any]:
    """The validated form as task data for zelfbeoordeling.json; empty answers are left out."""
    data = read_fields(form.answer_specs, form)
    if goals:
        rated = read_fields(form.goal_specs, form.doelen.form)
        if rows := [{"nummer": goal.number, "oordeel": rated[goal_spec.name]}
                    for goal, goal_spec in zip(goals, form.goal_specs, strict=True) if goal_spec.name in rated]:
            data["doelen"] = rows
    return data


# -- concerns: the municipality's side of the plan ---------------------------------------------------

#: portal.concerns.models.Concern.CATEGORIES in the newcomer's own words.
CONCERN_CATEGORIES = {
    "gesprek_afgezegd": _l("Mijn gesprek is afgezegd"),
    "geen_school": _l("Er is geen taalschool geregeld"),
    "hulp_nodig": _l("Ik heb hulp nodig"),
    "anders": _l("Iets anders"),
}


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class ConcernForm(PortalForm):
    category = RadioField(_l("Waar gaat je zorg over?"), [InputRequired(_l("Kies een antwoord."))])
    text = TextAreaField(_l("Wat is er gebeurd?"), [
        InputRequired(_l("Schrijf wat er is gebeurd.")),
        Length(min=10, max=2000, message=_l("Schrijf minstens 10 en hoogstens 2000 tekens."))],
        filters=[_strip],
        description=_l("Minstens 10 tekens. Een leidinggevende van de gemeente leest dit en antwoordt je in dit "
                       "portaal."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = choices(CONCERN_CATEGORIES.items())
