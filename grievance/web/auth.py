"""Sign in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from grievance.access import Viewer, current_viewer
from grievance.extensions import db, limiter
from grievance.models import User
from grievance.passwords import check_password
from grievance.web.sessions import end_sessions, sign_in

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def _safe_next(target: str | None, user: User | None = None) -> str:
    """A path on this site, or the person's own start page. Control characters (which would break the Location
    header, and which browsers drop) and backslashes (which browsers read as slashes, making
    "/\\evil.example" another site) never pass."""
    if target and not any(ch < " " or ch in "\x7f\\" for ch in target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return Viewer.for_user(user).landing() if user is not None else current_viewer().landing()


def _email_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])  # per address (behind PROXY_FIX_X_FOR proxies)
@limiter.limit("5 per minute; 20 per hour", methods=["POST"], key_func=_email_key)  # per account
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if check_password(user, form.password.data) and user.is_active:
            sign_in(user)
            return redirect(_safe_next(request.args.get("next"), user))
        form.password.errors.append(_("Wrong email or password."))
    return render_template("login.html", form=form), (200 if request.method == "GET" else 400)


@bp.get("/languages")
def languages():
    """Every page language by its own name, on a page of its own (so that other pages need not
    download every script's font to name them)."""
    return render_template("languages.html", next=_safe_next(request.args.get("next")))


@bp.post("/language")
def choose_language():
    """The language switcher: kept on the account when signed in, in the session otherwise."""
    from flask import session

    from grievance.i18n.pages import UI_LOCALES

    language = request.form.get("language")
    if language in UI_LOCALES:
        if current_user.is_authenticated:
            current_user.language = language
            db.session.commit()
        else:
            session["language"] = language
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    # A POST with a CSRF token (checked by CSRFProtect), so no link can sign someone out.
    # Ending her sessions on the server means a copied cookie is worthless now, on every
    # device she used (she signs in again on those).
    if current_user.is_authenticated:
        end_sessions(current_user)
        db.session.commit()
    logout_user()
    flash(_("You are signed out."))
    return redirect(url_for("auth.login"))
