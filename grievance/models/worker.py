"""Workers: known only by a keyed hash of their number and a pseudonym."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from grievance.models.base import Base, UTCDateTime, utcnow


class Worker(Base):
    __tablename__ = "workers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # HMAC-SHA256 of the E.164 number under a key derived from GRIEVANCE_DATA_KEY.
    phone_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Fernet token of the E.164 number; only the sender decrypts it.
    phone_encrypted: Mapped[str] = mapped_column(String(255))
    pseudonym: Mapped[str] = mapped_column(String(16), unique=True)
    language: Mapped[str | None] = mapped_column(String(8))
    country_code: Mapped[str | None] = mapped_column(ForeignKey("countries.code"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
