"""Accepting an inbound message: store it once, commit, then let a job process it.

The jobs are handed in (``use_ingest_jobs``, by ``tasks.init_app``): storage knows that a
stored message is processed, not which job does it."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Callable

from flask import Flask, current_app
from sqlalchemy import Connection, Engine, bindparam, text
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from grievance.channels.base import InboundMessage
from grievance.channels.endpoints import endpoint_cache, endpoint_id
from grievance.extensions import db, queues
from grievance.models import Message
from grievance.models.base import dialect_insert, utcnow
from grievance.models.message import INBOUND, RECEIVED
from grievance.privacy import vault

log = logging.getLogger(__name__)


INGEST_JOBS_KEY = "grievance.ingest_jobs"


class UnknownEndpoint(LookupError):
    pass


@dataclass(frozen=True)
class IngestJobs:
    process: Callable[[int], Any]  # reads one stored message, by its id
    requeue: Callable[[], Any]  # gives every stranded message another job


def use_ingest_jobs(app: Flask, jobs: IngestJobs) -> None:
    app.extensions[INGEST_JOBS_KEY] = jobs


def uses_dispatcher() -> bool:
    """Whether a dispatcher (tasks/dispatch.py) gives stored messages their jobs, not the webhook."""
    return queues.uses_redis and bool(current_app.config.get("INBOUND_DISPATCHER"))


def _jobs() -> IngestJobs:
    return current_app.extensions[INGEST_JOBS_KEY]


NUL, REPLACEMENT = "\x00", "\ufffd"
SPOOL_FILE = "inbound.jsonl"  # in SPOOL_DIR: messages the database could not take yet


def without_nul(text: str) -> str:
    """PostgreSQL text cannot hold NUL; U+FFFD keeps her words and shows a character was there."""
    return text.replace(NUL, REPLACEMENT)


def accept_inbound(inbound: InboundMessage) -> int | None:
    """Store the message and commit; returns its id, or None when it was a retried delivery.

    If the database cannot take it (down, read-only after a failover, pool exhausted), the
    message goes to the spool and None is returned: the sender is answered as if all went well.
    """
    if NUL in inbound.body:
        inbound = replace(inbound, body=without_nul(inbound.body))
    try:
        try:
            message_id = _store(inbound)
        except IntegrityError:
            # The only constraint the insert can break is its number's: removed since this
            # process last looked it up. Look again: gone, it is answered as unknown.
            db.session.rollback()
            endpoint_cache().clear()
            message_id = _store(inbound)
    except UnknownEndpoint:
        raise
    except SQLAlchemyError:
        db.session.rollback()
        spool(inbound)
        return None
    if os.path.exists(os.path.join(current_app.config["SPOOL_DIR"], SPOOL_FILE)):
        # The database answers again: replay what waited in this machine's spool, here, since
        # a worker elsewhere cannot see this disk. Her message is stored already: whatever
        # the replay meets, this answer stays a success.
        try:
            replay_spool()
        except Exception as error:
            db.session.rollback()
            log.warning("spool replay stopped (%s); it resumes with the next message", type(error).__name__)
    if not queues.uses_redis and not current_app.extensions.get("grievance.rounds") and _requeue_due():
        # Without Redis and without the rounds thread (tasks.rounds.start_in_process_rounds),
        # the webhook itself gives stranded messages another job now and then (after the response).
        queues.submit(_jobs().requeue)
    return message_id


_last_requeue = 0.0


def _requeue_due(every: float = 60.0) -> bool:
    global _last_requeue
    now = time.monotonic()
    if now - _last_requeue < every:
        return False
    _last_requeue = now
    return True


_COLUMNS = ("direction", "provider", "provider_id", "channel", "endpoint_id", "address_encrypted", "body", "media",
            "status", "created_at")


@dataclass(frozen=True)
class _CompiledInsert:
    sql: str
    positions: tuple[str, ...] | None  # the parameters' order, for a positional driver (SQLite)
    processors: dict[str, Callable[[Any], Any]]  # the columns' types' bind processing (JSON, UTC)

    def parameters(self, values: dict[str, Any]):
        values = {name: self.processors[name](value) if name in self.processors else value
                  for name, value in values.items()}
        return tuple(values[name] for name in self.positions) if self.positions is not None else values


_inserts: dict[str, _CompiledInsert] = {}


def _compiled_insert(dialect) -> _CompiledInsert:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id, compiled once per process and dialect:
    SQLAlchemy cannot cache a statement with ON CONFLICT, and would compile it per webhook."""
    compiled = _inserts.get(dialect.name)
    if compiled is None:
        table = Message.__table__
        insert = dialect_insert(dialect.name)
        statement = (
            insert(table)
            .values({name: bindparam(name, type_=table.c[name].type) for name in _COLUMNS})
            # Literal SQL, not a bound parameter: PostgreSQL matches ON CONFLICT to the partial
            # index by its predicate, which a prepared statement's parameter would hide.
            .on_conflict_do_nothing(index_elements=["provider", "provider_id"], index_where=text("direction = 'inbound'"))
            .returning(table.c.id)
        ).compile(dialect=dialect)
        processors = {name: processor for name in _COLUMNS
                      if (processor := table.c[name].type.bind_processor(dialect)) is not None}
        compiled = _inserts[dialect.name] = _CompiledInsert(
            str(statement), tuple(statement.positiontup) if dialect.positional else None, processors)
    return compiled


def _fresh_postgres(session) -> Engine | None:
    """The session's engine when it is PostgreSQL's and the session is in no transaction yet."""
    bind = session.get_bind()
    if session.in_transaction() or not isinstance(bind, Engine) or bind.dialect.name != "postgresql":
        return None
    return bind


def _autocommit_engine() -> Engine | None:
    """The engine, when the one INSERT can commit by itself on a pooled connection: PostgreSQL,
    the dispatcher handing the job over (nothing waits on the session's commit), and the
    session not in a transaction (an endpoint looked up this request, say)."""
    if not uses_dispatcher():
        return None
    if db.session.registry.has():  # a session of this request: it may hold a transaction
        return _fresh_postgres(db.session())
    # None yet (an endpoint found in the cache): none is made for one INSERT.
    return db.engine if db.engine.dialect.name == "postgresql" else None


def _insert_autocommit(engine: Engine, values: dict[str, Any]) -> int | None:
    """The INSERT on a connection of the engine's pool, in autocommit: one round trip, as durable
    as a COMMIT (synchronous_commit holds for it), and none of the session's bookkeeping, which
    cost more than the statement. Errors come back as SQLAlchemy's (an IntegrityError, an
    OperationalError), a broken connection leaves the pool."""
    insert = _compiled_insert(engine.dialect)
    dbapi_error = engine.dialect.loaded_dbapi.Error
    try:
        pooled = engine.raw_connection()  # the pool's checkout: its ping of an idle connection included
    except dbapi_error as error:  # the server gone: the pool's connect raises the driver's own error
        raise DBAPIError.instance(None, None, error, dbapi_error, connection_invalidated=True) from error
    connection = pooled.driver_connection
    try:
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(insert.sql, insert.parameters(values))
                row = cursor.fetchone()
        finally:
            if not connection.closed:
                connection.autocommit = False
    except dbapi_error as error:
        if engine.dialect.is_disconnect(error, connection, None):
            pooled.invalidate(error)
        raise DBAPIError.instance(insert.sql, None, error, dbapi_error) from error
    finally:
        pooled.close()
    return row[0] if row else None


def _connection() -> Connection:
    """The session's connection; on PostgreSQL, when the session starts afresh on the engine, in
    autocommit: the one INSERT commits by itself, one round trip where BEGIN, INSERT and
    COMMIT took three. The session's commit still runs its hooks: the job is handed over
    after the row is committed."""
    session = db.session()
    if _fresh_postgres(session) is not None:
        return session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return session.connection()


def _store(inbound: InboundMessage) -> int | None:
    endpoint = endpoint_id(inbound.channel, inbound.to_address)
    if endpoint is None:
        raise UnknownEndpoint(inbound.to_address)
    values = {
        "direction": INBOUND,
        "provider": inbound.provider,
        "provider_id": inbound.provider_id,
        "channel": inbound.channel,
        "endpoint_id": endpoint,
        "address_encrypted": vault().encrypt(inbound.from_address),
        "body": inbound.body,
        "media": inbound.media or None,
        "status": RECEIVED,
        "created_at": utcnow(),
    }
    engine = _autocommit_engine()
    if engine is not None:
        return _insert_autocommit(engine, values)
    connection = _connection()
    insert = _compiled_insert(connection.dialect)
    message_id = connection.exec_driver_sql(insert.sql, insert.parameters(values)).scalar_one_or_none()
    if message_id is not None and not uses_dispatcher():
        queues.defer(_jobs().process, message_id)
    db.session.commit()
    return message_id


def _spool_dir() -> Path:
    return Path(current_app.config["SPOOL_DIR"])


@contextmanager
def _spool_lock():
    """One lock for writers and the replayer, across processes sharing SPOOL_DIR."""
    directory = _spool_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield directory
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def spool(inbound: InboundMessage) -> None:
    """Append the message, its sender encrypted, to a local file and fsync it (one write per line)."""
    record = asdict(inbound)
    record["from_address"] = vault().encrypt(inbound.from_address)
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
    with _spool_lock() as directory:
        _write_private(directory / SPOOL_FILE, line, append=True)
    log.warning("database unavailable: inbound message spooled for replay")


def _write_private(path: Path, data: bytes, *, append: bool) -> None:
    """Write and fsync a file only this service may read (0600 whatever the umask)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
        return True
    except SQLAlchemyError:
        db.session.rollback()
        return False


def replay_spool() -> int:
    """Store spooled messages (duplicates are ignored); returns how many were stored or were already.

    A line is removed only once stored; a line that cannot be read, or that the database refuses
    while it answers (a value it cannot hold), goes to a dead-letter file so it never blocks the
    rest. If the database fails again midway, the rest stays in the spool for the next replay.
    """
    replayed = 0
    with _spool_lock() as directory:
        path = directory / SPOOL_FILE
        if not path.exists():
            return 0
        lines = path.read_bytes().splitlines()
        done = 0
        try:
            for line in lines:
                try:
                    record = json.loads(line)
                    record["from_address"] = vault().decrypt(record["from_address"])
                    inbound = InboundMessage(**record)
                except Exception:
                    _dead_letter(directory, line)
                    done += 1
                    continue
                try:
                    _store(inbound)
                    replayed += 1
                except UnknownEndpoint:
                    db.session.rollback()
                    _dead_letter(directory, line)
                except SQLAlchemyError:
                    db.session.rollback()
                    if not _database_answers():
                        raise  # down again: this line and the rest wait for the next replay
                    _dead_letter(directory, line)
                done += 1
        finally:
            rest = lines[done:]
            if rest:
                tmp = directory / "inbound.jsonl.tmp"
                _write_private(tmp, b"\n".join(rest) + b"\n", append=False)
                os.replace(tmp, path)
            else:
                path.unlink()
    return replayed


def _dead_letter(directory: Path, line: bytes) -> None:
    _write_private(directory / "dead-letter.jsonl", line + b"\n", append=True)
    log.error("a spooled inbound message could not be replayed; kept in dead-letter.jsonl")


def rotate_spool(rotate: Callable[[str], str | None]) -> dict[str, int]:
    """Re-encrypts the sender of every spooled and dead-lettered line (key rotation): ``rotate``
    returns the value under the current key, or None when it is current already. A line that
    cannot be read is left as it is and counted."""
    counts = {"rotated": 0, "unreadable": 0}
    with _spool_lock() as directory:
        for name in (SPOOL_FILE, "dead-letter.jsonl"):
            path = directory / name
            if not path.exists():
                continue
            lines, changed = [], False
            for line in path.read_bytes().splitlines():
                try:
                    record = json.loads(line)
                    rotated = rotate(record["from_address"])
                except Exception:
                    counts["unreadable"] += 1
                    lines.append(line)
                    continue
                if rotated is not None:
                    record["from_address"] = rotated
                    line, changed = json.dumps(record, ensure_ascii=False).encode(), True
                    counts["rotated"] += 1
                lines.append(line)
            if changed:
                tmp = directory / f"{name}.tmp"
                _write_private(tmp, b"\n".join(lines) + b"\n", append=False)
                os.replace(tmp, path)
    return counts
