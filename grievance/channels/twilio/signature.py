"""Twilio's X-Twilio-Signature, checked with the SDK's own validator."""

from __future__ import annotations

from flask import Request, current_app
from twilio.request_validator import RequestValidator


def public_url(request: Request) -> str:
    """The URL Twilio signed: PUBLIC_BASE_URL behind a proxy, else what we were called on."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        return request.url
    url = base.rstrip("/") + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("ascii", "replace")
    return url


def is_valid(request: Request, params: dict[str, str]) -> bool:
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    return RequestValidator(token).validate(public_url(request), params, signature)
