"""Moving every encrypted value and every lookup hash to the current keys.

An operator rotating a key sets the new one as GRIEVANCE_DATA_KEY (or GRIEVANCE_HASH_KEY),
lists the old one in GRIEVANCE_PREVIOUS_DATA_KEYS (or GRIEVANCE_PREVIOUS_HASH_KEYS), restarts,
and runs ``flask keys rotate``. Meanwhile everything stays readable and every worker is still
found (privacy.PhoneVault reads under every listed key). The rotation commits in batches and
skips what is current already, so an interrupted run is simply run again; ``flask keys check``
says what is left. Once nothing is, the previous keys can be removed.
"""

from __future__ import annotations

from typing import Callable, Iterator

from cryptography.fernet import InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.models import Case, Conversation, Message, Worker
from grievance.privacy import PhoneVault

BATCH = 500


def _batches(session: Session, model, *where) -> Iterator[list]:
    """Rows by id, one batch at a time: each batch is committed before the next is read."""
    last = 0
    while True:
        rows = session.scalars(select(model).where(model.id > last, *where).order_by(model.id).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _field_rotation(vault: PhoneVault, counts: dict[str, int], apply: bool) -> Callable[[str], str | None]:
    def rotate(token: str) -> str | None:
        """The token under the current key, or None if it already is (or cannot be read)."""
        if vault.is_current(token):
            return None
        try:
            rotated = vault.rotate(token)
        except InvalidToken:
            counts["unreadable"] += 1
            return None
        counts["rotated"] += 1
        return rotated if apply else None

    return rotate


def rotate_keys(session: Session, vault: PhoneVault, *, apply: bool = True,
                progress: Callable[[str, int], None] | None = None) -> dict[str, dict[str, int]]:
    """Re-encrypts numbers, names and senders under the current data key and re-hashes every
    worker under the current hash key. With ``apply=False`` it only counts what is left.
    Returns, per kind of value, how many were (or would be) rotated and how many no listed key reads."""
    report: dict[str, dict[str, int]] = {}

    def counter(kind: str) -> dict[str, int]:
        return report.setdefault(kind, {"rotated": 0, "unreadable": 0})

    numbers, hashes = counter("worker numbers"), counter("worker lookup hashes")
    rotate_number = _field_rotation(vault, numbers, apply)
    for rows in _batches(session, Worker):
        for worker in rows:
            try:
                e164 = vault.decrypt(worker.phone_encrypted)
            except InvalidToken:
                numbers["unreadable"] += 1
                continue
            if (rotated := rotate_number(worker.phone_encrypted)) is not None:
                worker.phone_encrypted = rotated
            if worker.phone_hash != (current := vault.hash(e164)):
                hashes["rotated"] += 1
                if apply:
                    worker.phone_hash = current
        _done(session, apply, progress, "workers", len(rows))

    for kind, model, column in (("message senders", Message, "address_encrypted"),
                                ("names on cases", Case, "name_encrypted")):
        rotate_value = _field_rotation(vault, counter(kind), apply)
        for rows in _batches(session, model, getattr(model, column).is_not(None)):
            for row in rows:
                if (rotated := rotate_value(getattr(row, column))) is not None:
                    setattr(row, column, rotated)
            _done(session, apply, progress, model.__tablename__, len(rows))

    rotate_pending = _field_rotation(vault, counter("names in conversations"), apply)
    for rows in _batches(session, Conversation):
        for conversation in rows:
            name = (conversation.data or {}).get("name")
            if name and (rotated := rotate_pending(name)) is not None:
                conversation.data = {**conversation.data, "name": rotated}
        _done(session, apply, progress, "conversations", len(rows))

    from grievance.channels.ingest import rotate_spool

    spooled = counter("spooled senders")
    spool_counts = rotate_spool(_field_rotation(vault, spooled, apply))
    spooled["unreadable"] += spool_counts["unreadable"]
    return report


def _done(session: Session, apply: bool, progress, what: str, count: int) -> None:
    if apply:
        session.commit()
    else:
        session.rollback()
    if progress:
        progress(what, count)
