"""/factory: a factory manager's page. For now it names her factory and says what it will show
(the follow-up status of its committee cases); nothing about any worker or case."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import login_required
from sqlalchemy import select

from grievance.access import current_viewer
from grievance.extensions import db
from grievance.models import Factory

bp = Blueprint("factory", __name__)


@bp.get("/factory")
@login_required
def index():
    viewer = current_viewer()
    if not viewer.follows_factory:
        abort(404)
    factories = db.session.scalars(select(Factory).where(viewer.summary_factories()).order_by(Factory.name)).all()
    return render_template("factory/index.html", factories=factories)
