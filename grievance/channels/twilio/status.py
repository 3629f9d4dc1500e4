"""Twilio delivery statuses mapped onto ours (``advance`` keeps them moving forward only)."""

from __future__ import annotations

from sqlalchemy import select

from grievance.channels.base import advance
from grievance.extensions import db
from grievance.models import Message
from grievance.models.message import DELIVERED, FAILED, OUTBOUND, SENDING, SENT

TWILIO_TO_OURS = {
    "accepted": SENDING, "scheduled": SENDING, "queued": SENDING, "sending": SENDING,
    "sent": SENT, "delivered": DELIVERED, "read": "read",
    "undelivered": FAILED, "failed": FAILED, "canceled": FAILED,
}
# Twilio error: the recipient replied STOP (or its equivalent) and Twilio blocks the number.
RECIPIENT_OPTED_OUT = "21610"
ERROR_MAX = Message.error.type.length


def record_status(provider_id: str, twilio_status: str, error_code: str | None) -> None:
    """A delivery callback: the status moves forward only (callbacks arrive out of order)."""
    ours = TWILIO_TO_OURS.get(twilio_status)
    if ours is None:
        return
    message = db.session.scalar(
        select(Message)
        .where(Message.provider == "twilio", Message.provider_id == provider_id, Message.direction == OUTBOUND)
        .with_for_update(of=Message)
    )
    if message is None:
        return
    message.status = advance(message.status, ours)
    if ours == FAILED and error_code:
        # Twilio's codes are five digits; whatever comes, what fits the column is kept and the
        # callback succeeds (a 5xx would only make Twilio send the same again).
        message.error = f"twilio error {error_code}"[:ERROR_MAX]
        if error_code == RECIPIENT_OPTED_OUT and message.worker is not None:
            message.worker.set_opted_out(message.channel, True)
