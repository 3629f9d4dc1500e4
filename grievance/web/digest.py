"""The digest mail: what a person's notifications say, in their language, as pages say it."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, gettext, ngettext

from grievance.web import notification_text


def render_digest(user, notifications: list, total: int) -> tuple[str, str, str]:
    """Subject, body and language of one digest mail, in the person's language."""
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
