"""Sending through Twilio's REST API with the official SDK."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from grievance.channels.base import OutboundMessage, PermanentSendError, SendResult, register
from grievance.channels.twilio.status import TWILIO_TO_OURS

TWILIO_API = "https://api.twilio.com"
STATUS_PATH = "/webhooks/twilio/status"


class BaseUrlHttpClient(TwilioHttpClient):
    """Sends the SDK's requests to TWILIO_API_BASE_URL (a mock, a regional edge, a proxy)."""

    def __init__(self, base_url: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API):]
        return super().request(method, url, *args, **kwargs)


def _address(channel: str, e164: str) -> str:
    return f"whatsapp:{e164}" if channel == "whatsapp" else e164


class TwilioChannel:
    name = "twilio"

    def available(self) -> bool:
        config = current_app.config
        return bool(config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_AUTH_TOKEN"))

    def client(self) -> Client:
        config = current_app.config
        http = BaseUrlHttpClient(config["TWILIO_API_BASE_URL"], timeout=15)
        return Client(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], http_client=http)

    def status_callback(self) -> str | None:
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

    def send(self, message: OutboundMessage) -> SendResult:
        options = {"status_callback": self.status_callback()}
        try:
            created = self.client().messages.create(
                to=_address(message.channel, message.to_address),
                from_=_address(message.channel, message.from_address),
                body=message.body,
                **{key: value for key, value in options.items() if value},
            )
        except TwilioRestException as error:
            # A 4xx other than a timeout or a rate limit will be refused again: do not retry it.
            if 400 <= error.status < 500 and error.status not in (408, 429):
                raise PermanentSendError(f"twilio {error.status} code {error.code}") from None
            raise
        return SendResult(provider_id=created.sid, status=TWILIO_TO_OURS.get(created.status, "sending"))


register(TwilioChannel())
