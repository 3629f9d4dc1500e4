"""Who a worker is: found by a keyed hash of her number, created on her first message (or when
a roster names her); her number itself is only ever stored encrypted."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Select, event, select, update
from sqlalchemy.orm import Session, SessionTransaction

from grievance.models import Worker
from grievance.models.base import dialect_insert, insert_ignoring_conflicts
from grievance.privacy import PhoneVault, new_pseudonym


# The ids of the workers whose rows this session's transaction holds locked (PostgreSQL).
_LOCKED = "grievance.locked_workers"
# What this session's transaction keeps while it holds the rows (``held_while_locked``).
_HELD = [_LOCKED]


def held_while_locked(key: str) -> None:
    """``session.info[key]`` is dropped when the locks may have gone, as the locks' own record is."""
    if key not in _HELD:
        _HELD.append(key)


def _release(session: Session) -> None:
    for key in _HELD:
        session.info.pop(key, None)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the transaction itself, committed, rolled back or closed
        _release(session)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, _previous: SessionTransaction) -> None:
    # A rollback to a savepoint releases the locks taken after it (a released savepoint's locks
    # stay with the transaction: opening a case in one keeps her row locked).
    _release(session)


def _locked(session: Session, workers: list[Worker]) -> None:
    if session.get_bind().dialect.name == "postgresql":  # SQLite ignores FOR UPDATE
        session.info.setdefault(_LOCKED, set()).update(worker.id for worker in workers)


def holds_lock(session: Session, worker: Worker) -> bool:
    """Whether this transaction has her row locked already (``lock_workers``,
    ``find_or_create_worker``; PostgreSQL only)."""
    return worker.id in session.info.get(_LOCKED, ())


def lock_rows(session: Session, worker_ids: Iterable[int] | Select) -> dict[int, Worker]:
    """These workers' rows, locked until the commit, taken in the order of their hash as
    ``lock_workers`` takes a batch's: whatever else locks her row (a PICC member resolving her
    case, a survey's batch, the expiry round, a run cancelled) waits for her message being
    processed, or it for them, and never both for each other. ``FOR NO KEY UPDATE``: rows that
    only refer to her (a run's delivery, a roster's subscriber row) are stored meanwhile without
    waiting, and a statement storing thousands of those (a run starting) holds no message of
    hers up. ``worker_ids`` may be a query of ids. Returns the workers by id."""
    if not isinstance(worker_ids, Select):
        worker_ids = sorted(set(worker_ids))
        if not worker_ids:
            return {}
    query = select(Worker).where(Worker.id.in_(worker_ids))
    if session.get_bind().dialect.name == "postgresql":
        query = query.order_by(Worker.phone_hash).with_for_update(of=Worker, key_share=True)
    else:  # SQLite ignores FOR UPDATE: a write takes its lock on the whole database
        session.execute(update(Worker).where(Worker.id.in_(worker_ids)).values(id=Worker.id),
                        execution_options={"synchronize_session": False})
    found = {worker.id: worker for worker in session.scalars(query)}
    _locked(session, list(found.values()))
    return found


def lock_worker(session: Session, worker: Worker) -> None:
    """Her row locked until the commit, unless this transaction holds it already."""
    if not holds_lock(session, worker):
        lock_rows(session, [worker.id])


def lock_workers(session: Session, senders: list[tuple[str, str]], vault: PhoneVault,
                 now: datetime) -> dict[str, Worker]:
    """The workers of these (number, country code) pairs, read and locked in one statement, and
    those not known yet created in one more, each in the order of their hash: two batches that
    share workers take their rows in the same order, so neither can end up waiting for the
    other. Returns them by hash, for ``find_or_create_worker``'s ``known``. (While keys rotate,
    a number not found under the current hash may be stored under an old one: nobody is created
    here then, and ``find_or_create_worker`` finds or creates each of those on her own, in the
    order of the messages.)"""
    numbers: dict[str, tuple[str, str]] = {}
    rotating = False
    for e164, country_code in senders:
        current, *previous = vault.lookup_hashes(e164)
        numbers.setdefault(current, (e164, country_code))
        rotating = rotating or bool(previous)
    if not numbers:
        return {}
    hashes = sorted(numbers)
    found = {worker.phone_hash: worker for worker in session.scalars(
        select(Worker).where(Worker.phone_hash.in_(hashes)).order_by(Worker.phone_hash)
        .with_for_update(key_share=True))}
    missing = [phone_hash for phone_hash in hashes if phone_hash not in found]
    if missing and not rotating:
        insert = dialect_insert(session.get_bind().dialect.name)
        rows = [{"phone_hash": phone_hash, "phone_encrypted": vault.encrypt(numbers[phone_hash][0]),
                 "pseudonym": new_pseudonym(), "country_code": numbers[phone_hash][1],
                 "opted_out_channels": [], "created_at": now} for phone_hash in missing]
        # One just created elsewhere is skipped here (and found by find_or_create_worker).
        found.update((worker.phone_hash, worker) for worker in session.scalars(
            insert(Worker).values(rows).on_conflict_do_nothing(index_elements=["phone_hash"]).returning(Worker)))
    _locked(session, list(found.values()))
    return found


def find_or_create_worker(session: Session, e164: str, vault: PhoneVault, country_code: str,
                          now: datetime, known: dict[str, Worker] | None = None) -> Worker:
    """Her row, locked until the commit; ``known`` holds those ``lock_workers`` read already."""
    current, *previous = vault.lookup_hashes(e164)
    if known and current in known:
        _locked(session, [known[current]])
        return known[current]
    if previous:  # keys are rotating: she may still be stored under a previous hash key
        # FOR UPDATE, not NO KEY: her hash, a key, changes
        stored = session.scalar(select(Worker).where(Worker.phone_hash.in_(previous)).with_for_update())
        if stored is not None:
            stored.phone_hash = current
            if not vault.is_current(stored.phone_encrypted):
                stored.phone_encrypted = vault.encrypt(e164)
            _locked(session, [stored])
            return stored
    phone_hash = current
    # Most messages come from workers we know: one round trip finds and locks her row.
    # Locked until the commit: two messages from one worker processed at once must not both
    # find "no open case" and open two (PostgreSQL; SQLite serializes writers anyway).
    found = session.scalar(select(Worker).where(Worker.phone_hash == phone_hash).with_for_update(key_share=True))
    if found is not None:
        _locked(session, [found])
        return found
    insert_ignoring_conflicts(
        session,
        Worker,
        {
            "phone_hash": phone_hash,
            "phone_encrypted": vault.encrypt(e164),
            "pseudonym": new_pseudonym(),
            "country_code": country_code,
            "opted_out_channels": [],
            "created_at": now,
        },
        conflict=["phone_hash"],
    )
    created = session.scalar(select(Worker).where(Worker.phone_hash == phone_hash).with_for_update(key_share=True))
    _locked(session, [created])
    return created
