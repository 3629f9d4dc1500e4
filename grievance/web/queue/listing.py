"""The queue: the cases a PICC member or advisor works, most urgent first."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from grievance.access import FULL, current_viewer
from grievance.extensions import db
from grievance.models import Case
from grievance.models.case import CLOSED, RESOLVED
from grievance.web.queue.blueprint import bp


@bp.get("/queue")
def index():
    # Earliest deadline first (the late ones are those), by the indexed due_at.
    cases = db.session.scalars(
        select(Case).where(current_viewer().case_rows(FULL))
        .where(Case.status.not_in((RESOLVED, CLOSED)))
        .order_by(Case.due_at.asc().nulls_last(), Case.id)
        .limit(500)
    ).all()
    return render_template("queue.html", cases=cases)
