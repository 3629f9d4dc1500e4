"""Rules an admin edits per country: which queue a category goes to, how long a committee has
to act, and which days nobody works."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from grievance.models.base import Base

# How a deadline's amount is counted.
CALENDAR_HOURS, WORKING_HOURS, WORKING_DAYS = "calendar_hours", "working_hours", "working_days"
UNITS = (WORKING_DAYS, WORKING_HOURS, CALENDAR_HOURS)
ANY_CATEGORY = "*"


class RoutingRule(Base):
    """Where a category goes in a country. The grave categories, danger now and an unknown
    factory always go to the advisors whatever the rule says (see workflows/routing.py)."""

    __tablename__ = "routing_rules"

    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    route: Mapped[str] = mapped_column(String(16))


class DeadlinePolicy(Base):
    """Time to acknowledge and to resolve, for a country and route, optionally one category
    (``*`` is every category without its own policy)."""

    __tablename__ = "deadline_policies"
    __table_args__ = (UniqueConstraint("country_code", "route", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"))
    route: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32), default=ANY_CATEGORY)
    acknowledge_amount: Mapped[int] = mapped_column()
    acknowledge_unit: Mapped[str] = mapped_column(String(16))
    resolve_amount: Mapped[int] = mapped_column()
    resolve_unit: Mapped[str] = mapped_column(String(16))
    # Remind the people responsible when this share of the time is left (0.25: a quarter).
    reminder_share: Mapped[float] = mapped_column(Float, default=0.25)


class Holiday(Base):
    """What an admin changes in a country's calendar on top of the public holidays the
    ``holidays`` package knows: a closure day (every year on a month and day, ``year`` empty,
    or on one date), or, with ``working``, a package holiday that is a working day after all."""

    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("country_code", "year", "month", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), index=True)
    year: Mapped[int | None] = mapped_column()
    month: Mapped[int] = mapped_column()
    day: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(120))
    working: Mapped[bool] = mapped_column(default=False, server_default=false())

    def as_date(self) -> date:
        return date(self.year, self.month, self.day)
