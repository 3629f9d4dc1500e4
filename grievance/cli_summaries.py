"""flask --app grievance summaries refresh [--all]: bring the summaries' facts up to date
(summaries/facts.py); cron does the same every minute."""

from __future__ import annotations

import click

from grievance.extensions import db
from grievance.models.base import utcnow
from grievance.summaries import facts


@click.group("summaries")
def summaries() -> None:
    """The follow-up summaries' stored facts."""


@summaries.command("refresh")
@click.option("--all", "everything", is_flag=True, help="recompute every factory and period from the cases")
def refresh(everything: bool) -> None:
    """Recompute the facts of the cases changed since the last refresh (or all of them)."""
    now = utcnow()
    recomputed = facts.rebuild(db.session, now) if everything else facts.refresh(db.session, now)
    click.echo(f"summaries: {recomputed} factory-months recomputed, up to date at {now:%Y-%m-%d %H:%M:%S} UTC")
