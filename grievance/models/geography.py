"""Countries, factories and the numbers workers text."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.models.base import Base


class Country(Base):
    __tablename__ = "countries"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    timezone: Mapped[str] = mapped_column(String(64))
    # Languages workers in this country write, most common first; the first is the default.
    languages: Mapped[list[str]] = mapped_column(JSON)
    # Days off in the working week, Monday = 0 … Sunday = 6.
    weekend: Mapped[list[int]] = mapped_column(JSON)
    # The working day, local time: working-hour deadlines count only inside it, and a
    # working day runs from one start to the next.
    workday_start: Mapped[str] = mapped_column(String(5), default="08:00")
    workday_end: Mapped[str] = mapped_column(String(5), default="17:00")

    @property
    def default_language(self) -> str:
        return self.languages[0]


class Factory(Base):
    __tablename__ = "factories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), index=True)
    timezone: Mapped[str] = mapped_column(String(64))
    # How many people work there (what per-worker figures are counted against); unknown: None.
    headcount: Mapped[int | None] = mapped_column()

    country: Mapped[Country] = relationship(lazy="joined")
    endpoints: Mapped[list["ChannelEndpoint"]] = relationship(back_populates="factory")


class ChannelEndpoint(Base):
    """A number (SMS) or WhatsApp sender that workers text; owned by one factory."""

    __tablename__ = "channel_endpoints"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # "sms" or "whatsapp"
    address: Mapped[str] = mapped_column(String(32))  # E.164, without the whatsapp: prefix
    factory_id: Mapped[int | None] = mapped_column(ForeignKey("factories.id"), index=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"))

    factory: Mapped[Factory | None] = relationship(back_populates="endpoints", lazy="joined")
    country: Mapped[Country] = relationship(lazy="joined")
