"""What the administration keeps: its log of changes, one-time password links, reply templates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.models.base import Base, UTCDateTime, utcnow


class AdminEvent(Base):
    """One change an admin made. ``data`` never holds a password, a token or a number in clear
    (numbers are masked to their last three digits before they get here)."""

    __tablename__ = "admin_events"
    __table_args__ = (Index("ix_admin_events_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    area: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped["User | None"] = relationship(lazy="joined")  # noqa: F821


class PasswordReset(Base):
    """A one-time link to set a password: only a SHA-256 of its token is kept; it works once,
    until it expires."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821


class ReplyTemplate(Base):
    """A reply the people working a case may pick, per language, written by admins."""

    __tablename__ = "reply_templates"
    __table_args__ = (UniqueConstraint("key", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
