"""Sign-in sessions that end on the server: at sign-out, at deactivation, after a working day.

Flask keeps the session in a signed cookie, which the server cannot take back. So the user id
in it carries the user's session version (Flask-Login's alternative token): signing out,
deactivating her or resetting her password bumps the version, and every cookie holding the old
one, on any device, signs nobody in. The sign-in time in the session bounds its lifetime.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask, current_app, session
from flask_login import login_user

from grievance.extensions import db
from grievance.models import User

SIGN_IN_LIFETIME = timedelta(hours=12)
SIGNED_IN_AT = "signed_in_at"


def configure(app: Flask) -> None:
    lifetime = app.config.get("SIGN_IN_LIFETIME") or SIGN_IN_LIFETIME
    app.config["SIGN_IN_LIFETIME"] = lifetime
    # The signed cookie itself is refused once older than this, whatever it holds.
    app.config["PERMANENT_SESSION_LIFETIME"] = lifetime
    app.config["REMEMBER_COOKIE_DURATION"] = lifetime


def sign_in(user: User) -> None:
    login_user(user)  # no "remember me": the cookie goes when the browser closes
    session[SIGNED_IN_AT] = int(time.time())


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
    if not isinstance(signed_in_at, int) or time.time() - signed_in_at > lifetime:
        return None
    return user
