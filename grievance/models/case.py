"""Cases and their append-only event log."""

from __future__ import annotations

import secrets
from datetime import datetime

import re

from sqlalchemy import JSON, ForeignKey, Index, String, Text, null, or_, text
from sqlalchemy import case as sql_case
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.models.base import Base, UTCDateTime, utcnow

# Crockford base32 without I, L, O, U: nothing to confuse on a keypad.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

NEW, ACKNOWLEDGED, IN_PROGRESS, RESOLVED, CLOSED = "new", "acknowledged", "in_progress", "resolved", "closed"
REOPENED = "reopened"
OPEN_STATUSES = (NEW, ACKNOWLEDGED, IN_PROGRESS, REOPENED)
ROUTE_PICC, ROUTE_ADVISOR = "picc", "advisor"


def random_code(length: int = 6) -> str:
    return "".join(secrets.choice(CROCKFORD) for _ in range(length))


def new_reference(country_code: str) -> str:
    return f"{country_code}-{random_code()}"


# What a person may type for a reference's code: Crockford decoding reads O as 0 and I, L as 1.
_CROCKFORD_READS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_TYPED_REFERENCE = re.compile(r"^(?:([A-Z]{2})-?)?([0-9A-Z]{6})$")


def read_reference(typed: str) -> tuple[str | None, str] | None:
    """A reference as someone typed it, as (country code or None, the 6-character code), or None
    when it cannot be one. Case, spaces and the dash do not matter; O reads as 0, I and L as 1
    (only in the code: the country's letters are letters, as in ID or LS)."""
    found = _TYPED_REFERENCE.match(re.sub(r"\s+", "", typed or "").upper())
    if found is None:
        return None
    country, code = found.group(1), found.group(2).translate(_CROCKFORD_READS)
    if any(character not in CROCKFORD for character in code):
        return None
    return country, code


_OPEN = text("status IN ('new', 'acknowledged', 'in_progress', 'reopened')")
_DONE = text("status IN ('resolved', 'closed')")
# What the queue's counts and filters read of an open case: counted from the index alone.
# What the filters read of a resolved or closed case, carried in its index: a filtered count of
# the history reads the index alone, never the table (PostgreSQL).
_DONE_FILTERED = ["category", "assignee_id", "factory_id", "route"]
_COUNTED = ["status", "route", "factory_id", "category", "assignee_id", "waiting_since", "worker_replied_at",
            "escalation_level"]


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # The queue's pages: each scope's predicate, then its order (most urgent first while
        # open, most recently resolved once done), so a page reads a few index entries.
        Index("ix_cases_queue_factory_open", "factory_id", "route", "due_at", "id",
              postgresql_where=_OPEN, sqlite_where=_OPEN, postgresql_include=_COUNTED),
        Index("ix_cases_queue_country_open", "country_code", "due_at", "id",
              postgresql_where=_OPEN, sqlite_where=_OPEN, postgresql_include=_COUNTED),
        Index("ix_cases_queue_open", "due_at", "id", postgresql_where=_OPEN, sqlite_where=_OPEN),
        Index("ix_cases_queue_factory_done", "factory_id", "route", "status", "resolved_at", "id",
              postgresql_where=_DONE, sqlite_where=_DONE, postgresql_include=_DONE_FILTERED),
        Index("ix_cases_queue_country_done", "country_code", "status", "resolved_at", "id",
              postgresql_where=_DONE, sqlite_where=_DONE, postgresql_include=_DONE_FILTERED),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    factory_id: Mapped[int | None] = mapped_column(ForeignKey("factories.id"), index=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    category: Mapped[str] = mapped_column(String(32), default="other")
    route: Mapped[str] = mapped_column(String(16), default=ROUTE_PICC)
    status: Mapped[str] = mapped_column(String(16), default=NEW, index=True)
    language: Mapped[str] = mapped_column(String(8))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledge_by: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    resolve_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Whether the committee may know who she is (she decides; anonymous unless she says yes),
    # and the name she gave, encrypted like her number.
    anonymous: Mapped[bool] = mapped_column(default=True)
    # Fernet of the 120 characters intake keeps, up to 4 bytes each in UTF-8 (Bengali, Khmer…).
    name_encrypted: Mapped[str | None] = mapped_column(String(1024))
    danger_now: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    satisfied: Mapped[bool | None] = mapped_column()
    reopen_count: Mapped[int] = mapped_column(default=0)
    # The committee member (or advisor) who took the case or was given it; empty: nobody yet.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # When she wrote after the last answer from the people working the case: the queue's
    # "worker replied" marker. Empty once someone writes to her (or acts on her words).
    worker_replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # How it ended, as a code the summaries count (the outcome text is what she is told).
    outcome_code: Mapped[str | None] = mapped_column(String(32))
    # What the committee tells buyers about how the case was followed up (the buyers' follow-up
    # log): never her words, her name, a reference or a day; the committee writes it for them.
    followup_note: Mapped[str | None] = mapped_column(String(500))
    followup_note_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Every change moves it: the summaries' facts are refreshed for the cases changed since.
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    # Deadlines (workflows/deadlines.py). The resolve clock stops while the committee waits
    # for her answer; the unit says how the time left is counted again when she replies.
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolve_unit: Mapped[str | None] = mapped_column(String(16))
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_seconds: Mapped[int] = mapped_column(default=0)
    acknowledge_remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolve_remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledge_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolve_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledge_overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolve_overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 0: the queue the case was routed to; each missed deadline moves it one level up.
    escalation_level: Mapped[int] = mapped_column(default=0)
    # When the sweep next has something to do for this case (a reminder or a deadline);
    # empty when nothing is pending. The sweep reads only this index.
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The deadline the queue sorts by (acknowledge while awaited, then resolve; empty while
    # the clock is stopped or the case is done).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Incremented by every change: the sweep and people never overwrite each other's changes.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @hybrid_property
    def acknowledged_in_time(self) -> bool | None:
        if self.acknowledged_at is None:
            return None
        return self.acknowledged_at <= self.acknowledge_by

    @acknowledged_in_time.inplace.expression
    @classmethod
    def _acknowledged_in_time(cls):
        return sql_case((cls.acknowledged_at.is_(None), null()), else_=cls.acknowledged_at <= cls.acknowledge_by)

    @hybrid_property
    def resolved_in_time(self) -> bool | None:
        if self.resolved_at is None or self.resolve_by is None:
            return None
        return self.resolved_at <= self.resolve_by

    @resolved_in_time.inplace.expression
    @classmethod
    def _resolved_in_time(cls):
        return sql_case((or_(cls.resolved_at.is_(None), cls.resolve_by.is_(None)), null()),
                    else_=cls.resolved_at <= cls.resolve_by)

    @property
    def timezone(self) -> str:
        """Where its deadlines are counted and its times shown: the factory's, else the country's."""
        return self.factory.timezone if self.factory else self.country.timezone

    @property
    def worker_language(self) -> str:
        """The language she is written to in: her choice, else the one she writes, else the case's."""
        return self.worker.chosen_language or self.worker.language or self.language

    @property
    def seconds_to_acknowledge(self) -> int | None:
        """Time to act, for follow-up summaries: from opening to acknowledgement."""
        if self.acknowledged_at is None:
            return None
        return int((self.acknowledged_at - self.opened_at).total_seconds())

    @property
    def seconds_to_resolve(self) -> int | None:
        """From opening to resolution, without the time the committee waited for her answers."""
        if self.resolved_at is None:
            return None
        return int((self.resolved_at - self.opened_at).total_seconds()) - self.paused_seconds

    factory = relationship("Factory", lazy="joined")
    country = relationship("Country", lazy="joined")
    worker = relationship("Worker", lazy="joined")
    assignee = relationship("User", foreign_keys=[assignee_id])
    events: Mapped[list["CaseEvent"]] = relationship(order_by="CaseEvent.id", back_populates="case")
    messages = relationship("Message", order_by="Message.id", viewonly=True)


class CaseEvent(Base):
    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")
