"""Twilio SMS and Twilio WhatsApp: two channels sending through the official SDK."""

from __future__ import annotations

import json
import threading

from flask import current_app, has_request_context, url_for
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ReadTimeout
from sqlalchemy import select
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from grievance.channels.base import (WHATSAPP_WINDOW, OutboundMessage, PermanentSendError, SendResult,
                                     TransientSendError, UncertainSendError, register)
from grievance.channels.twilio.status import RECIPIENT_OPTED_OUT, TWILIO_TO_OURS
from grievance.extensions import db
from grievance.models import MessageTemplate
from grievance.models.base import utcnow

TWILIO_HOSTS = {"https://api.twilio.com": "TWILIO_API_BASE_URL", "https://content.twilio.com": "TWILIO_CONTENT_BASE_URL"}
STATUS_PATH = "/webhooks/twilio/status"


class BaseUrlHttpClient(TwilioHttpClient):
    """Sends the SDK's requests to the configured base URLs (a mock, a regional edge, a proxy)."""

    def __init__(self, base_urls: dict[str, str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.base_urls = {host: url.rstrip("/") for host, url in base_urls.items() if url}

    def request(self, method, url, *args, **kwargs):
        for host, base in self.base_urls.items():
            if url.startswith(host):
                url = base + url[len(host):]
                break
        return super().request(method, url, *args, **kwargs)


_clients = threading.local()


def twilio_client() -> Client:
    """One client per thread and settings: its HTTP session keeps the connection to Twilio open
    from one send to the next (a new client per send paid a TCP and TLS handshake each time)."""
    config = current_app.config
    bases = {host: config.get(setting) for host, setting in TWILIO_HOSTS.items()}
    key = (config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], tuple(sorted(bases.items(), key=str)))
    if getattr(_clients, "key", None) != key:
        http = BaseUrlHttpClient(bases, timeout=15)
        _clients.client = Client(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], http_client=http)
        _clients.key = key
    return _clients.client


def status_callback() -> str | None:
    """Where Twilio reports delivery: PUBLIC_BASE_URL, or the URL of the request we run in.

    A worker process without PUBLIC_BASE_URL cannot know its public address; then the
    message is sent without a callback rather than with a wrong one.
    """
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + STATUS_PATH
    if has_request_context():
        return url_for("twilio_webhooks.status_callback", _external=True)
    return None


def send_error(error: Exception) -> Exception:
    """What a failed call to Twilio means for a retry, as the channel errors say it."""
    if isinstance(error, TwilioRestException):
        if error.status == 429 or error.status >= 500:
            return TransientSendError(f"TwilioRestException {error.status}")
        if 400 <= error.status < 500 and error.status != 408:
            # Refused, and it will be refused again: do not retry it.
            return PermanentSendError(f"twilio {error.status} code {error.code}",
                                      opted_out=str(error.code) == RECIPIENT_OPTED_OUT)
        return UncertainSendError(f"TwilioRestException {error.status}")
    if isinstance(error, RequestsConnectionError) and not isinstance(error, ReadTimeout):
        return TransientSendError(type(error).__name__)  # refused: the request never arrived
    # A read timeout or anything unforeseen: the message may have left.
    return UncertainSendError(type(error).__name__)


class TwilioSms:
    name = "twilio-sms"
    provider = "twilio"
    channel = "sms"
    prefix = ""

    def available(self) -> bool:
        config = current_app.config
        return bool(config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_AUTH_TOKEN"))

    def content(self, message: OutboundMessage) -> dict:
        return {"body": message.body}

    def send(self, message: OutboundMessage) -> SendResult:
        options = {"status_callback": status_callback(), **self.content(message)}
        try:
            created = twilio_client().messages.create(
                to=self.prefix + message.to_address,
                from_=self.prefix + message.from_address,
                **{key: value for key, value in options.items() if value},
            )
        except Exception as error:
            raise send_error(error) from error
        return SendResult(provider_id=created.sid, status=TWILIO_TO_OURS.get(created.status, "sending"))

    def find_sent(self, message: OutboundMessage, since) -> SendResult | None:
        """The message, if Twilio did accept it (a job killed between Twilio's answer and our commit)."""
        for candidate in twilio_client().messages.list(
            to=self.prefix + message.to_address, from_=self.prefix + message.from_address,
            date_sent_after=since, limit=50,
        ):
            if candidate.body == message.body:
                return SendResult(provider_id=candidate.sid, status=TWILIO_TO_OURS.get(candidate.status, "sending"))
        return None


class TwilioWhatsApp(TwilioSms):
    """Free-form text inside the 24 hours after the worker's last message; an approved template outside."""

    name = "twilio-whatsapp"
    channel = "whatsapp"
    prefix = "whatsapp:"

    def content(self, message: OutboundMessage) -> dict:
        last = message.last_inbound_at
        if last is not None and utcnow() - last < WHATSAPP_WINDOW:
            return {"body": message.body}
        template = db.session.scalar(
            select(MessageTemplate).where(
                MessageTemplate.purpose == message.purpose, MessageTemplate.language == message.language
            )
        )
        if template is None:
            raise PermanentSendError(
                f"outside WhatsApp's 24-hour window and no approved template for "
                f"{message.purpose!r} in {message.language!r}"
            )
        variables = {str(i): str(message.variables.get(name, "")) for i, name in
                     enumerate(template.variable_names, start=1)}
        return {"content_sid": template.content_sid, "content_variables": json.dumps(variables, ensure_ascii=False)}


register(TwilioSms())
register(TwilioWhatsApp())
