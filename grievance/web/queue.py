"""The committee's queue and case pages (PICC members, advisors)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from grievance.access import can_work_queue, visible_case, visible_cases
from grievance.channels.twilio.media import MediaUnavailable, fetch_media, is_safe_inline
from grievance.extensions import db
from grievance.models import Case, Message
from grievance.models.base import utcnow
from grievance.models.case import ACKNOWLEDGED, CLOSED, NEW, RESOLVED
from grievance.workflows.events import record

bp = Blueprint("queue", __name__)


class ActionForm(FlaskForm):
    """A button: the form only carries the CSRF token."""


@bp.before_request
@login_required
def _signed_in():
    if not can_work_queue(current_user):
        abort(404)


@bp.get("/")
def home():
    return redirect(url_for("queue.index"))


@bp.get("/queue")
def index():
    cases = db.session.scalars(
        visible_cases(current_user)
        .where(Case.status.not_in((RESOLVED, CLOSED)))
        .order_by(Case.acknowledge_by, Case.id)
        .limit(500)
    ).all()
    return render_template("queue.html", cases=cases)


@bp.get("/cases/<reference>")
def case(reference: str):
    found = visible_case(current_user, reference)
    if found is None:
        abort(404)
    db.session.refresh(found)
    return render_template("case.html", case=found, form=ActionForm())


@bp.get("/cases/<reference>/media/<int:message_id>/<int:index>")
def media(reference: str, message_id: int, index: int):
    """A photo or document of the case, fetched from Twilio on demand and never stored here."""
    found = visible_case(current_user, reference)
    message = db.session.get(Message, message_id) if found else None
    if message is None or message.case_id != found.id or not message.media or index >= len(message.media):
        abort(404)
    try:
        fetched = fetch_media(message.media[index]["url"])
    except MediaUnavailable as error:
        return render_template("error.html", title=_("The attachment cannot be shown"), text=error.reason), \
            error.status
    response = Response(fetched.content, mimetype=fetched.content_type)
    disposition = "inline" if is_safe_inline(fetched.content_type) else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{found.reference}-{message_id}-{index}"'
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/cases/<reference>/acknowledge")
def acknowledge(reference: str):
    found = visible_case(current_user, reference)
    if found is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if found.status == NEW:
        found.status = ACKNOWLEDGED
        record(db.session, found, "acknowledged", utcnow(), actor_user_id=current_user.id)
        db.session.commit()
        flash(_("Case %(reference)s acknowledged.", reference=found.reference))
    return redirect(url_for("queue.case", reference=found.reference))
