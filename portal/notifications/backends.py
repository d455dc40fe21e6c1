"""Where messages go: SMTP in production, files or the log in development (PORTAL_MAIL_BACKEND)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path

from flask import current_app


def build_message(sender: str, to: str, subject: str, body: str, message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = message_id
    message.set_content(body)
    return message


def deliver(message: EmailMessage) -> None:
    """Send one message with the configured backend; raises on failure (the outbox retries)."""
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "smtp":
        config = current_app.config
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config["SMTP_USER"]:
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            smtp.send_message(message)
    elif backend == "file":
        folder = Path(current_app.config["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("@", "_")
        (folder / f"{name}.eml").write_bytes(bytes(message))
    elif backend == "console":
        current_app.logger.info("mail to %s: %s\n%s", message["To"], message["Subject"], message.get_content())
    else:
        raise ValueError(f"unknown PORTAL_MAIL_BACKEND {backend!r} (smtp, file or console)")
