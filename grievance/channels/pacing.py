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


def reserve_slots(senders: list[tuple[str, float]]) -> list[float]:
    """Reserve each (sender, messages per second)'s next sending time, in the order given (a
    sender named twice gets two slots, one after the other); returns how many seconds from now
    each is. With Redis, one round trip for them all."""
    if queues.uses_redis:
        now = time.time()
        pipe = queues.connection().pipeline(transaction=False)
        for sender, per_second in senders:
            pipe.eval(_RESERVE, 1, f"grievance:pace:{sender}", now, 1.0 / per_second)
        return [float(slot) - now for slot in pipe.execute()]
    with _local_lock:  # one process: a monotonic clock, immune to clock changes
        now, waits = time.monotonic(), []
        for sender, per_second in senders:
            slot = max(now, _local_next.get(sender, 0.0))
            _local_next[sender] = slot + 1.0 / per_second
            waits.append(slot - now)
        return waits
