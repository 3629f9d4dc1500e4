"""The queue's blueprint: only those who work cases get past it (others get a 404)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request
from flask_login import login_required

from grievance.access import current_viewer

bp = Blueprint("queue", __name__)


@bp.before_request
@login_required
def _signed_in():
    if request.endpoint != "queue.home" and not current_viewer().works_cases:
        abort(404)


@bp.get("/")
def home():
    """Each person's own start page (a factory manager's is not the queue)."""
    return redirect(current_viewer().landing())
