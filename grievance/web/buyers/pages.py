"""/buyers: a buyer's people read the follow-up summaries of the factories that grant her
organisation access today: combined and side by side, or one factory; each table also as CSV.
Nothing about any worker or case: report.py words every figure for buyers (None answers 404)."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import login_required
from sqlalchemy import select

from grievance.access import current_viewer
from grievance.extensions import db
from grievance.models import Factory
from grievance.models.base import utcnow
from grievance.web.buyers.blueprint import bp
from grievance.web.summary_pages import chosen_period, csv_of, found, offered, summary_context


def _viewer():
    viewer = current_viewer()
    if not viewer.is_buyer:
        abort(404)
    return viewer


def _factories(viewer) -> list[Factory]:
    return db.session.scalars(select(Factory).where(viewer.summary_factories()).order_by(Factory.name)).all()


def _combined():
    viewer = _viewer()
    factories = _factories(viewer)
    if not factories:
        return factories, [], None
    from grievance.summaries import report

    now = utcnow()
    periods = offered(now, [factory.timezone for factory in factories])
    period = chosen_period(periods)
    return factories, periods, found(report.buyer_summary(db.session, viewer, period, now))


def _one(code: str):
    viewer = _viewer()
    factory = next((factory for factory in _factories(viewer) if factory.code == code), None)
    if factory is None:
        abort(404)
    from grievance.summaries import report

    now = utcnow()
    periods = offered(now, [factory.timezone])
    period = chosen_period(periods)
    return factory, periods, found(report.factory_summary(db.session, viewer, factory, period, now))


@bp.get("/buyers")
@login_required
def index():
    factories, periods, summary = _combined()
    context = summary_context(summary, periods, "buyers.index", "buyers.summary_csv") if summary else {}
    return render_template("buyers/index.html", factories=factories, **context)


@bp.get("/buyers/summary.csv")
@login_required
def summary_csv():
    _factories_, _periods, summary = _combined()
    return csv_of(summary, "factories")


@bp.get("/buyers/factories/<code>")
@login_required
def factory(code: str):
    found_factory, periods, summary = _one(code)
    from grievance.summaries.surveys import results_runs

    runs = results_runs(db.session, current_viewer(), found_factory, utcnow())
    return render_template("buyers/factory.html", factory=found_factory, survey_runs=runs,
                           **summary_context(summary, periods, "buyers.factory", "buyers.factory_csv",
                                             code=found_factory.code))


@bp.get("/buyers/factories/<code>/summary.csv")
@login_required
def factory_csv(code: str):
    found_factory, _periods, summary = _one(code)
    return csv_of(summary, found_factory.code)
