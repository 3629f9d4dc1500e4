"""The log of every change admins make: who, when, what. Numbers appear masked; passwords and
tokens never."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import AdminEvent
from grievance.models.base import utcnow
from grievance.web.admin.blueprint import bp

PAGE_SIZE = 50


def record(area: str, action: str, subject: str, **data: Any) -> AdminEvent:
    """Add the change to the log in the same transaction as the change itself."""
    event = AdminEvent(at=utcnow(), actor_user_id=current_user.id if current_user.is_authenticated else None,
                       area=area, action=action, subject=subject[:200],
                       data={key: value for key, value in data.items() if value is not None})
    db.session.add(event)
    return event


def _before() -> int | None:
    value = request.args.get("before", "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.get("/log")
def log():
    """Newest first, by keyset on the id (no offsets: the log only grows)."""
    query = select(AdminEvent).order_by(AdminEvent.id.desc()).limit(PAGE_SIZE + 1)
    before = _before()
    if before is not None:
        query = query.where(AdminEvent.id < before)
    events = db.session.scalars(query).all()
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    return render_template("admin/log.html", events=events,
                           next_before=events[-1].id if more and events else None, first_page=before is None)
