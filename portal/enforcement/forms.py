"""Forms of the enforcement room."""

from portal.forms import PortalForm


class NoShowForm(PortalForm):
    """A button: report that the newcomer did not come to an intake appointment (CSRF only)."""
