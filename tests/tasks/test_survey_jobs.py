"""A run's batches as jobs: a run whose batch job was lost is given one again by the round."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from grievance.extensions import db
from grievance.models import Message, SurveyRun
from grievance.models.base import utcnow
from grievance.models.survey import FINISHED, RUNNING
from grievance.tasks.surveys import requeue_runs
from grievance.workflows.surveys.dispatch import pause_run, resume_run, start_run
from grievance.workflows.surveys.planning import plan_run
from tests import factories
from tests.surveys import builders
from tests.surveys.apps import simulator_app  # noqa: F401  (the app: the simulator its only channel)


def test_a_running_run_whose_batch_job_was_lost_gets_one_from_the_round(app, run_jobs):
    factory = factories.factory()
    now = utcnow() - timedelta(minutes=10)
    builders.subscribers(factory=factory, count=4, now=now)
    run = plan_run(db.session, survey=builders.announcement(now=now), factory=factory, actor=None, now=now)
    start_run(db.session, run, None, now)
    pause_run(db.session, run, None, now)  # its first job finds it paused and ends
    db.session.commit()
    run_jobs()
    # Resumed, but as if the job that resume gave it was lost (Redis away).
    resume_run(db.session, run, None, now)
    db.session.info.pop("grievance.pending_jobs", None)
    db.session.commit()
    run_jobs()
    assert db.session.get(SurveyRun, run.id).status == RUNNING
    assert requeue_runs() == 1
    run_jobs()
    db.session.expire_all()
    assert db.session.get(SurveyRun, run.id).status == FINISHED
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.run_id == run.id)) == 4
    assert requeue_runs() == 0
