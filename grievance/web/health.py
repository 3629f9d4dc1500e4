"""/healthz: the process answers. /readyz: its database (and Redis, when used) answer too, and
its compiled translations are there and current (else every worker would read English)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from grievance.extensions import db, queues
from grievance.language.catalogs import cached_worker_catalog_problems

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:
        db.session.rollback()
        checks["database"] = "unreachable"
    if queues.uses_redis:
        try:
            queues.connection().ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "unreachable"
    checks["translations"] = "ok" if not cached_worker_catalog_problems() else "missing or stale"
    ready = all(value == "ok" for value in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), (200 if ready else 503)
