"""The base class of every portal form."""

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from portal.forms.messages import portal_messages


def choices(pairs: Iterable[tuple]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3 ``SelectChoice`` objects."""
    return [SelectChoice(value, str(label)) for value, label in pairs]


class PortalForm(FlaskForm):
    """A CSRF-protected form. Render it with ``macros/forms.html`` (always ``novalidate``)."""

    class Meta:
        def get_translations(self, form):
            return portal_messages  # WTForms' defaults in the portal's words (portal.forms.messages)

    #: Errors that belong to the whole form rather than one field (shown in the error summary).
    form_errors: list[str]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_errors = []
