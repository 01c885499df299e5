"""Sending one e-mail through the configured SMTP server. Callers keep their own outbox and retry."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def send(message: EmailMessage) -> None:
    """Send `message` (From is filled from MAIL_FROM when missing); raises OSError or
    smtplib.SMTPException when the server cannot take it."""
    config = current_app.config
    if not message["From"]:
        message["From"] = config["MAIL_FROM"]
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        smtp.send_message(message)
