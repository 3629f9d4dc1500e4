"""The workflow tier keeps its promises: what a test commits is seen by nobody else and undone
at the end, and no job a commit hands over ever runs."""

from __future__ import annotations

from sqlalchemy import func, select

from grievance.extensions import db, queues
from grievance.models import Factory
from tests import factories

ran: list[int] = []


def _job(value: int) -> None:
    ran.append(value)


def test_a_commit_releases_a_savepoint_that_no_other_connection_sees(session, workflow_engine):
    factories.factory(code="IDN-0042")  # commits
    assert session.scalar(select(func.count(Factory.id)).where(Factory.code == "IDN-0042")) == 1
    assert db.session() is session
    with workflow_engine.connect() as other:
        assert other.scalar(select(func.count(Factory.id)).where(Factory.code == "IDN-0042")) == 0


def test_a_committed_job_is_handed_over_but_never_run(session, deferred):
    factories.factory()
    queues.defer(_job, 1)
    session.commit()
    queues.submit(_job, 2)
    assert [(func, args) for func, args, _options in deferred] == [(_job, (1,)), (_job, (2,))]
    assert ran == []


def test_rolled_back_work_is_forgotten_and_its_jobs_are_not_handed_over(session, deferred):
    queues.defer(_job, 3)
    session.rollback()
    session.commit()
    assert deferred == [] and ran == []


def test_the_next_test_starts_from_the_migrated_rows(session):
    # The tests above committed factories; the rollback undid them.
    assert session.scalar(select(func.count(Factory.id))) == 0
