"""API bearer tokens: 32 random bytes shown once; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import ApiToken, User
from grievance.models.base import utcnow

# Marks a string as one of ours (secret scanners and people recognise it).
TOKEN_PREFIX = "grv_"
# How much of the token is kept in clear to name it in lists: not enough to guess the rest.
SHOWN_CHARS = 8


def token_hash(raw_token: str) -> str:
    """The stored form. A plain SHA-256 is enough: the token is 256 random bits, not a password."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


def create_token(user: User, name: str, now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for her; the raw token is returned here only, never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=raw[:len(TOKEN_PREFIX) + SHOWN_CHARS],
                     token_hash=token_hash(raw), created_at=now or utcnow())
    db.session.add(token)
    db.session.flush()
    return token, raw


def user_for_token(raw_token: str | None, now: datetime | None = None) -> User | None:
    """The active user behind a live token, or None; notes when it was last used."""
    if not raw_token or not raw_token.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(raw_token),
                                                     ApiToken.revoked_at.is_(None)))
    if token is None or not token.user.is_active:
        return None
    token.last_used_at = now or utcnow()
    return token.user


def revoke_tokens(user: User, prefix: str | None = None, now: datetime | None = None) -> int:
    """Revoke her live tokens (only the one shown as ``prefix``, if given); how many."""
    query = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if prefix:
        query = query.where(ApiToken.prefix == prefix)
    tokens = db.session.scalars(query).all()
    for token in tokens:
        token.revoked_at = now or utcnow()
    return len(tokens)
