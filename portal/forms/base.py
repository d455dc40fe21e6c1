"""The base classes of every portal form."""

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.fields.choices import SelectChoice

from portal.forms.bounds import bound_field
from portal.forms.messages import portal_messages


def choices(pairs: Iterable[tuple]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3 ``SelectChoice`` objects."""
    return [SelectChoice(value, str(label)) for value, label in pairs]


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
