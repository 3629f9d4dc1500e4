"""Workers: known only by a keyed hash of their number and a pseudonym."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
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
    # The language she last wrote in; the one she chose with the language keyword wins over it.
    language: Mapped[str | None] = mapped_column(String(8))
    chosen_language: Mapped[str | None] = mapped_column(String(8))
    country_code: Mapped[str | None] = mapped_column(ForeignKey("countries.code"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Channels ("sms", "whatsapp") on which she asked for no more messages.
    opted_out_channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Opens WhatsApp's 24-hour window for free-form replies.
    whatsapp_last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def opted_out(self, channel: str) -> bool:
        return channel in (self.opted_out_channels or [])

    def set_opted_out(self, channel: str, value: bool) -> None:
        channels = set(self.opted_out_channels or [])
        channels = channels | {channel} if value else channels - {channel}
        self.opted_out_channels = sorted(channels)
