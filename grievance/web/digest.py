"""The digest mail: what a person's notifications say, in their language, as pages say it."""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_babel import force_locale, gettext, ngettext

from grievance.web import notification_text


def public_base_url() -> str:
    """Where links in mail point: PUBLIC_BASE_URL (`make demo` sets it to the dev server), else
    the address of the request being served; a round outside any request without the setting
    has no way to know it, and its links stay relative."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base and has_request_context():
        base = request.host_url
    return (base or "").rstrip("/")


def render_digest(user, notifications: list, total: int) -> tuple[str, str, str]:
    """Subject, body and language of one digest mail, in the person's language."""
    language = user.language or "en"
    base = public_base_url()
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
