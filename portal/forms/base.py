"""The base classes of every portal form."""

from collections.abc import Iterable

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import Form, SelectField, widgets
from wtforms.fields.choices import SelectChoice

from portal.forms.bounds import bound_field
from portal.forms.messages import portal_messages


def choices(pairs: Iterable[tuple]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3 ``SelectChoice`` objects."""
    return [SelectChoice(value, str(label)) for value, label in pairs]


class QuickSelect(widgets.Select):
    """WTForms' select, each plain option written at once: the same HTML as WTForms' own (attributes in
    its order, escaped alike), without ``html_params`` per option, which cost a teamleider's worklist 3 ms
    for a region's 300 regisseurs. An option with attributes of its own goes through WTForms."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        value, label = escape(choice.value), escape(choice.label or choice.value)  # both escaped here
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{value}">{label}</option>')  # noqa: S704 - escaped above


class LongSelectField(SelectField):
    """A select that may offer hundreds of choices (the regisseurs of a region's municipality)."""

    widget = QuickSelect()


class _PortalMeta:
    """Every field bound to a portal form gets the portal's input rules (:func:`bound_field`): no control
    characters in text, a checkbox ticked only by what a browser sends for a ticked box; and WTForms'
    default messages in the portal's words (:mod:`portal.forms.messages`)."""

    def bind_field(self, form, unbound_field, options):
        return bound_field(super().bind_field, form, unbound_field, options)

    def get_translations(self, form):
        return portal_messages


class PortalForm(FlaskForm):
    """A CSRF-protected form. Render it with ``macros/forms.html`` (always ``novalidate``)."""

    class Meta(_PortalMeta):
        pass

    #: Errors that belong to the whole form rather than one field (shown in the error summary).
    form_errors: list[str]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_errors = []


class PortalSubform(Form):
    """A CSRF-less part of a portal form (a section, a row, a group of goals), with the same input rules."""

    class Meta(_PortalMeta):
        pass
