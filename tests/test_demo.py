"""The demo shows an escalation within its first minute, and demo-clock makes time pass."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from grievance.extensions import db
from grievance.models import Case
from grievance.models.base import utcnow


def current_cases():
    """The demo's cases of these days (not its months of history, which the summaries draw on)."""
    return db.session.scalars(select(Case).where(Case.opened_at > utcnow() - timedelta(days=20))).all()


def test_the_first_sweep_of_the_demo_escalates_a_late_case_and_mails_absolute_links(make_app):
    app = make_app(PUBLIC_BASE_URL="http://127.0.0.1:5077")
    with app.app_context():
        runner = app.test_cli_runner()
        seeded = runner.invoke(args=["demo-data"])
        assert seeded.exit_code == 0, seeded.output
        assert "factory@example.org" in seeded.output and "http://127.0.0.1:5077/factory" in seeded.output
        assert "demo-password-picc" in seeded.output
        assert not any(case.escalation_level for case in current_cases())
        history = db.session.scalar(select(func.count(Case.id)))
        assert history > 100 and "past cases" in seeded.output

        swept = runner.invoke(args=["sweep"])
        assert swept.exit_code == 0, swept.output
        escalated = [case for case in current_cases() if case.escalation_level]
        assert len(escalated) == 1 and escalated[0].category == "wages"
        assert f"http://127.0.0.1:5077/cases/{escalated[0].reference}" in swept.output
        assert "+62812" not in swept.output

        again = runner.invoke(args=["demo-data"])
        assert again.exit_code == 0 and len(current_cases()) == 4
        assert db.session.scalar(select(func.count(Case.id))) == history


def test_demo_clock_advance_makes_the_other_cases_late(make_app):
    app = make_app()
    with app.app_context():
        runner = app.test_cli_runner()
        runner.invoke(args=["demo-data"])
        runner.invoke(args=["sweep"])
        fresh = db.session.scalar(select(Case).where(Case.category == "hours_leave"))
        before = fresh.acknowledge_by
        moved = runner.invoke(args=["demo-clock", "advance", "7d"])
        assert moved.exit_code == 0, moved.output
        db.session.expire_all()
        assert (before - fresh.acknowledge_by).days == 7
        runner.invoke(args=["sweep"])
        db.session.expire_all()
        assert fresh.escalation_level >= 1
        assert runner.invoke(args=["demo-clock", "advance", "soon"]).exit_code != 0

