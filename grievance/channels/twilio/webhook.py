"""POST /webhooks/twilio/messages and /status: check, parse, store, answer. Nothing slow.

Both are answered by ``InboundFastPath`` before Flask dispatches the request: none of what
Flask does for a page applies to Twilio (a session cookie, CSRF, the rate limiter, sign-in,
the page language, the pages' headers), and at a survey's peak that work cost more than
storing the message. The blueprint's routes answer the same way through the same functions
(``url_for`` and the pages matrix know them), for a request the fast path did not take."""

from __future__ import annotations

import functools
import logging
from urllib.parse import parse_qsl

from flask import Blueprint, Flask, Request, Response, current_app, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge
from twilio.twiml.messaging_response import MessagingResponse

from grievance.channels.base import InboundMessage
from grievance.channels.ingest import UnknownEndpoint, accept_inbound
from grievance.channels.twilio import signature
from grievance.channels.twilio.status import record_status
from grievance.extensions import csrf, db, limiter
from grievance.schemas.twilio import InboundMessageSchema, StatusCallbackSchema

log = logging.getLogger(__name__)

bp = Blueprint("twilio_webhooks", __name__, url_prefix="/webhooks/twilio")
csrf.exempt(bp)
limiter.exempt(bp)  # Twilio's own pace; no limit here, so no per-request check of one either

EMPTY_TWIML = str(MessagingResponse())  # the same answer to every message


@functools.lru_cache(maxsize=4)
def _inbound_schema(max_body_chars: int) -> InboundMessageSchema:
    """One schema per setting, built once: loading keeps no state in it."""
    return InboundMessageSchema(max_body_chars=max_body_chars)


class BadPayload(Exception):
    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


@bp.errorhandler(BadPayload)
def _bad_payload(error: BadPayload) -> Response:
    response = jsonify(error=error.reason)
    response.status_code = error.status
    return response


def _form(request: Request) -> dict[str, str]:
    """Parse the form ourselves: werkzeug would silently replace invalid UTF-8."""
    if request.mimetype != "application/x-www-form-urlencoded":
        raise BadPayload("expected application/x-www-form-urlencoded", 415)
    try:
        raw = request.get_data(cache=True).decode("utf-8")
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=False, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadPayload("payload is not valid UTF-8") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        form[key] = value  # Twilio never repeats a key; the validator sees what we parse
    # No real SMS or WhatsApp field carries NUL, and PostgreSQL text cannot hold it. In her
    # words it is kept as U+FFFD (accept_inbound); anywhere else the request is malformed.
    broken = sorted(key for key, value in form.items() if ("\x00" in key or "\x00" in value) and key != "Body")
    if broken:
        raise BadPayload(f"{', '.join(k.replace(chr(0), '') for k in broken)}: contains a NUL character")
    return form


def _authenticated_form(request: Request) -> dict[str, str]:
    if not current_app.config.get("TWILIO_AUTH_TOKEN"):
        raise BadPayload("Twilio is not configured on this server", 403)
    form = _form(request)
    if not signature.is_valid(request, form):
        raise BadPayload("invalid or missing X-Twilio-Signature", 403)
    return form


def _errors(error: ValidationError) -> str:
    parts = []
    for name, problems in sorted(error.normalized_messages().items()):
        text = problems if isinstance(problems, str) else "; ".join(map(str, problems))
        parts.append(f"{name}: {text}")
    return ", ".join(parts)


@bp.post("/messages")
def inbound_message():
    return receive_message(request)


@bp.post("/status")
def status_callback():
    return receive_status(request)


def receive_message(request: Request) -> Response:
    form = _authenticated_form(request)
    schema = _inbound_schema(current_app.config["INBOUND_BODY_MAX_CHARS"])
    try:
        data = schema.load(form)
    except ValidationError as error:
        raise BadPayload(_errors(error)) from None
    channel, from_address = data["from_"]
    media = [
        {"url": form[f"MediaUrl{i}"], "content_type": form.get(f"MediaContentType{i}", "")}
        for i in range(data["num_media"])
        if form.get(f"MediaUrl{i}", "").startswith("https://")
    ]
    inbound = InboundMessage(
        provider="twilio",
        provider_id=data["message_sid"],
        channel=channel,
        from_address=from_address,
        to_address=data["to"][1],
        body=data["body"],
        media=media,
    )
    try:
        accept_inbound(inbound)
    except UnknownEndpoint:
        db.session.rollback()
        raise BadPayload("To is not a number of this service", 404) from None
    return Response(EMPTY_TWIML, mimetype="text/xml")


def receive_status(request: Request) -> Response:
    form = _authenticated_form(request)
    try:
        data = StatusCallbackSchema().load(form)
    except ValidationError as error:
        raise BadPayload(_errors(error)) from None
    record_status(data["message_sid"], data["message_status"], data["error_code"])
    db.session.commit()
    return Response(status=204)


class InboundFastPath:
    """WSGI middleware: Twilio's POSTs answered in an application context of their own.

    What a page request pays for and Twilio's does not use: matching the URL against every
    page's rule, opening and saving a session cookie, CSRF, the rate limiter's bookkeeping
    (the webhook is exempt, yet it was asked on every request), sign-in, the page language and
    the pages' headers. An error is answered as the blueprint's own handler answers it; an
    unexpected one is logged and answered 500, or raised where Flask would raise it (tests)."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app, self.wsgi_app = app, wsgi_app
        self.handlers = {f"{bp.url_prefix}/messages": receive_message, f"{bp.url_prefix}/status": receive_status}

    def __call__(self, environ, start_response):
        handler = self.handlers.get(environ.get("PATH_INFO", ""))
        if handler is None or environ.get("REQUEST_METHOD") != "POST":
            return self.wsgi_app(environ, start_response)
        with self.app.app_context():
            try:
                response = handler(self.app.request_class(environ))
            except BadPayload as error:
                response = _bad_payload(error)
            except RequestEntityTooLarge:
                limit = self.app.config["MAX_CONTENT_LENGTH"]
                response = _bad_payload(BadPayload(f"the request is larger than {limit} bytes", 413))
            except Exception:
                db.session.rollback()
                if self.app.config["PROPAGATE_EXCEPTIONS"] or (
                        self.app.config["PROPAGATE_EXCEPTIONS"] is None and (self.app.testing or self.app.debug)):
                    raise
                log.exception("the Twilio webhook failed")
                response = _bad_payload(BadPayload("internal error", 500))
        return response(environ, start_response)
