"""Accepting an inbound message: store it once, commit, then let a job process it."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict
from pathlib import Path

from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from grievance.channels.base import InboundMessage
from grievance.extensions import db, queues
from grievance.models import ChannelEndpoint, Message
from grievance.models.base import insert_ignoring_conflicts, utcnow
from grievance.models.message import INBOUND, RECEIVED
from grievance.privacy import vault

log = logging.getLogger(__name__)


class UnknownEndpoint(LookupError):
    pass


def find_endpoint(channel: str, address: str) -> ChannelEndpoint | None:
    return db.session.scalar(
        select(ChannelEndpoint).where(ChannelEndpoint.channel == channel, ChannelEndpoint.address == address)
    )


def accept_inbound(inbound: InboundMessage) -> int | None:
    """Store the message and commit; returns its id, or None when it was a retried delivery.

    If the database cannot be reached, the message goes to the spool (see replay_spool)
    and None is returned: the sender is answered as if all went well.
    """
    try:
        return _store(inbound)
    except OperationalError:
        db.session.rollback()
        spool(inbound)
        return None


def _store(inbound: InboundMessage) -> int | None:
    endpoint = find_endpoint(inbound.channel, inbound.to_address)
    if endpoint is None:
        raise UnknownEndpoint(inbound.to_address)
    message_id = insert_ignoring_conflicts(
        db.session,
        Message,
        {
            "direction": INBOUND,
            "provider": inbound.provider,
            "provider_id": inbound.provider_id,
            "channel": inbound.channel,
            "endpoint_id": endpoint.id,
            "address_encrypted": vault().encrypt(inbound.from_address),
            "body": inbound.body,
            "media": inbound.media or None,
            "status": RECEIVED,
            "created_at": utcnow(),
        },
        conflict=["provider", "provider_id"],
        # Literal SQL, not a bound parameter: PostgreSQL matches ON CONFLICT to the partial
        # index by its predicate, which a prepared statement's parameter would hide.
        where=text("direction = 'inbound'"),
    )
    if message_id is not None:
        from grievance.jobs import process_inbound

        queues.defer(process_inbound, message_id)
    db.session.commit()
    return message_id


def _spool_path() -> Path:
    return Path(current_app.config["SPOOL_DIR"]) / "inbound.jsonl"


def spool(inbound: InboundMessage) -> None:
    """Append the message, its sender encrypted, to a local file and fsync it."""
    record = asdict(inbound)
    record["from_address"] = vault().encrypt(inbound.from_address)
    path = _spool_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    log.warning("database unavailable: inbound message spooled for replay")


def replay_spool() -> int:
    """Store spooled messages (duplicates are ignored); returns how many lines were replayed."""
    path = _spool_path()
    if not path.exists():
        return 0
    claimed = path.with_suffix(f".replaying.{os.getpid()}")
    os.replace(path, claimed)  # new spooled messages go to a fresh file meanwhile
    lines = claimed.read_text(encoding="utf-8").splitlines()
    for line in lines:
        record = json.loads(line)
        record["from_address"] = vault().decrypt(record["from_address"])
        try:
            _store(InboundMessage(**record))
        except UnknownEndpoint:
            log.warning("spooled message for an endpoint that no longer exists dropped")
    claimed.unlink()
    return len(lines)
