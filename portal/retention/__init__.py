"""Retention: purging or anonymising closed cases, and the audit trail's own retention (`portal retention run`)."""
