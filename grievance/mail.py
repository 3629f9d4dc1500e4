"""Mail to people (committee members, advisors), through a pluggable sender.

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


def render_digest(user, notifications: list, total: int) -> tuple[str, str, str]:
    """Subject, body and language of one digest mail, in the person's language."""
    from flask_babel import force_locale, gettext, ngettext

    from grievance.web import notification_text

    language = user.language or "en"
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    with force_locale(language):
        subject = ngettext("%(num)s case needs your attention", "%(num)s cases need your attention",
                           len({n.case_id for n in notifications}))
        lines = [gettext("Hello %(name)s,", name=user.name), ""]
        for notification in notifications:
            lines.append(f"- {notification_text(notification)}")
            lines.append(f"  {base}/cases/{notification.case.reference}")
        if total > len(notifications):
            lines += ["", gettext("And %(count)s more in your notifications.", count=total - len(notifications))]
        lines += ["", gettext("Open your queue: %(url)s", url=f"{base}/queue")]
    return subject, "\n".join(lines), language
