"""Blueprints for people, and what every page shares."""

from __future__ import annotations

from datetime import datetime, timedelta

from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_timedelta
from flask import Flask, render_template
from flask_babel import get_locale, gettext
from sqlalchemy.orm.exc import StaleDataError

from grievance.models.base import utcnow
from grievance.i18n.pages import LANGUAGE_NAMES, RTL_LOCALES, UI_LOCALES
from grievance.web.labels import (CATEGORY_LABELS, EVENT_LABELS, LEVEL_LABELS, NOTIFICATION_TEXTS, OUTCOME_LABELS,
                                  ROUTE_LABELS,
                                  STATUS_LABELS, UNIT_LABELS, label)

# A row id in a route: at most what an Integer column holds (32 bits in PostgreSQL), so an
# absurd id is a plain 404 rather than a database error.
ROW_ID = "int(max=2147483647)"


def time_left(deadline: datetime | None) -> dict | None:
    """How a deadline reads in a queue, in the page's language: '2 days 4 hr left', 'overdue by 3 hr'."""
    if deadline is None:
        return None
    seconds = int((deadline - utcnow()).total_seconds())
    overdue, seconds = seconds < 0, abs(seconds)
    days, hours, minutes = seconds // 86400, (seconds % 86400) // 3600, (seconds % 3600) // 60
    locale = get_locale()

    def amount(delta: timedelta, unit: str) -> str:
        return format_timedelta(delta, format="short", granularity=unit, threshold=1, locale=locale)

    if days:
        parts = [amount(timedelta(days=days), "day")] + ([amount(timedelta(hours=hours), "hour")] if hours else [])
    elif hours:
        parts = [amount(timedelta(hours=hours), "hour")]
    else:
        parts = [amount(timedelta(minutes=max(minutes, 1)), "minute")]
    span = " ".join(parts)
    if overdue:
        return {"overdue": True, "text": gettext("overdue by %(span)s", span=span)}
    return {"overdue": False, "text": gettext("%(span)s left", span=span)}


def local_time(moment: datetime | None, timezone: str, format: str = "medium") -> str:
    """A moment as the people of the factory read it: in its time zone, in the page's language."""
    if moment is None:
        return ""
    return babel_format_datetime(moment, format, tzinfo=ZoneInfo(timezone), locale=get_locale())


def case_timezone(case) -> str:
    return case.timezone


def next_deadline(case) -> dict | None:
    """The deadline that matters now: acknowledge while awaited, then resolve."""
    from grievance.models.case import OPEN_STATUSES
    from grievance.workflows.deadlines import awaits_acknowledgement

    if awaits_acknowledgement(case):
        return {"kind": "acknowledge", "label": gettext("Acknowledge by"), "at": case.acknowledge_by,
                "left": time_left(case.acknowledge_by), "paused": False}
    if case.status in OPEN_STATUSES and case.resolve_by is not None:
        paused = case.waiting_since is not None
        return {"kind": "resolve", "label": gettext("Resolve by"), "at": case.resolve_by,
                "left": None if paused else time_left(case.resolve_by), "paused": paused}
    return None


def notification_text(notification) -> str:
    """A notification in the page's (or the mail's) language."""
    case = notification.case
    when = case.acknowledge_by if notification.deadline == "acknowledge" else case.resolve_by
    level = notification.data.get("to") or ""
    return gettext(str(NOTIFICATION_TEXTS[(notification.kind, notification.deadline)]), reference=case.reference,
                   when=local_time(when, case_timezone(case), "short"), level=label(level, LEVEL_LABELS))


def level_name(case) -> str:
    from grievance.workflows.notifications import level_role

    return label(level_role(case), LEVEL_LABELS)


def _unread_notifications() -> int:
    from flask_login import current_user

    from grievance.extensions import db
    from grievance.workflows.notifications import unread_count

    return unread_count(db.session, current_user) if current_user.is_authenticated else 0


def _viewer():
    from grievance.access import current_viewer

    return current_viewer()


def register_page_helpers(app: Flask) -> None:
    from grievance.web.summary_pages import TEMPLATE_HELPERS

    # The summary partial's helpers are globals, so a macro imported without context sees them.
    app.jinja_env.globals.update(TEMPLATE_HELPERS)

    @app.context_processor
    def page_globals():
        locale = str(get_locale() or "en")
        return {
            "page_locale": locale,
            "page_dir": "rtl" if locale in RTL_LOCALES else "ltr",
            "language_names": LANGUAGE_NAMES,
            "ui_locales": UI_LOCALES,
            "time_left": time_left,
            "local_time": local_time,
            "case_timezone": case_timezone,
            "notification_text": notification_text,
            "next_deadline": next_deadline,
            "level_name": level_name,
            "unread_notifications": _unread_notifications,
            "viewer": _viewer(),
            "status_label": lambda code: label(code, STATUS_LABELS),
            "event_label": lambda code: label(code, EVENT_LABELS),
            "category_label": lambda code: label(code, CATEGORY_LABELS),
            "route_label": lambda code: label(code, ROUTE_LABELS),
            "unit_label": lambda code: label(code, UNIT_LABELS),
            "level_label": lambda code: label(code, LEVEL_LABELS),
            "outcome_label": lambda code: label(code, OUTCOME_LABELS),
        }

    @app.after_request
    def security_headers(response):
        from flask import request

        if request.endpoint != "static" and "no-store" not in response.headers.get("Cache-Control", ""):
            # Pages show a worker's words or a signed-in person's work: no browser, proxy or
            # back button keeps a copy (a shared phone is common among PICC members).
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # Same-site pages learn where a form came from (a form sent after the session ended goes
        # back there after signing in); no other site is ever told which page linked to it.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        )
        return response

    from grievance.web import errors

    errors.register(app)

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(_error):
        # Someone (or the deadline sweep) changed the case at the same moment: nothing of
        # this request was saved; the person looks again and repeats it.
        from grievance.extensions import db

        db.session.rollback()
        return render_template("error.html", title=gettext("The case changed meanwhile"),
                               text=gettext("Someone else changed this case at the same moment. Nothing was saved: "
                                            "please open it again and repeat what you did.")), 409
