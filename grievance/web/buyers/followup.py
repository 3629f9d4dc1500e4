"""The buyers' follow-up log of one factory: one line per committee case opened in a closed
period, saying how it was followed up, never who or what she wrote.

A line holds the coarse category, the month it was opened (never the day; only when that
month's cases in the log come from ``min_workers`` workers too, else the period's name), whether
it was acknowledged and resolved in time, how it ended, and the committee's follow-up note
(checked on the case page for references, numbers, dates, names and addresses). Lines are sorted by what they say,
not by case id or date, so their order tells nothing about who came first. The log is shown
only when the period's committee cases come from at least ``min_workers`` distinct workers:
with fewer, a line could point at one person. Advisor cases never appear (buyers see them as
one count per quarter on the summaries)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask import Response, abort, render_template
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select

from grievance.access import current_viewer
from grievance.extensions import db
from grievance.models import Case, Factory
from grievance.models.base import utcnow
from grievance.models.case import ROUTE_PICC
from grievance.summaries.disclosure import thresholds
from grievance.summaries.periods import Period, month_of
from grievance.summaries.report import offered_periods
from grievance.web.buyers.blueprint import bp
from grievance.web.labels import OUTCOME_LABELS, coarse_label, label
from grievance.web.summary_csv import _cell as csv_cell
from grievance.web.summary_pages import chosen_period

IN_TIME = {True: _l("yes"), False: _l("no"), None: _l("not yet")}
COLUMNS = (_l("Category"), _l("Month opened"), _l("Acknowledged in time"), _l("Resolved in time"),
           _l("Outcome"), _l("Follow-up note"))


@dataclass(frozen=True)
class Line:
    category: str
    month: str
    acknowledged: str
    resolved: str
    outcome: str
    note: str
    # The month was too thin to name: ``month`` holds the period's name instead.
    month_withheld: bool = field(default=False, compare=False)

    def cells(self) -> tuple[str, ...]:
        return (self.category, self.month, self.acknowledged, self.resolved, self.outcome, self.note)


def _factory_and_period(code: str) -> tuple[Factory, Period]:
    """404 unless she may read this factory's log, and the period is one the picker offers."""
    factory = db.session.scalar(select(Factory).where(Factory.code == code)) if len(code) <= 32 else None
    if factory is None or not current_viewer().may_read_followup_log(factory):
        abort(404)
    return factory, chosen_period(offered_periods(utcnow(), factory.timezone))


def in_time(done: datetime | None, due: datetime | None, now: datetime) -> bool | None:
    """True if done by its deadline; False if done late, or not done once the deadline passed
    (as the summaries count it); None while it may still be done in time."""
    if done is not None:
        return due is not None and done <= due
    return False if due is not None and due <= now else None


def followup_lines(factory: Factory, period: Period) -> list[Line] | None:
    """The log's lines, or None when too few workers are behind them to show any."""
    start, end = period.utc_bounds(factory.timezone)
    cases = db.session.scalars(select(Case).where(Case.factory_id == factory.id, Case.route == ROUTE_PICC,
                                                  Case.opened_at >= start, Case.opened_at < end)).all()
    least = thresholds().min_workers
    if len({case.worker_id for case in cases}) < least:
        return None
    workers_by_month: dict[Period, set[int]] = defaultdict(set)
    for case in cases:
        workers_by_month[month_of(case.opened_at, factory.timezone)].add(case.worker_id)
    now = utcnow()

    def line(case: Case) -> Line:
        month = month_of(case.opened_at, factory.timezone)
        named = len(workers_by_month[month]) >= least
        return Line(category=coarse_label(case.category),
                    month=format_date(month.start, "LLLL y") if named else period.label(),
                    acknowledged=str(IN_TIME[in_time(case.acknowledged_at, case.acknowledge_by, now)]),
                    resolved=str(IN_TIME[in_time(case.resolved_at, case.resolve_by, now)]),
                    outcome=label(case.outcome_code, OUTCOME_LABELS) if case.outcome_code else "—",
                    note=case.followup_note or "", month_withheld=not named)

    return sorted((line(case) for case in cases),
                  key=lambda one: (one.category, one.outcome, one.note, one.month, one.acknowledged, one.resolved))


@bp.get("/buyers/factories/<code>/followup")
@login_required
def followup(code: str):
    factory, period = _factory_and_period(code)
    lines = followup_lines(factory, period)
    return render_template("buyers/followup.html", factory=factory, period=period, columns=COLUMNS, lines=lines,
                           min_workers=thresholds().min_workers, withheld=any(one.month_withheld for one in lines or ()),
                           offered=offered_periods(utcnow(), factory.timezone))


@bp.get("/buyers/factories/<code>/followup.csv")
@login_required
def followup_csv(code: str):
    factory, period = _factory_and_period(code)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(column) for column in COLUMNS])
    for line in followup_lines(factory, period) or []:
        writer.writerow([csv_cell(cell) for cell in line.cells()])
    # A byte-order mark, as on the summaries' CSV files: a spreadsheet then reads Khmer or Arabic
    # notes as UTF-8.
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="followup-{factory.code}-{period.key}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
