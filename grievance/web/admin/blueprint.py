"""The administration's blueprint: admins only (anyone else gets a 404, as for a page that is not there)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import login_required
from sqlalchemy import select

from grievance.access import current_viewer
from grievance.extensions import db
from grievance.models import Country

bp = Blueprint("admin", __name__)


@bp.before_request
@login_required
def _admins_only():
    if not current_viewer().may_admin():
        abort(404)


@bp.get("/")
def index():
    countries = db.session.scalars(select(Country).order_by(Country.name)).all()
    return render_template("admin/index.html", countries=countries)
