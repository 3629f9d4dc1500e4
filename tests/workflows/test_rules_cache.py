"""Routing rules, deadline policies and holidays are kept per process for a few seconds: a change
made here is used at once, one made by another process (an admin's page on a web process)
within seconds, and a change rolled back is never used."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text

from grievance.models import DeadlinePolicy, Holiday, RoutingRule
from grievance.workflows import rules_cache
from grievance.workflows.policies import admin_days, terms_for
from grievance.workflows.routing import route_for


@pytest.fixture
def clock(monkeypatch):
    """The cache's clock, moved by hand."""
    moment = [1000.0]
    monkeypatch.setattr(rules_cache, "clock", lambda: moment[0])

    def advance(seconds: float) -> None:
        moment[0] += seconds

    return advance


def test_a_routing_rule_an_admin_changes_in_this_process_is_used_at_once(session, clock):
    assert route_for(session, "ID", "discrimination", False, True) == "picc"  # now kept
    session.merge(RoutingRule(country_code="ID", category="discrimination", route="advisor"))
    session.commit()
    assert route_for(session, "ID", "discrimination", False, True) == "advisor"


def test_a_routing_rule_changed_by_another_process_is_used_within_seconds(session, clock):
    assert route_for(session, "ID", "discrimination", False, True) == "picc"
    # Written without this process's ORM: as a web process's admin page would, elsewhere.
    session.execute(text("UPDATE routing_rules SET route = 'advisor' "
                         "WHERE country_code = 'ID' AND category = 'discrimination'"))
    clock(rules_cache.SECONDS - 1)
    assert route_for(session, "ID", "discrimination", False, True) == "picc"  # kept, not read again
    clock(1.5)
    assert route_for(session, "ID", "discrimination", False, True) == "advisor"


def _wages_policy(session) -> DeadlinePolicy | None:
    return session.scalar(select(DeadlinePolicy).where(
        DeadlinePolicy.country_code == "ID", DeadlinePolicy.route == "picc", DeadlinePolicy.category == "wages"))


def test_a_changed_deadline_policy_is_used_at_once_here_and_within_seconds_elsewhere(session, clock):
    before = terms_for(session, "ID", "picc", "wages")
    session.add(DeadlinePolicy(country_code="ID", route="picc", category="wages", acknowledge_amount=1,
                               acknowledge_unit=before.acknowledge_unit, resolve_amount=3,
                               resolve_unit=before.resolve_unit))
    session.commit()
    assert (terms_for(session, "ID", "picc", "wages").acknowledge_amount,
            terms_for(session, "ID", "picc", "wages").resolve_amount) == (1, 3)

    session.execute(text("UPDATE deadline_policies SET resolve_amount = 9 WHERE country_code = 'ID' "
                         "AND route = 'picc' AND category = 'wages'"))
    clock(rules_cache.SECONDS + 0.5)
    assert terms_for(session, "ID", "picc", "wages").resolve_amount == 9


def test_a_change_rolled_back_is_never_used(session, clock):
    before = terms_for(session, "ID", "picc", "wages")
    nested = session.begin_nested()
    session.add(DeadlinePolicy(country_code="ID", route="picc", category="wages", acknowledge_amount=7,
                               acknowledge_unit=before.acknowledge_unit, resolve_amount=70,
                               resolve_unit=before.resolve_unit))
    session.flush()
    assert terms_for(session, "ID", "picc", "wages").acknowledge_amount == 7  # her own change, read
    nested.rollback()
    assert _wages_policy(session) is None
    assert terms_for(session, "ID", "picc", "wages") == before


def test_a_closed_day_an_admin_adds_is_used_at_once(session, clock):
    assert date(2026, 9, 2) not in admin_days(session, "ID")[1]
    session.add(Holiday(country_code="ID", year=2026, month=9, day=2, name="Factory closed"))
    session.commit()
    assert date(2026, 9, 2) in admin_days(session, "ID")[1]
    session.delete(session.scalar(select(Holiday).where(Holiday.country_code == "ID", Holiday.day == 2)))
    session.commit()
    assert date(2026, 9, 2) not in admin_days(session, "ID")[1]
