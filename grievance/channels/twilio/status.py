"""Twilio delivery statuses mapped onto ours (``advance`` keeps them moving forward only).

A callback can overtake our record of Twilio's answer to the send (the provider id is stored
moments after the answer): one for no message yet is kept (``EarlyStatus``) and put on its
message by the next round, so a failure the committee must see is never dropped."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from grievance.channels.base import advance
from grievance.extensions import db
from grievance.models import EarlyStatus, Message
from grievance.models.message import DELIVERED, FAILED, OUTBOUND, SENDING, SENT

TWILIO_TO_OURS = {
    "accepted": SENDING, "scheduled": SENDING, "queued": SENDING, "sending": SENDING,
    "sent": SENT, "delivered": DELIVERED, "read": "read",
    "undelivered": FAILED, "failed": FAILED, "canceled": FAILED,
}
# Twilio error: the recipient replied STOP (or its equivalent) and Twilio blocks the number.
RECIPIENT_OPTED_OUT = "21610"
ERROR_MAX = Message.error.type.length
# A status kept this long with no message of ours for its id was for none (another app on the
# account, a message long gone): it goes.
EARLY_STATUS_KEPT = timedelta(days=2)


def record_status(provider_id: str, twilio_status: str, error_code: str | None) -> None:
    """A delivery callback: the status moves forward only (callbacks arrive out of order)."""
    if twilio_status not in TWILIO_TO_OURS:
        return
    message = db.session.scalar(
        select(Message)
        .where(Message.provider == "twilio", Message.provider_id == provider_id, Message.direction == OUTBOUND)
        .with_for_update(of=Message)
    )
    if message is None:
        if TWILIO_TO_OURS[twilio_status] == SENDING:
            return  # says no more than the record of the send will
        # Its send's answer is not recorded yet: kept for the next round.
        db.session.add(EarlyStatus(provider="twilio", provider_id=provider_id, status=twilio_status,
                                   error_code=(error_code or None) and error_code[:16]))
        return
    _apply(message, twilio_status, error_code)


def _apply(message: Message, twilio_status: str, error_code: str | None) -> None:
    ours = TWILIO_TO_OURS[twilio_status]
    message.status = advance(message.status, ours)
    if ours == FAILED and error_code:
        # Twilio's codes are five digits; whatever comes, what fits the column is kept and the
        # callback succeeds (a 5xx would only make Twilio send the same again).
        message.error = f"twilio error {error_code}"[:ERROR_MAX]
        if error_code == RECIPIENT_OPTED_OUT and message.worker is not None:
            message.worker.set_opted_out(message.channel, True)


def apply_early_statuses(now: datetime) -> int:
    """The periodic round: kept statuses put on their messages, once each, in the order they
    came; those for no message after ``EARLY_STATUS_KEPT`` dropped. Returns how many were put."""
    found = db.session.execute(
        select(EarlyStatus, Message)
        .join(Message, (Message.provider == EarlyStatus.provider) & (Message.provider_id == EarlyStatus.provider_id)
              & (Message.direction == OUTBOUND))
        .where(EarlyStatus.provider == "twilio")
        .order_by(EarlyStatus.id)
        .with_for_update(of=[EarlyStatus, Message], skip_locked=True)).all()
    for early, message in found:
        if early.status in TWILIO_TO_OURS:
            _apply(message, early.status, early.error_code)
        db.session.delete(early)
    db.session.execute(delete(EarlyStatus).where(EarlyStatus.received_at < now - EARLY_STATUS_KEPT),
                       execution_options={"synchronize_session": False})
    return len(found)
