"""Every message in and out, stored before anything else happens to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.models.base import Base, UTCDateTime, utcnow

INBOUND = "inbound"
OUTBOUND = "outbound"

# Outbound life cycle; delivery callbacks only move a message forward.
QUEUED, SENDING, SENT, DELIVERED, FAILED = "queued", "sending", "sent", "delivered", "failed"
RECEIVED, PROCESSED, FLAGGED = "received", "processed", "flagged"
DISPATCHED = "dispatched"  # inbound, stored and handed to a job by the dispatcher, not yet processed
CANCELLED = "cancelled"  # outbound, never sent: its survey or announcement run was cancelled


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        # A provider's retried delivery of an inbound message stores nothing new.
        Index("uq_messages_inbound_provider_id", "provider", "provider_id", unique=True,
              postgresql_where=text("direction = 'inbound'"), sqlite_where=text("direction = 'inbound'")),
        # Delivery callbacks find outbound messages by the provider's id.
        Index("ix_messages_provider_id", "provider", "provider_id"),
        Index("ix_messages_unprocessed", "direction", "processed_at"),
        # The dispatcher's work list: stored messages no job was given yet (tasks/dispatch.py).
        Index("ix_messages_undispatched", "id", postgresql_where=text("direction = 'inbound' AND status = 'received'"),
              sqlite_where=text("direction = 'inbound' AND status = 'received'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))
    provider: Mapped[str] = mapped_column(String(16))  # channel registry name: "twilio", "simulator"
    provider_id: Mapped[str | None] = mapped_column(String(64))  # Twilio MessageSid
    channel: Mapped[str] = mapped_column(String(16))  # "sms" or "whatsapp"
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("channel_endpoints.id"), index=True)
    # Inbound: the sender's number, encrypted, until process_inbound resolves the worker.
    address_encrypted: Mapped[str | None] = mapped_column(String(255))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")  # exactly as the worker wrote it
    # NFC, Khmer order fixed, Zawgyi turned into Unicode: what keywords and numbers are read from.
    body_normalized: Mapped[str | None] = mapped_column(Text)
    # What people are shown of an inbound message when it differs from the body: Zawgyi
    # Burmese in Unicode, which phones and browsers render (see ``shown``).
    body_readable: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(255))
    # Outbound: what the text is for ("acknowledgement", "opt_out", …), so a WhatsApp
    # template of the same purpose can stand in outside the 24-hour window.
    purpose: Mapped[str | None] = mapped_column(String(32))
    variables: Mapped[dict | None] = mapped_column(JSON)
    encoding: Mapped[str | None] = mapped_column(String(8))
    segments: Mapped[int | None] = mapped_column(SmallInteger)
    # Inbound: photos or documents the worker sent, as the provider's URLs and types.
    media: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a job took it to send (status 'sending'): the requeue asks the provider about a send
    # begun long ago, never about one a live job may still be making.
    send_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Outbound: the survey or announcement run it belongs to (its cancel stops what is queued).
    run_id: Mapped[int | None] = mapped_column(ForeignKey("survey_runs.id"), index=True)

    endpoint = relationship("ChannelEndpoint", lazy="joined")
    worker = relationship("Worker")

    @property
    def shown(self) -> str:
        """The worker's words as a person reads them; ``body`` stays exactly as she wrote it."""
        return self.body_readable or self.body


class EarlyStatus(Base):
    """A delivery status that came before its message's provider id was stored (the provider
    answered the send, and its callback overtook our record of that answer): kept, and put on
    the message by the next round (``channels.twilio.status.apply_early_statuses``), so a
    failure is never lost. Only a signed callback is kept; one for no message of ours goes
    after ``EARLY_STATUS_KEPT``."""

    __tablename__ = "early_statuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))  # the provider's own word for it
    error_code: Mapped[str | None] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MessageTemplate(Base):
    """A WhatsApp template approved by Meta (Twilio Content API), by purpose and language."""

    __tablename__ = "message_templates"
    __table_args__ = (UniqueConstraint("purpose", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    content_sid: Mapped[str] = mapped_column(String(34))
    # Names of the message's variables in the order of the template's {{1}}, {{2}}, …
    variable_names: Mapped[list[str]] = mapped_column(JSON, default=list)
