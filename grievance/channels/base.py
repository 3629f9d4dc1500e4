"""The channel protocol, its registry and its send errors (a new channel is a new module).

Channels are loaded by name from the ``CHANNELS`` setting when the app is created, so this
module never imports an implementation: they import it, to register themselves.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Protocol

from flask import current_app

from grievance.config import DEFAULT_CHANNELS
from grievance.models.message import DELIVERED, FAILED, QUEUED, SENDING, SENT


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


class SendError(Exception):
    """A channel could not send; what it means for a retry is said by the subclass."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientSendError(SendError):
    """The message surely did not leave (refused connection, rate limit, provider error): retry."""


class UncertainSendError(SendError):
    """The message may have left (no answer in time): ask the provider before sending again."""


class PermanentSendError(SendError):
    """The provider refused the message; retrying will not help. ``opted_out`` when the
    provider refuses because the recipient asked it to block this sender."""

    def __init__(self, reason: str, *, opted_out: bool = False) -> None:
        super().__init__(reason)
        self.opted_out = opted_out


class Channel(Protocol):
    name: str  # registry name
    provider: str  # who issues the ids of its messages
    channel: str  # "sms" or "whatsapp"

    def available(self) -> bool: ...

    def send(self, message: OutboundMessage) -> SendResult: ...


# The module of each built-in channel; a setting may also name a module by its dotted path.
BUILTIN_CHANNELS = {
    "twilio-sms": "grievance.channels.twilio.sender",
    "twilio-whatsapp": "grievance.channels.twilio.sender",
    "simulator": "grievance.channels.simulator",
}

_registry: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    _registry[channel.name] = channel
    return channel


def load_channels(names: Iterable[str]) -> list[str]:
    """Import the module of each named channel (importing it registers it); returns the names."""
    names = list(names)
    for name in names:
        importlib.import_module(BUILTIN_CHANNELS.get(name, name))
        if name not in _registry and name in BUILTIN_CHANNELS:
            raise LookupError(f"the module of channel {name!r} did not register it")
    return names


def channels() -> list[Channel]:
    """The channels this app was configured with, in the order of its setting."""
    enabled = current_app.config.get("CHANNELS", DEFAULT_CHANNELS)
    return [_registry[name] for name in enabled if name in _registry]


def channel_for(provider: str, channel: str) -> Channel:
    """The implementation that sends ``channel`` messages for ``provider``."""
    for candidate in channels():
        if candidate.provider == provider and candidate.channel in (channel, "*"):
            return candidate
    raise LookupError(f"no channel sends {channel} through {provider}")


# WhatsApp: free-form text only within this long after the worker's last message; an approved
# template outside it.
WHATSAPP_WINDOW = timedelta(hours=24)


def inside_whatsapp_window(last_inbound_at, now) -> bool:
    return last_inbound_at is not None and now - last_inbound_at < WHATSAPP_WINDOW


# Delivery statuses in the order they happen; a status only ever moves forward.
RANK = {QUEUED: 0, SENDING: 1, SENT: 2, DELIVERED: 3, "read": 4, FAILED: 5}


def advance(current: str, new: str) -> str:
    """The later of two statuses; failed is final, read beats delivered beats sent."""
    if current == FAILED:
        return current
    return new if RANK.get(new, -1) > RANK.get(current, -1) else current
