"""/buyers: a buyer's page. For now it lists the factories that grant her organisation access
today and says what it will show (their follow-up summaries); nothing about any worker or case."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import login_required
from sqlalchemy import select

from grievance.access import current_viewer
from grievance.extensions import db
from grievance.models import Factory
from grievance.web.buyers.blueprint import bp


@bp.get("/buyers")
@login_required
def index():
    viewer = current_viewer()
    if not viewer.is_buyer:
        abort(404)
    factories = db.session.scalars(select(Factory).where(viewer.summary_factories()).order_by(Factory.name)).all()
    return render_template("buyers/index.html", factories=factories)
