"""WTForms for the portal: the base form, one object per field kind and the builder over them."""

from portal.forms.base import LongSelectField, PortalForm, PortalSubform, choices
from portal.forms.builder import build_task_form, form_to_data, raw_form_input
from portal.forms.kinds import KINDS, Answer, FieldKind, build_field, display_value, read_fields, sample_value

__all__ = ["LongSelectField", "PortalForm", "PortalSubform", "choices", "build_task_form", "form_to_data",
           "raw_form_input", "KINDS", "Answer", "FieldKind", "build_field", "display_value", "read_fields",
           "sample_value"]
