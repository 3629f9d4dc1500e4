"""The channel protocol and its registry (a new channel is a new module, nothing else)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class InboundMessage:
    provider: str  # who issued provider_id: "twilio", "simulator"
    provider_id: str  # the provider's own id; (provider, provider_id) is unique for inbound
    channel: str  # "sms" or "whatsapp"
    from_address: str  # E.164
    to_address: str  # E.164 of our endpoint
    body: str
    media: list[dict] = field(default_factory=list)  # [{"url": …, "content_type": …}]


@dataclass(frozen=True)
class OutboundMessage:
    message_id: int
    channel: str
    to_address: str
    from_address: str
    body: str
    purpose: str | None = None
    language: str | None = None
    variables: dict = field(default_factory=dict)
    # When the worker last wrote on this channel (WhatsApp's 24-hour window).
    last_inbound_at: datetime | None = None


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    status: str


class PermanentSendError(Exception):
    """The provider refused the message; retrying will not help."""

    def __init__(self, reason: str, code: str | None = None) -> None:
        super().__init__(reason)
        self.code = code


class Channel(Protocol):
    name: str  # registry name
    provider: str  # who issues the ids of its messages
    channel: str  # "sms" or "whatsapp"

    def available(self) -> bool: ...

    def send(self, message: OutboundMessage) -> SendResult: ...


_registry: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    _registry[channel.name] = channel
    return channel


def channels() -> list[Channel]:
    _load_builtin_channels()
    return list(_registry.values())


def channel_for(provider: str, channel: str) -> Channel:
    """The implementation that sends ``channel`` messages for ``provider``."""
    for candidate in channels():
        if candidate.provider == provider and candidate.channel in (channel, "*"):
            return candidate
    raise LookupError(f"no channel sends {channel} through {provider}")


def _load_builtin_channels() -> None:
    # Importing a channel module registers it.
    from grievance.channels import simulator  # noqa: F401
    from grievance.channels.twilio import sender  # noqa: F401
