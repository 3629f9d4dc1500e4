"""The factory manager's list of committee cases and one case's status page.

Every query goes through the viewer's status-grade rows, so a case she may not see (an advisor
case, another factory's) is absent from lists and counts and answers 404 like one that does not
exist. Internal notes and the who-read log are never read here; history shows only the event
kinds in SAFE_EVENTS, and her words only where ``viewer.shows_words(case)``.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import login_required
from sqlalchemy import func, select

from grievance.access import STATUS, current_viewer
from grievance.extensions import db
from grievance.models import Case, CaseEvent, Factory, Message
from grievance.models.case import OPEN_STATUSES
from grievance.models.base import utcnow
from grievance.web.factory.blueprint import bp
from grievance.web.factory.panel import access_panel

PAGE_SIZE = 25
# Steps of a case a factory's management may follow. Not the committee's replies or the worker's
# added messages (those are words, shown apart and only when she agreed), not flood flags.
SAFE_EVENTS = ("opened", "acknowledged", "resolved", "closed", "reopened", "reminder", "overdue", "escalated",
               "waiting_on_worker", "clock_resumed")


def _viewer():
    viewer = current_viewer()
    if not viewer.follows_factory:
        abort(404)
    return viewer


def _counts(rows) -> dict[str, int]:
    now = utcnow()
    open_rows = (rows, Case.status.in_(OPEN_STATUSES))
    late = ((Case.acknowledge_overdue_at.is_not(None)) | (Case.resolve_overdue_at.is_not(None))
            | (Case.due_at < now))

    def count(*where) -> int:
        return db.session.scalar(select(func.count(Case.id)).where(*where)) or 0

    return {"open": count(*open_rows), "late": count(*open_rows, late),
            "escalated": count(*open_rows, Case.escalation_level > 0), "all": count(rows)}


@bp.get("/factory")
@login_required
def index():
    return render_index()


def render_index(access_forms: dict | None = None, status: int = 200):
    """Her factory's page; ``access_forms`` (by factory id) keep a grant form with its errors."""
    viewer = _viewer()
    rows = viewer.case_rows(STATUS)
    factories = db.session.scalars(select(Factory).where(viewer.summary_factories()).order_by(Factory.name)).all()
    query = select(Case).where(rows)
    after = request.args.get("after", "")
    if after:
        if not after.isdigit() or len(after) > 10:
            abort(404)
        last = db.session.scalar(select(Case).where(rows, Case.id == int(after)))
        if last is None:
            abort(404)
        query = query.where((Case.opened_at < last.opened_at)
                            | ((Case.opened_at == last.opened_at) & (Case.id < last.id)))
    cases = db.session.scalars(query.order_by(Case.opened_at.desc(), Case.id.desc()).limit(PAGE_SIZE + 1)).all()
    more = len(cases) > PAGE_SIZE
    cases = cases[:PAGE_SIZE]
    access_forms = access_forms or {}
    panels = [access_panel(factory, access_forms.get(factory.id)) for factory in factories
              if viewer.may_grant(factory)]
    return render_template("factory/index.html", factories=factories, cases=cases, counts=_counts(rows),
                           next_after=cases[-1].id if more else None, first_page=not after,
                           access_panels=panels), status


@bp.get("/factory/cases/<reference>")
@login_required
def case(reference: str):
    viewer = _viewer()
    found = viewer.visible_case(reference, STATUS) if len(reference) <= 16 else None
    if found is None:
        abort(404)
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == found.id,
                                                        CaseEvent.kind.in_(SAFE_EVENTS))
                                .order_by(CaseEvent.at, CaseEvent.id)).all()
    words = []
    if viewer.shows_words(found):
        words = db.session.scalars(select(Message).where(Message.case_id == found.id,
                                                         Message.direction == "inbound")
                                   .order_by(Message.id)).all()
    return render_template("factory/case.html", case=found, events=events, words=words)
