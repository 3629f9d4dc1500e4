"""Mail to people (committee members, advisors), through a pluggable sender (what the
digest says is ``web/digest.py``).

``MAIL_BACKEND=console`` (the embedded default) prints each mail to standard output, not to
the log; ``smtp`` sends through ``SMTP_HOST``. Mail never carries a worker's number or name:
a case is named by its reference and category only.
"""

from __future__ import annotations

import smtplib
import sys
from email.message import EmailMessage
from typing import Protocol

from flask import current_app


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str, language: str) -> None: ...


class ConsoleMailer:
    def __init__(self, stream=None) -> None:
        self.stream = stream

    def send(self, to: str, subject: str, body: str, language: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"--- mail to {to} ({language})\nSubject: {subject}\n\n{body}\n---\n")
        stream.flush()


class SmtpMailer:
    def __init__(self, config: dict) -> None:
        self.host, self.port = config["SMTP_HOST"], int(config["SMTP_PORT"])
        self.username, self.password = config.get("SMTP_USERNAME"), config.get("SMTP_PASSWORD")
        self.starttls, self.sender = config["SMTP_STARTTLS"], config["MAIL_FROM"]

    def send(self, to: str, subject: str, body: str, language: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(body)
        message["Content-Language"] = language  # after set_content, which clears Content-* headers
        with smtplib.SMTP(self.host, self.port, timeout=30) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def mailer() -> Mailer:
    config = current_app.config
    if config["MAIL_BACKEND"] == "smtp":
        return SmtpMailer(config)
    return ConsoleMailer()
