"""Worker phone numbers: normalized, hashed for lookup, encrypted at rest, never shown."""

from __future__ import annotations

import hashlib
import hmac
import re
from base64 import urlsafe_b64decode

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from grievance.models.case import random_code


class InvalidPhoneNumber(ValueError):
    pass


def normalize_phone(raw: str, region: str | None = None) -> str:
    """E.164 for a number as Twilio or a person writes it; raises InvalidPhoneNumber."""
    try:
        parsed = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneNumber(str(error)) from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhoneNumber("not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _hash_key(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"grievance worker phone hash").derive(urlsafe_b64decode(secret.encode()))


class PhoneVault:
    """Keyed hash for finding a worker, Fernet for the one place that must dial her.

    Keys rotate (``flask keys rotate``): values are encrypted under the current data key and
    read under it or any previous one; the lookup hash is made under its own key (derived from
    the data key unless one is set) and a worker is still found under a previous hash key until
    the rotation has re-hashed her."""

    def __init__(self, data_key: str, *, previous_data_keys: tuple[str, ...] = (), hash_key: str | None = None,
                 previous_hash_keys: tuple[str, ...] = ()) -> None:
        self._current = Fernet(data_key.encode())
        self._fernet = MultiFernet([self._current, *(Fernet(key.encode()) for key in previous_data_keys)])
        self._hash_keys = [_hash_key(hash_key or data_key)]
        for key in (*previous_hash_keys, *previous_data_keys):
            derived = _hash_key(key)
            if derived not in self._hash_keys:
                self._hash_keys.append(derived)

    def hash(self, e164: str) -> str:
        """The lookup hash under the current hash key."""
        return hmac.new(self._hash_keys[0], e164.encode(), hashlib.sha256).hexdigest()

    def lookup_hashes(self, e164: str) -> list[str]:
        """Her hash under the current key first, then under each previous one (while rotating)."""
        return [hmac.new(key, e164.encode(), hashlib.sha256).hexdigest() for key in self._hash_keys]

    def encrypt(self, e164: str) -> str:
        return self._current.encrypt(e164.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()

    def is_current(self, token: str) -> bool:
        """Whether a value is encrypted under the current data key already."""
        try:
            self._current.decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def rotate(self, token: str) -> str:
        """The same value encrypted under the current data key."""
        return self._fernet.rotate(token.encode()).decode()


def _keys(setting: str | None) -> tuple[str, ...]:
    return tuple(key.strip() for key in (setting or "").split(",") if key.strip())


def vault_from_config(config) -> PhoneVault:
    return PhoneVault(config["GRIEVANCE_DATA_KEY"],
                      previous_data_keys=_keys(config.get("GRIEVANCE_PREVIOUS_DATA_KEYS")),
                      hash_key=config.get("GRIEVANCE_HASH_KEY") or None,
                      previous_hash_keys=_keys(config.get("GRIEVANCE_PREVIOUS_HASH_KEYS")))


def vault() -> PhoneVault:
    app = current_app
    if "grievance.vault" not in app.extensions:
        app.extensions["grievance.vault"] = vault_from_config(app.config)
    return app.extensions["grievance.vault"]


def new_pseudonym() -> str:
    return "W-" + random_code(6)


# What log lines hold that is made of digits but is no phone number: dates and times, IP
# addresses. Matched first, they are kept as they are.
_NOT_A_NUMBER = (
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?"  # 2026-11-23 00:24:00,047
    r"|(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.])"  # 192.168.100.200
)
# A run of digit groups as people and programs write numbers: +, %2B (URL-encoded) or nothing
# in front; groups split by spaces, dashes, dots or %20, some in parentheses: "+62 812-9876-5432",
# "%2B6281298765432", "(021) 5000 0001", "0812.9876.5432". \d takes every script's digits.
_GROUP = r"\(?(?:\+|%2[Bb])?\d+\)?"
_SEPARATOR = r"(?:[ \-.\u00a0]|%20)+"
_CANDIDATE = (
    rf"(?P<intl>\(?(?:\+|%2[Bb])\d)[\d()]*(?:{_SEPARATOR}{_GROUP}|\({_GROUP})*"
    rf"|(?<![\w.\-])(?P<bare>\(?\d)[\d()]*(?:{_SEPARATOR}{_GROUP}|\({_GROUP})*"
)
_PHONE_LIKE = re.compile(rf"(?P<keep>{_NOT_A_NUMBER})|(?:{_CANDIDATE})(?!\w)")


def _is_phone_like(candidate: str, international: bool) -> bool:
    digits = sum(ch.isdigit() for ch in candidate)
    separated = not candidate.isdigit()
    if separated and re.fullmatch(r"\d+\.\d+", candidate):
        return False  # a decimal: 0.412, 1234.5
    if not separated and digits > 15:
        return False  # a long id, not a number anyone dials
    if international:
        return digits >= 7
    national = candidate.lstrip("(").startswith(("0", "\u17e0", "\u0660", "\u06f0", "\u09e6", "\u1040"))
    return digits >= (8 if national else 9)


def _mask(match: re.Match) -> str:
    if match.group("keep") is not None:
        return match.group(0)
    candidate = match.group(0)
    return "[redacted]" if _is_phone_like(candidate, match.group("intl") is not None) else candidate


def redact(text: str) -> str:
    """Masks anything that looks like a phone number (defence in depth for logs).

    Every way of writing one: with +, %2B or nothing in front, spaced, dashed, dotted, with
    parentheses, in any script's digits; a national number (leading 0) of 8 digits or more, any
    other run of 9 to 15. Dates, times, IP addresses, decimals, Twilio SIDs and UUIDs stay.
    """
    return _PHONE_LIKE.sub(_mask, text)


def mask_number(number: str | None) -> str:
    """A number as a log may show it: its last three digits ("•••001"), nothing that dials her."""
    digits = "".join(ch for ch in number or "" if ch.isdigit())
    return "•••" + digits[-3:] if digits else ""
