"""The channel protocol and its registry (a new channel is a new module, nothing else)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class InboundMessage:
    provider: str  # registry name of the channel that received it
    provider_id: str  # the provider's own id; (provider, provider_id) is unique
    channel: str  # "sms" or "whatsapp"
    from_address: str  # E.164
    to_address: str  # E.164 of our endpoint
    body: str
    media: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OutboundMessage:
    message_id: int
    channel: str
    to_address: str
    from_address: str
    body: str


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    status: str


class PermanentSendError(Exception):
    """The provider refused the message; retrying will not help."""


class Channel(Protocol):
    name: str

    def available(self) -> bool: ...

    def send(self, message: OutboundMessage) -> SendResult: ...


_registry: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    _registry[channel.name] = channel
    return channel


def get_channel(name: str) -> Channel:
    _load_builtin_channels()
    return _registry[name]


def _load_builtin_channels() -> None:
    # Importing a channel module registers it.
    from grievance.channels import simulator  # noqa: F401
    from grievance.channels.twilio import sender  # noqa: F401
