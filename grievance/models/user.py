"""People who sign in, and what they may see."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.models.base import Base, UTCDateTime, utcnow

# A programme manager oversees a country's advisors: the last level a late case escalates to.
ROLES = ("picc", "factory_manager", "advisor", "programme_manager", "buyer", "admin")


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the id kept in her session cookie: bumping it ends every session she has.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list["Membership"]] = relationship(back_populates="user", lazy="selectin")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: what the session cookie holds
        return f"{self.id}:{self.session_version or 0}"


class Membership(Base):
    """One role of a user, scoped to a factory, a country or a buyer organisation."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    factory_id: Mapped[int | None] = mapped_column(ForeignKey("factories.id"))
    country_code: Mapped[str | None] = mapped_column(ForeignKey("countries.code"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped["Organisation | None"] = relationship(lazy="joined")  # noqa: F821
