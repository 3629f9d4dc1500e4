"""/programme and /programme/countries, with their CSV files. The views only choose the
country and the period; what is shown, and to whom, is report.py's (None answers 404)."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import login_required

from grievance.access import current_viewer
from grievance.extensions import db
from grievance.models import Country
from grievance.models.base import utcnow
from grievance.web.programme.blueprint import bp
from grievance.web.summary_pages import chosen_period, csv_of, found, offered, summary_context


def _viewer():
    viewer = current_viewer()
    if not viewer.sees_programme:
        abort(404)
    return viewer


def _country(viewer) -> Country:
    """?country=<code>, one of hers; without it, her first."""
    codes = viewer.programme_countries()
    code = request.args.get("country", "").upper() or (codes[0] if codes else "")
    country = db.session.get(Country, code) if code in codes else None
    if country is None:
        abort(404)
    return country


def _country_summary():
    viewer = _viewer()
    country = _country(viewer)
    from grievance.summaries import report

    now = utcnow()
    periods = offered(now, [country.timezone])
    period = chosen_period(periods)
    return country, periods, found(report.country_summary(db.session, viewer, country.code, period, now))


def _countries_summary():
    viewer = _viewer()
    from grievance.summaries import report

    now = utcnow()
    zones = [country.timezone for country in db.session.scalars(db.select(Country))]
    periods = offered(now, zones)
    period = chosen_period(periods)
    return periods, found(report.countries_summary(db.session, viewer, period, now))


@bp.get("/programme")
@login_required
def index():
    country, periods, summary = _country_summary()
    countries = db.session.scalars(db.select(Country).where(Country.code.in_(current_viewer().programme_countries()))
                                   .order_by(Country.name)).all()
    return render_template("programme/index.html", country=country, countries=countries,
                           **summary_context(summary, periods, "programme.index", "programme.summary_csv",
                                             country=country.code))


@bp.get("/programme/summary.csv")
@login_required
def summary_csv():
    country, _periods, summary = _country_summary()
    return csv_of(summary, country.code)


@bp.get("/programme/countries")
@login_required
def countries():
    periods, summary = _countries_summary()
    return render_template("programme/countries.html",
                           **summary_context(summary, periods, "programme.countries", "programme.countries_csv"))


@bp.get("/programme/countries.csv")
@login_required
def countries_csv():
    _periods, summary = _countries_summary()
    return csv_of(summary, "countries")
