"""Twilio webhook payloads (form fields as Twilio names them)."""

from __future__ import annotations

import functools

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from grievance.privacy import InvalidPhoneNumber, normalize_phone

WHATSAPP_PREFIX = "whatsapp:"


class Address(fields.String):
    """'+6281…' or 'whatsapp:+6281…' → ('sms' | 'whatsapp', E.164)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        channel = "sms"
        if text.startswith(WHATSAPP_PREFIX):
            channel, text = "whatsapp", text[len(WHATSAPP_PREFIX):]
        try:
            return channel, self.normalize(text)
        except InvalidPhoneNumber:
            raise ValidationError("is not a phone number") from None

    normalize = staticmethod(normalize_phone)


class ServiceAddress(Address):
    """A number of this service (To): the same few on every message, so each is parsed once
    per process. Never a worker's number: hers is parsed anew and kept nowhere."""

    normalize = staticmethod(functools.lru_cache(maxsize=256)(normalize_phone))


class InboundMessageSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    message_sid = fields.String(
        required=True, data_key="MessageSid", validate=validate.Regexp(r"^(SM|MM)[0-9a-fA-F]{32}$")
    )
    account_sid = fields.String(data_key="AccountSid", validate=validate.Regexp(r"^AC[0-9a-fA-F]{32}$"))
    from_ = Address(required=True, data_key="From")
    to = ServiceAddress(required=True, data_key="To")
    body = fields.String(load_default="", data_key="Body")
    num_media = fields.Integer(load_default=0, data_key="NumMedia", validate=validate.Range(0, 10))

    def __init__(self, *, max_body_chars: int, **kwargs):
        super().__init__(**kwargs)
        self.max_body_chars = max_body_chars

    @validates_schema
    def check(self, data, **kwargs):
        if len(data.get("body", "")) > self.max_body_chars:
            raise ValidationError(f"longer than {self.max_body_chars} characters", "Body")
        if "from_" in data and "to" in data and data["from_"][0] != data["to"][0]:
            raise ValidationError("From and To are on different channels", "To")


class StatusCallbackSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    message_sid = fields.String(
        required=True, data_key="MessageSid", validate=validate.Regexp(r"^(SM|MM)[0-9a-fA-F]{32}$")
    )
    message_status = fields.String(
        required=True,
        data_key="MessageStatus",
        validate=validate.OneOf(
            ["accepted", "scheduled", "queued", "sending", "sent", "delivered", "read",
             "undelivered", "failed", "receiving", "received", "canceled", "partially_delivered"]
        ),
    )
    error_code = fields.String(load_default=None, data_key="ErrorCode")
