"""Which deadline policy and which working calendar apply to a case: the rules an admin edits
per country (deadline_policies, holidays, the working week), read for workflows/deadlines.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.models import Case, Country, DeadlinePolicy, Holiday
from grievance.models.case import ROUTE_ADVISOR
from grievance.models.policy import ANY_CATEGORY, CALENDAR_HOURS, WORKING_DAYS
from grievance.workflows.rules_cache import cached
from grievance.workflows.working_time import WorkingCalendar


@dataclass(frozen=True)
class Terms:
    """A deadline policy as the case uses it."""

    acknowledge_amount: int
    acknowledge_unit: str
    resolve_amount: int
    resolve_unit: str
    reminder_share: float = 0.25


# When no policy row applies (a country added later without its own): the seeded defaults.
DEFAULT_TERMS = {
    "picc": Terms(2, WORKING_DAYS, 15, WORKING_DAYS),
    ROUTE_ADVISOR: Terms(24, CALENDAR_HOURS, 168, CALENDAR_HOURS),
}


def terms_for(session: Session, country_code: str, route: str, category: str) -> Terms:
    """The most specific policy: this category in this country and route, else any category."""
    policies = route_terms(session, country_code, route)
    found = policies.get(category) or policies.get(ANY_CATEGORY)
    return found if found is not None else DEFAULT_TERMS.get(route, DEFAULT_TERMS["picc"])


def route_terms(session: Session, country_code: str, route: str) -> dict[str, Terms]:
    """The country's policies for a route, by category (read once every few seconds: rules_cache)."""
    def load() -> dict[str, Terms]:
        return {p.category: Terms(p.acknowledge_amount, p.acknowledge_unit, p.resolve_amount, p.resolve_unit,
                                  p.reminder_share)
                for p in session.scalars(select(DeadlinePolicy).where(DeadlinePolicy.country_code == country_code,
                                                                      DeadlinePolicy.route == route))}

    return cached(session, ("terms", country_code, route), load)


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def calendar_for(session: Session, country: Country, timezone: str) -> WorkingCalendar:
    """The country's week and public holidays, with the days an admin closed or opened."""
    yearly, dated, working = admin_days(session, country.code)
    return WorkingCalendar(
        timezone=timezone,
        weekend=frozenset(country.weekend),
        country_code=country.code,
        yearly_holidays=yearly,
        dated_holidays=dated,
        working_dates=working,
        day_start=_clock(country.workday_start or "08:00"),
        day_end=_clock(country.workday_end or "17:00"),
    )


def admin_days(session: Session, country_code: str) -> tuple[frozenset, frozenset, frozenset]:
    """The days an admin closed (every year; on a date) or opened (a date), read once every few
    seconds (rules_cache)."""
    def load() -> tuple[frozenset, frozenset, frozenset]:
        changes = session.scalars(select(Holiday).where(Holiday.country_code == country_code)).all()
        closed = [h for h in changes if not h.working]
        return (frozenset((h.month, h.day) for h in closed if h.year is None),
                frozenset(h.as_date() for h in closed if h.year is not None),
                frozenset(h.as_date() for h in changes if h.working and h.year is not None))

    return cached(session, ("days", country_code), load)


def case_calendar(session: Session, case: Case) -> WorkingCalendar:
    return calendar_for(session, case.country, case.timezone)
