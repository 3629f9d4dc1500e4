"""A person's notifications: reminders and escalations of the cases they are responsible for."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required
from grievance.extensions import db
from grievance.models import Notification
from grievance.models.base import utcnow
from grievance.web.forms import ActionForm
from grievance.workflows.notifications import mark_read, visible_notifications

bp = Blueprint("notifications", __name__)
SHOWN = 100


@bp.before_request
@login_required
def _signed_in():
    pass


@bp.get("/notifications")
def index():
    notifications = db.session.scalars(
        visible_notifications(current_user).order_by(Notification.id.desc()).limit(SHOWN)
    ).all()
    return render_template("notifications.html", notifications=notifications, form=ActionForm())


@bp.post("/notifications/read")
def read_all():
    if not ActionForm().validate_on_submit():
        abort(400)
    mark_read(db.session, current_user, utcnow())
    db.session.commit()
    return redirect(url_for("notifications.index"))
