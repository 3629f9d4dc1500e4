"""`flask summaries refresh [--all]`, run as an operator would (and as cron does every minute)."""

from __future__ import annotations

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Factory
from grievance.summaries import facts
from grievance.summaries.periods import month_of
from tests import factories


def test_summaries_refresh_builds_the_facts_then_only_what_changed(app):
    with app.app_context():
        factories.factory()
        opened = factories.case().opened_at
        factory_id = db.session.scalar(select(Factory.id))
    runner = app.test_cli_runner()

    first = runner.invoke(args=["summaries", "refresh"])
    again = runner.invoke(args=["summaries", "refresh", "--all"])

    assert first.exit_code == 0, first.output
    assert "12 factory-months recomputed" in first.output  # the first run: this year, month by month
    assert "12 factory-months recomputed" in again.output
    with app.app_context():
        month = month_of(opened, "Asia/Jakarta")
        found = facts.load(db.session, [factory_id], [month])
        assert found[(factory_id, month.key, "picc")].cases == 1
        assert facts.refreshed_at(db.session) is not None
