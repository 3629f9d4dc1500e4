"""The queue: the cases a PICC member or advisor works, in views with their counts, filters,
a box to go to a reference, and pages that carry the last row's sort key (never an offset)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import and_, bindparam, case as sql_case, func, or_, select, tuple_
from sqlalchemy.orm import selectinload
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from grievance.access import FULL, current_viewer
from grievance.extensions import db
from grievance.models import Case, Country, Factory, Message, User
from grievance.models.base import utcnow
from grievance.models.case import CLOSED, NEW, OPEN_STATUSES, RESOLVED, read_reference
from grievance.models.message import INBOUND
from grievance.web.labels import CATEGORY_LABELS
from grievance.web.queue.blueprint import bp

PAGE_SIZE = 25
COUNT_CAP = 1000
SNIPPET = 80
OPEN_VIEWS = ("open", "new", "mine", "overdue", "waiting", "replied", "escalated")
DONE_VIEWS = ("resolved", "closed")
VIEWS = OPEN_VIEWS + DONE_VIEWS
VIEW_LABELS = {
    "open": _l("All open"), "new": _l("New"), "mine": _l("Mine"), "overdue": _l("Overdue"),
    "waiting": _l("Waiting for the worker"), "replied": _l("Worker replied"), "escalated": _l("Escalated"),
    "resolved": _l("Resolved"), "closed": _l("Closed"),
}
NOBODY, ME = "nobody", "me"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class FindForm(FlaskForm):
    reference = StringField(_l("Go to reference"), validators=[DataRequired(), Length(max=40)])


def _open() -> object:
    # Written out as literals so PostgreSQL matches the partial indexes' predicate.
    return Case.status.in_(bindparam("open_statuses", OPEN_STATUSES, expanding=True, literal_execute=True))


def view_conditions(user_id: int | None, now: datetime) -> dict[str, object]:
    """Each view as a predicate on Case (within the viewer's scope, applied apart)."""
    is_open = _open()
    return {
        "open": is_open,
        "new": and_(is_open, Case.status == NEW),
        "mine": and_(is_open, Case.assignee_id == user_id),
        "overdue": and_(is_open, Case.due_at < now),
        "waiting": and_(is_open, Case.waiting_since.is_not(None)),
        "replied": and_(is_open, Case.worker_replied_at.is_not(None)),
        "escalated": and_(is_open, Case.escalation_level > 0),
        "resolved": Case.status == RESOLVED,
        "closed": Case.status == CLOSED,
    }


@dataclass
class Filters:
    category: str | None = None
    factory: Factory | None = None
    assignee: str | None = None  # "me", "nobody" or a user id
    problems: list[str] = field(default_factory=list)

    def predicates(self, user_id: int | None) -> list:
        found = []
        if self.category:
            found.append(Case.category == self.category)
        if self.factory is not None:
            found.append(Case.factory_id == self.factory.id)
        if self.assignee == NOBODY:
            found.append(Case.assignee_id.is_(None))
        elif self.assignee == ME:
            found.append(Case.assignee_id == user_id)
        elif self.assignee:
            found.append(Case.assignee_id == int(self.assignee))
        return found

    def params(self) -> dict[str, str]:
        return {key: value for key, value in (("category", self.category),
                                              ("factory", self.factory.code if self.factory else None),
                                              ("assignee", self.assignee)) if value}


def read_filters(args, factories: list[Factory], colleagues: list[User]) -> Filters:
    """The filters asked for; a value that is not one of the choices is named and not applied."""
    filters = Filters()
    category = args.get("category", "")
    if category in CATEGORY_LABELS:
        filters.category = category
    elif category:
        filters.problems.append(_l("There is no such category; the list is not filtered by category."))
    code = args.get("factory", "")
    by_code = {factory.code: factory for factory in factories}
    if code in by_code:
        filters.factory = by_code[code]
    elif code:
        filters.problems.append(_l("That factory is not among yours; the list is not filtered by factory."))
    assignee = args.get("assignee", "")
    if assignee in (ME, NOBODY) or assignee in {str(person.id) for person in colleagues}:
        filters.assignee = assignee
    elif assignee:
        filters.problems.append(_l("Nobody by that choice works these cases; the list is not filtered by person."))
    return filters


ROW_ID_MAX = 2**31 - 1
MICROS_MAX = 130 * 365 * 86400 * 10**6


def read_cursor(raw: str | None) -> tuple[datetime | None, int] | None:
    """``<microseconds since 1970 or n>.<id>``: the last row's sort key. Raises ValueError."""
    if not raw:
        return None
    moment, _, row_id = raw.partition(".")
    micros, ident = (None if moment == "n" else int(moment)), int(row_id)
    # Within what a row holds: an id of 32 bits, a moment between 1970 and 2100.
    if not 0 <= ident <= ROW_ID_MAX or (micros is not None and not 0 <= micros <= MICROS_MAX):
        raise ValueError("cursor out of range")
    return (None if micros is None else EPOCH + timedelta(microseconds=micros)), ident


def write_cursor(at: datetime | None, row_id: int) -> str:
    if at is None:
        return f"n.{row_id}"
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return f"{(at - EPOCH) // timedelta(microseconds=1)}.{row_id}"


def urgency(due: dict | None, now: datetime) -> str:
    """How the time left is coloured: overdue (red), under a day (amber)."""
    if not due or due.get("paused") or not due.get("left"):
        return ""
    if due["left"]["overdue"]:
        return "overdue"
    return "soon" if due["at"] - now < timedelta(days=1) else ""


def _order_and_after(view: str, after: tuple[datetime | None, int] | None):
    """Open views: most urgent first (due_at, nulls last, then id); done: most recently resolved."""
    if view in DONE_VIEWS:
        key, order = Case.resolved_at, (Case.resolved_at.desc().nulls_first(), Case.id.desc())
        if after is None:
            return order, None
        at, row_id = after
        if at is None:
            return order, or_(Case.resolved_at.is_not(None), and_(Case.resolved_at.is_(None), Case.id < row_id))
        return order, tuple_(key, Case.id) < tuple_(at, row_id)
    order = (Case.due_at.asc().nulls_last(), Case.id.asc())
    if after is None:
        return order, None
    at, row_id = after
    if at is None:
        return order, and_(Case.due_at.is_(None), Case.id > row_id)
    return order, or_(tuple_(Case.due_at, Case.id) > tuple_(at, row_id), Case.due_at.is_(None))


def count_views(scope, filters: list, conditions: dict) -> dict[str, int]:
    """Every view's count in one query over the viewer's scope: conditional aggregates over her
    open cases (few, by the partial indexes), and the resolved and closed ones counted up to
    COUNT_CAP (history grows without end; past the cap the page says "more than")."""
    done = {view: select(func.count()).select_from(
                select(Case.id).where(scope, conditions[view], *filters).limit(COUNT_CAP + 1).subquery()
            ).scalar_subquery() for view in DONE_VIEWS}
    row = db.session.execute(
        select(*(func.count(sql_case((conditions[view], 1))).label(view) for view in OPEN_VIEWS),
               *(done[view].label(view) for view in DONE_VIEWS))
        .where(scope, _open(), *filters)
    ).one()
    return {view: getattr(row, view) or 0 for view in VIEWS}


def latest_words(cases: list[Case]) -> dict[int, Message]:
    """Each case's latest message from her, in one query."""
    ids = [case.id for case in cases]
    if not ids:
        return {}
    latest = (select(func.max(Message.id)).where(Message.case_id.in_(ids), Message.direction == INBOUND)
              .group_by(Message.case_id))
    return {message.case_id: message for message in db.session.scalars(select(Message).where(Message.id.in_(latest)))}


def snippet(text: str, length: int = SNIPPET) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def _choices(viewer):
    factories = db.session.scalars(select(Factory).where(viewer.queue_factories()).order_by(Factory.name)).all()
    colleagues = db.session.scalars(select(User).where(viewer.colleagues()).order_by(User.name)).all()
    return factories, colleagues


def _render(*, form: FindForm | None = None, notice: str | None = None, status: int = 200,
            found: list[Case] | None = None):
    viewer, now = current_viewer(), utcnow()
    user_id = current_user.id
    factories, colleagues = _choices(viewer)
    filters = read_filters(request.args, factories, colleagues)
    problems = list(filters.problems)
    view = request.args.get("view", "open")
    if view not in VIEWS:
        problems.append(_l("There is no such view; all open cases are shown."))
        view = "open"
    try:
        after = read_cursor(request.args.get("after"))
    except (ValueError, OverflowError, OSError):
        problems.append(_l("That page link is damaged; the first page is shown."))
        after = None
    scope, filtered = viewer.case_rows(FULL), filters.predicates(user_id)
    conditions = view_conditions(user_id, now)
    counts = count_views(scope, filtered, conditions)
    order, after_condition = _order_and_after(view, after)
    if found is None:
        query = (select(Case).where(scope, conditions[view], *filtered)
                 .options(selectinload(Case.assignee)).order_by(*order).limit(PAGE_SIZE + 1))
        if after_condition is not None:
            query = query.where(after_condition)
        cases = list(db.session.scalars(query))
    else:
        cases = found
    more = len(cases) > PAGE_SIZE
    cases = cases[:PAGE_SIZE]
    next_url = None
    if more and found is None:
        last = cases[-1]
        key = last.resolved_at if view in DONE_VIEWS else last.due_at
        next_url = url_for("queue.index", view=view, **filters.params(), after=write_cursor(key, last.id))
    words = latest_words([case for case in cases if viewer.shows_words(case)])
    snippets = {case_id: (snippet(message.shown), message.language) for case_id, message in words.items()}
    if problems and status == 200:
        status = 400
    return render_template(
        "queue.html", cases=cases, view=view, views=VIEWS, view_labels=VIEW_LABELS, counts=counts,
        filters=filters, factories=factories if len(factories) > 1 else [], colleagues=colleagues,
        categories=CATEGORY_LABELS, problems=problems, notice=notice, next_url=next_url,
        first_url=url_for("queue.index", view=view, **filters.params()) if after else None,
        snippets=snippets, urgency=urgency, cap=COUNT_CAP, form=form or FindForm(prefix="find"), found=found is not None, now=now,
    ), status


@bp.get("/queue")
def index():
    return _render()


@bp.post("/queue/find")
def find():
    """Go to a reference: read as Crockford (O as 0, I and L as 1, any case, with or without the
    country and dash). A case outside her scope is not found, exactly like one that does not exist."""
    form = FindForm(prefix="find")
    if not form.validate():
        if form.csrf_token.errors:
            abort(400)
        return _render(form=form, notice=_l("Type a case reference, for example KH-7Q4K2M."), status=400)
    read = read_reference(form.reference.data)
    if read is None:
        return _render(form=form, status=400,
                       notice=_l("A case reference is two letters, a dash and six letters or digits, "
                                 "for example KH-7Q4K2M."))
    country, code = read
    references = ([f"{country}-{code}"] if country else
                  [f"{each}-{code}" for each in db.session.scalars(select(Country.code))])
    cases = db.session.scalars(select(Case).where(current_viewer().case_rows(FULL), Case.reference.in_(references))
                               .order_by(Case.id)).all()
    if len(cases) == 1:
        return redirect(url_for("queue.case", reference=cases[0].reference))
    if not cases:
        return _render(form=form, status=404, notice=_l("No case with that reference is in your queue."))
    return _render(form=form, found=list(cases), notice=_l("Several of your cases have that code: choose one."))
