"""The access world of tests/access, with an API token for each of its people."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

import grievance.summaries
from grievance.access.tokens import create_token
from grievance.extensions import db
from grievance.models import User
from grievance.summaries.periods import Period
from grievance.summaries.tables import COUNT, SHARE, SMALL, Column, Figure, Row, Summary, Table
from tests.access import world as worlds

REPORT_FUNCTIONS = ("factory_summary", "buyer_summary", "country_summary", "countries_summary")
REFRESHED = datetime(2026, 10, 1, 2, 0, tzinfo=timezone.utc)


@dataclass
class ApiWorld:
    world: worlds.World
    tokens: dict[str, str]

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def user(self, role: str) -> User:
        return db.session.scalar(select(User).where(User.email == self.world.emails[role]))


@pytest.fixture
def api(app) -> ApiWorld:
    world = worlds.build()
    tokens = {}
    for role, email in world.emails.items():
        user = db.session.scalar(select(User).where(User.email == email))
        tokens[role] = create_token(user, "tests")[1]
    db.session.commit()
    return ApiWorld(world, tokens)


@pytest.fixture
def call(client, api):
    """call(role, method, path, **kwargs): the API as one of the world's people calls it."""

    def request(role: str | None, method: str, path: str, **kwargs):
        headers = {**(api.headers(role) if role else {}), **kwargs.pop("headers", {})}
        return client.open(path, method=method, headers=headers, **kwargs)

    return request


def hand_built_summary(subject: str, period: Period) -> Summary:
    """A summary as the report hands it over: suppressed figures included."""
    columns = [Column("workers", "Workers"), Column("in_time", "Resolved in time")]
    rows = [Row("wages", "Wages", {"workers": Figure(COUNT, 12, 12), "in_time": Figure(SHARE, 0.75, 12)}),
            Row("safety", "Safety", {"workers": Figure(COUNT, None, None, SMALL),
                                     "in_time": Figure(SHARE, None, None, SMALL)})]
    total = Row("all", "All grievances", {"workers": Figure(COUNT, 15, 15), "in_time": Figure(SHARE, 0.8, 15)})
    return Summary(subject, period, [Table("categories", "By category", columns, rows, total, chart="bars")],
                   refreshed_at=REFRESHED)


def report_module(monkeypatch) -> types.ModuleType:
    """grievance.summaries.report, or, until it is merged (it is built separately), an empty
    stand-in module for the tests to fill."""
    try:
        from grievance.summaries import report
    except ImportError:
        report = types.ModuleType("grievance.summaries.report")
        monkeypatch.setitem(sys.modules, "grievance.summaries.report", report)
        monkeypatch.setattr(grievance.summaries, "report", report, raising=False)
    return report


@pytest.fixture
def summaries_answer(monkeypatch) -> None:
    """The real report where it is merged; until then each function answers a hand-built
    Summary for anyone (what the API writes out is what is checked then, not who sees what)."""
    report = report_module(monkeypatch)
    for name in REPORT_FUNCTIONS:
        if not hasattr(report, name):
            monkeypatch.setattr(report, name, lambda session, viewer, *args: hand_built_summary("stand-in", args[-2]),
                                raising=False)
