"""A person's notifications: reminders and escalations of the cases they are responsible for."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from grievance.access import case_scope
from grievance.extensions import db
from grievance.models import Case, Notification
from grievance.models.base import utcnow
from grievance.web.queue import ActionForm
from grievance.workflows.notifications import mark_read

bp = Blueprint("notifications", __name__)
SHOWN = 100


@bp.before_request
@login_required
def _signed_in():
    pass


@bp.get("/notifications")
def index():
    notifications = db.session.scalars(
        select(Notification).join(Case, Case.id == Notification.case_id)
        .where(Notification.user_id == current_user.id, case_scope(current_user))
        .order_by(Notification.id.desc()).limit(SHOWN)
    ).all()
    return render_template("notifications.html", notifications=notifications, form=ActionForm())


@bp.post("/notifications/read")
def read_all():
    if not ActionForm().validate_on_submit():
        abort(400)
    mark_read(db.session, current_user, utcnow())
    db.session.commit()
    return redirect(url_for("notifications.index"))
