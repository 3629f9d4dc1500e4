"""One-time links to set a password. The token is shown once (to the admin who passes it on,
or in a mail); only its SHA-256 is kept. A link works once, until it expires."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from grievance.models import PasswordReset, User
from grievance.models.base import utcnow

RESET_LIFETIME = timedelta(hours=24)
VALID, UNKNOWN, USED, EXPIRED = "valid", "unknown", "used", "expired"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_reset(session: Session, user: User, *, by: User | None, now: datetime | None = None) -> str:
    """A new link for ``user``; the links issued before it stop working. Returns the raw token."""
    now = now or utcnow()
    session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None),
                                                PasswordReset.expires_at > now).values(expires_at=now))
    raw = secrets.token_urlsafe(32)
    session.add(PasswordReset(user_id=user.id, token_hash=_digest(raw), created_by_id=by.id if by else None,
                              created_at=now, expires_at=now + RESET_LIFETIME))
    session.flush()
    return raw


def find_reset(session: Session, raw: str, now: datetime | None = None) -> tuple[str, PasswordReset | None]:
    """The state of a link (valid, unknown, used, expired) and its row."""
    if not raw or len(raw) > 100:
        return UNKNOWN, None
    reset = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _digest(raw)))
    if reset is None:
        return UNKNOWN, None
    if reset.used_at is not None:
        return USED, reset
    if reset.expires_at <= (now or utcnow()) or not reset.user.active:
        return EXPIRED, reset
    return VALID, reset


def use_reset(session: Session, reset: PasswordReset, password_hash: str, now: datetime | None = None) -> bool:
    """Spend the link and set the password; False if it was spent meanwhile (two tabs)."""
    spent = session.execute(update(PasswordReset).where(PasswordReset.id == reset.id,
                                                        PasswordReset.used_at.is_(None))
                            .values(used_at=now or utcnow()))
    if spent.rowcount != 1:
        return False
    reset.user.password_hash = password_hash
    # Whoever knew the old password is signed out everywhere (web/sessions.py reads this).
    reset.user.session_version = (reset.user.session_version or 0) + 1
    return True
