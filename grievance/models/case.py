"""Cases and their append-only event log."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.models.base import Base, UTCDateTime, utcnow

# Crockford base32 without I, L, O, U: nothing to confuse on a keypad.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

NEW, ACKNOWLEDGED, IN_PROGRESS, RESOLVED, CLOSED = "new", "acknowledged", "in_progress", "resolved", "closed"
ROUTE_PICC, ROUTE_ADVISOR = "picc", "advisor"


def random_code(length: int = 6) -> str:
    return "".join(secrets.choice(CROCKFORD) for _ in range(length))


def new_reference(country_code: str) -> str:
    return f"{country_code}-{random_code()}"


class Case(Base):
    __tablename__ = "cases"

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

    factory = relationship("Factory", lazy="joined")
    country = relationship("Country", lazy="joined")
    worker = relationship("Worker", lazy="joined")
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
