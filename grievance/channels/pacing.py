"""Each sender number sends within its rate, across every worker process (Twilio queues or
refuses what comes faster: about one message a second for an SMS long code)."""

from __future__ import annotations

import threading
import time

from grievance.extensions import queues

# Reserve the next free slot of a sender: slot = max(now, next); next = slot + interval.
_RESERVE = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nxt)
redis.call('SET', KEYS[1], tostring(slot + interval), 'PX', math.ceil((slot + interval - now) * 1000) + 1000)
return tostring(slot)
"""

_local_next: dict[str, float] = {}
_local_lock = threading.Lock()


def reserve_slot(sender: str, per_second: float) -> float:
    """Reserve the sender's next sending time; returns how many seconds from now it is."""
    interval = 1.0 / per_second
    if queues.uses_redis:
        now = time.time()
        slot = float(queues.connection().eval(_RESERVE, 1, f"grievance:pace:{sender}", now, interval))
        return slot - now
    with _local_lock:  # one process: a monotonic clock, immune to clock changes
        now = time.monotonic()
        slot = max(now, _local_next.get(sender, 0.0))
        _local_next[sender] = slot + interval
        return slot - now
