"""Blueprints for people, and what every page shares."""

from __future__ import annotations

from datetime import datetime, timedelta

from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_timedelta
from flask import Flask, render_template
from flask_babel import get_locale, gettext

from grievance.models.base import utcnow
from grievance.web.i18n import LANGUAGE_NAMES, RTL_LOCALES, UI_LOCALES
from grievance.web.labels import CATEGORY_LABELS, EVENT_LABELS, ROUTE_LABELS, STATUS_LABELS, label


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
    return case.factory.timezone if case.factory else case.country.timezone


def register_page_helpers(app: Flask) -> None:
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
            "status_label": lambda code: label(code, STATUS_LABELS),
            "event_label": lambda code: label(code, EVENT_LABELS),
            "category_label": lambda code: label(code, CATEGORY_LABELS),
            "route_label": lambda code: label(code, ROUTE_LABELS),
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
