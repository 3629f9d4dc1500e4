"""What an admin changes rarely and every opening case reads (routing rules, deadline policies,
holidays), kept per process for a few seconds instead of read at every message.

A change made in this process empties the cache at once (any session that flushes such a row),
and the session that made it reads past the cache until it commits or rolls back, so nothing
uncommitted is ever kept. A change made in another process (an admin's page served by a web
process) is read by this one at most ``SECONDS`` later.

The listeners are registered when this module is imported (no connection is made): they must
see every flush before the first value is kept.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Hashable

from sqlalchemy import event
from sqlalchemy.orm import Session

from grievance.models import DeadlinePolicy, Holiday, RoutingRule

SECONDS = 5.0
RULE_TYPES = (RoutingRule, DeadlinePolicy, Holiday)
_WRITING = "grievance.rules_written"

_entries: dict[Hashable, tuple[float, Any]] = {}
_lock = threading.Lock()
clock: Callable[[], float] = time.monotonic  # replaced by tests


def cached(session: Session, key: Hashable, load: Callable[[], Any]) -> Any:
    """``load()``'s answer, as read at most ``SECONDS`` ago (a plain value, never a row)."""
    if session.info.get(_WRITING):
        return load()  # her own uncommitted change: read it, keep nothing
    now = clock()
    with _lock:
        hit = _entries.get(key)
    if hit is not None and now - hit[0] < SECONDS:
        return hit[1]
    value = load()
    with _lock:
        _entries[key] = (now, value)
    return value


def forget() -> None:
    with _lock:
        _entries.clear()


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    if any(isinstance(row, RULE_TYPES) for row in (*session.new, *session.dirty, *session.deleted)):
        session.info[_WRITING] = True
        forget()


def _after_end(session: Session, *_args) -> None:
    if session.info.pop(_WRITING, None):
        forget()  # whatever was read meanwhile from another session may predate the commit


event.listen(Session, "after_commit", _after_end)
event.listen(Session, "after_soft_rollback", _after_end)
