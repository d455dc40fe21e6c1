"""Notifications: an outbox of e-mails to staff and newcomers, sent by a worker with retries."""
