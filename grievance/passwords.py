"""Password hashing (argon2id), imported only when a password is hashed or checked.

``PASSWORD_HASH_PROFILE`` chooses the cost: ``standard`` (argon2-cffi's defaults, the only one
production accepts) or ``fast`` (the least work argon2 allows, for the test suite, where
hundreds of users are made). A hash records its own parameters, so either profile verifies
hashes made by the other.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from grievance.models import User

PROFILES = ("standard", "fast")


@lru_cache(maxsize=None)
def _hasher_for(profile: str) -> "PasswordHasher":
    from argon2 import PasswordHasher

    if profile == "fast":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


@lru_cache(maxsize=None)
def _dummy_hash(profile: str) -> str:
    # Checked against when the email is unknown, so the answer takes as long as for a real one.
    return _hasher_for(profile).hash("not a password anyone has")


def _profile() -> str:
    from flask import current_app, has_app_context

    return current_app.config.get("PASSWORD_HASH_PROFILE", "standard") if has_app_context() else "standard"


def hash_password(password: str) -> str:
    return _hasher_for(_profile()).hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    # No password (an unknown email, or a person whose first password is still to be set through
    # her link) is checked against a real hash too: the answer takes as long, and tells nothing.
    usable = password_hash is not None and password_hash.startswith("$argon2")
    try:
        return _hasher_for(_profile()).verify(password_hash if usable else _dummy_hash(_profile()), password) \
            and usable
    except (VerificationError, InvalidHashError):
        return False


def check_password(user: "User | None", password: str) -> bool:
    """Whether she typed her password; as slow for an unknown email as for a known one."""
    return verify_password(user.password_hash if user else None, password)


PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 200


def password_problem(password: str) -> str | None:
    """Why a new password cannot be used (None: it can). Length is the rule that matters; the
    wording of the problem is the caller's, in the reader's language."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return "too_short"
    if len(password) > PASSWORD_MAX_LENGTH:
        return "too_long"
    return None
