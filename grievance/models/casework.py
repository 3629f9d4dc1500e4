"""What the people working a case keep beside it: internal notes, and who read her words."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.models.base import Base, UTCDateTime

VIEWED_MESSAGES, VIEWED_MEDIA = "messages", "media"


class CaseNote(Base):
    """A note for the people working the case. Never sent to her, never in any text, export or
    API answer she or a buyer can reach; shown only to those who see the case in full."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    author = relationship("User", lazy="joined")


class CaseView(Base):
    """A person saw her messages (or an attachment) of this case: always written, no setting."""

    __tablename__ = "case_views"
    __table_args__ = (Index("ix_case_views_case_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    what: Mapped[str] = mapped_column(String(16))  # messages or media

    user = relationship("User", lazy="joined")
