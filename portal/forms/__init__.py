"""WTForms for the portal: the base form, one object per field kind and the builder over them."""

from portal.forms.base import PortalForm, PortalSubform, choices
from portal.forms.builder import build_task_form, form_to_data, raw_form_input
from portal.forms.kinds import KINDS, Answer, FieldKind, build_field, display_value, read_fields, sample_value

__all__ = ["PortalForm", "PortalSubform", "choices", "build_task_form", "form_to_data", "raw_form_input", "KINDS",
           "Answer", "FieldKind", "build_field", "display_value", "read_fields", "sample_value"]
