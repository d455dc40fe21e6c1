"""Discovered at start-up (portal.discover_registrations): registers the retention room's table with
the metadata (the room has no pages; its command is imported only when run)."""

from portal.retention import models  # noqa: F401
