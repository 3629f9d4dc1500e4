"""Which numbers this service answers on, as the webhook asks it: kept per process a few seconds.

The set of numbers changes rarely and every inbound message asks, so a process keeps what it
found for ``ENDPOINT_CACHE_SECONDS`` (a number removed in another process, or by hand in the
database, stops being accepted within that time). A change made through a session of this
process clears the cache when it commits or rolls back, and a lookup that can see uncommitted
changes to numbers is not kept. Numbers not found are never kept: a number just added is
answered on at once.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session, object_session

from grievance.extensions import db
from grievance.models import ChannelEndpoint

CACHE_KEY = "grievance.endpoint_cache"
CHANGED_KEY = "grievance.endpoints_changed"


class EndpointCache:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds, self.clock = seconds, clock
        self._found: dict[tuple[str, str], tuple[int, float]] = {}
        self._lock = threading.Lock()

    def endpoint_id(self, channel: str, address: str) -> int | None:
        key, now = (channel, address), self.clock()
        hit = self._found.get(key)
        if hit is not None and now - hit[1] < self.seconds:
            return hit[0]
        session = db.session()
        found = session.scalar(
            select(ChannelEndpoint.id).where(ChannelEndpoint.channel == channel, ChannelEndpoint.address == address)
        )
        with self._lock:
            if found is None or session.info.get(CHANGED_KEY) or self.seconds <= 0:
                self._found.pop(key, None)
            else:
                self._found[key] = (found, now)
        return found

    def clear(self) -> None:
        with self._lock:
            self._found.clear()


def init_app(app: Flask) -> None:
    app.extensions[CACHE_KEY] = EndpointCache(float(app.config.get("ENDPOINT_CACHE_SECONDS", 5)))
    if not event.contains(ChannelEndpoint, "after_insert", _changed):
        for name in ("after_insert", "after_update", "after_delete"):
            event.listen(ChannelEndpoint, name, _changed)
        event.listen(Session, "after_commit", _settled)
        event.listen(Session, "after_soft_rollback", _rolled_back)


def endpoint_cache() -> EndpointCache:
    return current_app.extensions[CACHE_KEY]


def endpoint_id(channel: str, address: str) -> int | None:
    """The id of the number ``address`` on ``channel``, or None when this service has none such."""
    return endpoint_cache().endpoint_id(channel, address)


def _clear() -> None:
    if has_app_context() and CACHE_KEY in current_app.extensions:
        endpoint_cache().clear()


def _changed(_mapper, _connection, target: ChannelEndpoint) -> None:
    session = object_session(target)
    if session is not None:
        session.info[CHANGED_KEY] = True
    _clear()


def _settled(session: Session) -> None:
    if not session.in_nested_transaction() and session.info.pop(CHANGED_KEY, None):
        _clear()


def _rolled_back(session: Session, previous_transaction) -> None:
    if session.info.get(CHANGED_KEY) and previous_transaction.parent is None:
        session.info.pop(CHANGED_KEY, None)
        _clear()
