"""The jobs that send a survey's or announcement's run, one batch at a time
(``workflows/surveys/dispatch.py`` does the work)."""

from __future__ import annotations

from flask import current_app

from grievance.extensions import db, queues
from grievance.models.base import utcnow
from grievance.queueing import job
from grievance.workflows.surveys.dispatch import runs_overdue, send_batch


@job
def send_run_batch(run_id: int) -> dict:
    """Send the run's next batch, commit, and come back when the one after it is due."""
    now = utcnow()
    result = send_batch(db.session, run_id, now)
    db.session.commit()
    if result.next_at is not None:
        queues.enqueue_in((result.next_at - now).total_seconds(), send_run_batch, run_id)
    return {"sent": result.sent, "skipped": result.skipped, "status": result.status}


@job
def requeue_runs() -> int:
    """Cron: a running run whose next batch never came (its job lost with Redis or a worker)
    gets a batch job again; a second job for a run waits its turn, so none doubles the rate."""
    overdue = runs_overdue(db.session, utcnow(), current_app.config["REQUEUE_STALE_SECONDS"])
    for run_id in overdue:
        queues.defer(send_run_batch, run_id)
    db.session.commit()
    return len(overdue)
