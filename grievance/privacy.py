"""Worker phone numbers: normalized, hashed for lookup, encrypted at rest, never shown."""

from __future__ import annotations

import hashlib
import hmac
import re
from base64 import urlsafe_b64decode

import phonenumbers
from cryptography.fernet import Fernet
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


class PhoneVault:
    """Keyed hash for finding a worker, Fernet for the one place that must dial her."""

    def __init__(self, data_key: str) -> None:
        self._fernet = Fernet(data_key.encode())
        self._hash_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"grievance worker phone hash"
        ).derive(urlsafe_b64decode(data_key.encode()))

    def hash(self, e164: str) -> str:
        return hmac.new(self._hash_key, e164.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, e164: str) -> str:
        return self._fernet.encrypt(e164.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()


def vault() -> PhoneVault:
    app = current_app
    if "grievance.vault" not in app.extensions:
        app.extensions["grievance.vault"] = PhoneVault(app.config["GRIEVANCE_DATA_KEY"])
    return app.extensions["grievance.vault"]


def new_pseudonym() -> str:
    return "W-" + random_code(6)


# International numbers (+ and 8 to 15 digits, spaced or not) and bare runs of 9 to 15 digits;
# dates, times, IP addresses and Twilio SIDs do not match.
_PHONE_LIKE = re.compile(
    r"\(?\+\d{1,3}\)?(?:[ -]?\d){6,14}(?![\w])"  # +62 812-9876-5432, (+62) 812 …
    r"|(?<![\w.:/-])0\d{2,4}(?:[ -]?\d){5,10}(?![\w.])"  # national: 0812 9876 5432
    r"|(?<![\w.:/-])\d{9,15}(?![\w.])"  # bare digits
)


def redact(text: str) -> str:
    """Masks anything that looks like a phone number (defence in depth for logs)."""
    return _PHONE_LIKE.sub("[redacted]", text)
