"""What the service is waiting for from a worker: her pending conversations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.models.base import Base, UTCDateTime

# A pending conversation either speaks (her answers go to it) or waits its turn.
ACTIVE, WAITING = "active", "waiting"


class Conversation(Base):
    """What the service is waiting for from a worker: an intake answer, a choice, a rating.

    A worker may have several pending; at most one is ``active`` (the one her next message
    answers), the others ``waiting`` in the order of their kind's priority (see
    ``grievance.workflows.conversations``). Only the active one's clock runs; what it collected
    is never dropped on expiry (an unfinished intake still becomes a case, a rating closes it).
    """

    __tablename__ = "conversations"
    # A case has at most one pending rating (NULL case ids, as an intake's, never collide).
    __table_args__ = (UniqueConstraint("worker_id", "kind", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # a name in the registry: "intake", "pick_case", "rating"
    status: Mapped[str] = mapped_column(String(8), default=ACTIVE, server_default=ACTIVE)
    step: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("channel_endpoints.id"))
    provider: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    retries: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # From when its question was last asked; a waiting conversation does not expire.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    endpoint = relationship("ChannelEndpoint", lazy="joined")
