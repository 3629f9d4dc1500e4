"""The page a one-time link opens: she sets her password. Public, gated by the link's token.
The token leaves the address bar at once (kept in her session), so it is not in the history
or in any later request's log line."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, ValidationError

from grievance.access.resets import EXPIRED, USED, VALID, find_reset, use_reset
from grievance.extensions import db, limiter
from grievance.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, hash_password, password_problem

bp = Blueprint("password", __name__)
TOKEN_KEY = "password_reset_token"


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired()])
    again = PasswordField(_l("The same password again"), validators=[DataRequired()])

    def validate_password(self, field):
        problem = password_problem(field.data)
        if problem == "too_short":
            raise ValidationError(_("At least %(count)s characters, please.", count=PASSWORD_MIN_LENGTH))
        if problem:
            raise ValidationError(_("At most %(count)s characters, please.", count=PASSWORD_MAX_LENGTH))

    def validate_again(self, field):
        if self.password.data and field.data != self.password.data:
            raise ValidationError(_("The two passwords differ."))


@bp.get("/password/reset/<token>")
@limiter.limit("20 per minute")
def reset_link(token: str):
    session[TOKEN_KEY] = token[:100]
    return redirect(url_for("password.reset"))


def _gone(state: str):
    if state == USED:
        text, status = _("This link was already used. Ask an administrator for a new one."), 410
    elif state == EXPIRED:
        text, status = _("This link has expired. Ask an administrator for a new one."), 410
    else:
        text, status = _("This link does not work. Check that you copied all of it, or ask for a new one."), 404
    return render_template("error.html", title=_("Set your password"), text=text), status


@bp.route("/password/reset", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset():
    state, found = find_reset(db.session, session.get(TOKEN_KEY) or "")
    if state != VALID:
        return _gone(state)
    form = NewPasswordForm()
    if form.validate_on_submit():
        if not use_reset(db.session, found, hash_password(form.password.data)):
            db.session.rollback()
            return _gone(USED)
        db.session.commit()
        session.pop(TOKEN_KEY, None)
        if current_user.is_authenticated:
            logout_user()
        flash(_("Your password is set. Sign in with it now."))
        return redirect(url_for("auth.login"))
    return render_template("password_reset.html", form=form, person=found.user,
                           min_length=PASSWORD_MIN_LENGTH), (400 if form.is_submitted() else 200)
