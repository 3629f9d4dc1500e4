"""Blueprints for people, and what every page shares."""

from __future__ import annotations

from datetime import datetime

from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from flask import Flask, render_template
from flask_babel import get_locale, gettext

from grievance.models.base import utcnow
from grievance.web.i18n import LANGUAGE_NAMES, RTL_LOCALES
from grievance.web.labels import EVENT_LABELS, STATUS_LABELS, label


def time_left(deadline: datetime | None) -> dict | None:
    """How a deadline reads in a queue: '1 day 4 h left' or 'overdue by 3 h'."""
    if deadline is None:
        return None
    seconds = int((deadline - utcnow()).total_seconds())
    overdue = seconds < 0
    seconds = abs(seconds)
    days, hours = seconds // 86400, (seconds % 86400) // 3600
    minutes = (seconds % 3600) // 60
    span = f"{days} d {hours} h" if days else (f"{hours} h {minutes} min" if hours else f"{minutes} min")
    if overdue:
        return {"overdue": True, "text": gettext("overdue by %(span)s", span=span)}
    return {"overdue": False, "text": gettext("%(span)s left", span=span)}


def local_time(moment: datetime | None, timezone: str, format: str = "medium") -> str:
    """A moment as the people of the factory read it: in its time zone, in the page's language."""
    if moment is None:
        return ""
    return babel_format_datetime(moment, format, tzinfo=ZoneInfo(timezone), locale=get_locale())


def case_timezone(case) -> str:
    return case.factory.timezone if case.factory else case.country.timezone


def register_page_helpers(app: Flask) -> None:
    @app.context_processor
    def page_globals():
        locale = str(get_locale() or "en")
        return {
            "page_locale": locale,
            "page_dir": "rtl" if locale in RTL_LOCALES else "ltr",
            "language_names": LANGUAGE_NAMES,
            "time_left": time_left,
            "local_time": local_time,
            "case_timezone": case_timezone,
            "status_label": lambda code: label(code, STATUS_LABELS),
            "event_label": lambda code: label(code, EVENT_LABELS),
        }

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        )
        return response

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("error.html", title=gettext("Not found"),
                               text=gettext("There is nothing here, or you may not see it.")), 404

    @app.errorhandler(429)
    def too_many(_error):
        return render_template("error.html", title=gettext("Too many attempts"),
                               text=gettext("Please wait a minute and try again.")), 429
