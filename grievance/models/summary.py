"""The summaries' stored facts: per factory, period and route, the raw sums of its cases
(summaries/facts.py keeps them up to date; summaries/sums.py says what each sum means)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from grievance.models.base import Base, UTCDateTime

# The period key under which what is open at the moment of the refresh is stored (Now).
NOW_PERIOD = "now"


class SummaryFact(Base):
    __tablename__ = "summary_facts"
    # The unique index is also what load() reads: factory ids × period keys.
    __table_args__ = (UniqueConstraint("factory_id", "period", "route"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id"))
    period: Mapped[str] = mapped_column(String(8))  # "2026-03", "2026-Q1", "2026", or "now"
    route: Mapped[str] = mapped_column(String(16))  # "picc" or "advisor"
    sums: Mapped[dict] = mapped_column(JSON)        # Sums.as_dict(), or Now's fields under "now"
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SummaryRefresh(Base):
    """The watermark: the facts include every change of a case up to ``refreshed_at``
    (one row)."""

    __tablename__ = "summary_refresh"

    id: Mapped[int] = mapped_column(primary_key=True)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime)
