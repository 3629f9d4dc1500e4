"""Sign-in sessions that end on the server: at sign-out, at deactivation, after a working day.

Flask keeps the session in a signed cookie, which the server cannot take back. So the user id
in it carries the user's session version (Flask-Login's alternative token): signing out,
deactivating her or resetting her password bumps the version, and every cookie holding the old
one, on any device, signs nobody in. The sign-in time in the session bounds its lifetime, and
the time of her last request (renewed as she works) ends it after SESSION_IDLE_MINUTES without
one: she lands on the sign-in page told why, and returns to the page she asked for.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext
from flask_login import login_user

from grievance.extensions import db
from grievance.models import User

SIGN_IN_LIFETIME = timedelta(hours=12)
SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"
# Renewing the cookie on every request would rewrite it on every page; once a minute is enough.
RENEW_AFTER_SECONDS = 60
_SIGN_IN_KEYS = ("_user_id", "_fresh", "_id", SIGNED_IN_AT, LAST_SEEN)


def configure(app: Flask) -> None:
    lifetime = app.config.get("SIGN_IN_LIFETIME") or SIGN_IN_LIFETIME
    app.config["SIGN_IN_LIFETIME"] = lifetime
    # The signed cookie itself is refused once older than this, whatever it holds.
    app.config["PERMANENT_SESSION_LIFETIME"] = lifetime
    app.config["REMEMBER_COOKIE_DURATION"] = lifetime


def sign_in(user: User) -> None:
    login_user(user)  # no "remember me": the cookie goes when the browser closes
    session[SIGNED_IN_AT] = session[LAST_SEEN] = int(time.time())


def end_sessions(user: User) -> None:
    """Every session of this user, on every device, ends with her next request."""
    user.session_version = (user.session_version or 0) + 1


def load_user(token: str) -> User | None:
    """Flask-Login's user loader: the user only while her session version and lifetime hold."""
    user_id, _, version = token.partition(":")
    if not user_id.isdigit() or not version.isdigit() or len(user_id) > 18:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    signed_in_at = session.get(SIGNED_IN_AT)
    lifetime = current_app.config["SIGN_IN_LIFETIME"].total_seconds()
    now = time.time()
    if not isinstance(signed_in_at, int) or now - signed_in_at > lifetime:
        return None
    last_seen = session.get(LAST_SEEN)
    if not isinstance(last_seen, int) or now - last_seen > _idle_seconds():
        _end_idle_session()
        return None
    if now - last_seen >= RENEW_AFTER_SECONDS:
        session[LAST_SEEN] = int(now)
    return user


def _idle_seconds() -> int:
    return int(current_app.config.get("SESSION_IDLE_MINUTES") or 30) * 60


def _end_idle_session() -> None:
    for key in _SIGN_IN_KEYS:
        session.pop(key, None)
    g.session_idle_ended = True
    flash(gettext("You were signed out after %(minutes)s minutes without activity. Sign in again to go on.",
                  minutes=_idle_seconds() // 60))


def unauthorized():
    """Flask-Login's answer to a signed-out request for a page: the sign-in page, told why, with
    the path asked for (a same-site relative path; the sign-in page checks it again)."""
    if not g.get("session_idle_ended"):
        flash(gettext("Please sign in to see this page."))
    if request.method == "GET":
        target = request.full_path.rstrip("?")
    else:  # a form sent after the session ended: back to the page it was sent from, not to the action
        target = _same_site_path(request.referrer)
    return redirect(url_for("auth.login", next=target) if target else url_for("auth.login"))


def _same_site_path(url: str | None) -> str | None:
    """The path (and query) of a URL of this site, else None."""
    from urllib.parse import urlsplit

    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.path.startswith("/") else None
