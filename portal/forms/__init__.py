"""WTForms for the portal: the base form and the builder that turns a FormSpec into a form class."""

from portal.forms.base import PortalForm, choices
from portal.forms.builder import build_task_form, form_to_data, raw_form_input
from portal.forms.display import display_value

__all__ = ["PortalForm", "choices", "build_task_form", "form_to_data", "raw_form_input", "display_value"]
