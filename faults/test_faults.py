"""Nothing lost, nothing twice: Redis or PostgreSQL falling over under load, a worker killed
mid-job, webhooks delivered twice at once. Each run prints its counts."""

from __future__ import annotations

import os
import signal
import time

from faults.conftest import OUTAGE_SECONDS
from faults.stack import Load, Stack, phones, wait_until


def settle(stack: Stack, senders: list[str], seconds: float = 180) -> dict[str, int]:
    """Run the requeue as cron does, until every message is stored, processed and answered."""
    expected = len(senders)

    def done() -> bool:
        counts = stack.counts(senders)
        return counts["stored"] == counts["processed"] == counts["replied"] == expected

    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        stack.requeue()
        time.sleep(2)
    time.sleep(2)  # anything still on its way (a second copy) has arrived now
    return stack.counts(senders)


def report(name: str, load: Load, counts: dict[str, int], stack: Stack) -> None:
    print(f"\n{name}: sent={len(load.phones)} answered={dict(load.answers)} " +
          " ".join(f"{key}={value}" for key, value in counts.items()))
    for phone, said in stack.twilio.sent_twice().items():
        print(f"  sent twice to …{phone[-3:]}: {said}")


def errors(stack: Stack, name: str) -> str:
    """The lines of a process's whole log that tell why something failed: tracebacks and
    error records with what follows them, and every answer other than 200."""
    lines, kept, follow = stack.log(name, tail=None).splitlines(), [], 0
    for line in lines:
        if "Traceback" in line or "ERROR" in line or "[error]" in line.lower():
            follow = 60
        if follow or ('HTTP/1.1" ' in line and 'HTTP/1.1" 200' not in line):
            kept.append(line)
        follow = max(0, follow - 1)
    return "\n".join(kept[-200:])


def assert_all_once(load: Load, counts: dict[str, int], stack: Stack) -> None:
    expected = len(load.phones)
    logs = errors(stack, "web") + "\n" + stack.log("worker-0")
    if set(load.answers) != {200}:
        print(logs)  # pytest shortens what an assertion shows
    assert set(load.answers) == {200}, (dict(load.answers), logs)
    assert counts == {"stored": expected, "processed": expected, "replied": expected, "duplicates": 0}, \
        (counts, stack.twilio.sent_twice(), logs)


def test_webhooks_delivered_twice_at_once_are_stored_and_answered_once(make_stack):
    stack = make_stack(workers=1)
    load = Load(stack, phones(60), rate=20, twice=0.2).start()
    load.wait()
    counts = settle(stack, load.phones)
    report("twice", load, counts, stack)
    assert sum(load.answers.values()) > len(load.phones)  # some were delivered twice
    assert_all_once(load, counts, stack)


def test_redis_down_under_load_loses_nothing_and_the_worker_rides_it_out(make_stack):
    stack = make_stack(workers=1)
    load = Load(stack, phones(int(OUTAGE_SECONDS * 2 + 30)), rate=2).start()
    time.sleep(5)
    stack.redis.stop()
    time.sleep(OUTAGE_SECONDS)
    stack.redis.start()  # back, and empty: the jobs it held are gone
    load.wait()
    counts = settle(stack, load.phones)
    report("redis down", load, counts, stack)
    assert stack.workers[0].poll() is None, "the worker quit during the outage:\n" + stack.log("worker-0")
    assert "Redis is unreachable" in stack.log("worker-0", tail=None)  # the outage did reach it
    assert_all_once(load, counts, stack)


def test_postgres_down_under_load_is_answered_from_the_spool_and_replayed_once(make_stack):
    stack = make_stack(workers=1)
    load = Load(stack, phones(int(OUTAGE_SECONDS * 2 + 30)), rate=2).start()
    time.sleep(5)
    stack.postgres.stop()
    time.sleep(OUTAGE_SECONDS)
    stack.postgres.start()
    load.wait()
    counts = settle(stack, load.phones)
    report("postgres down", load, counts, stack)
    assert "spooled for replay" in stack.log("web", tail=None)  # the outage did reach the webhook
    assert_all_once(load, counts, stack)


def test_a_worker_killed_mid_job_leaves_nothing_unsent_and_nothing_sent_twice(make_stack):
    stack = make_stack(workers=2, twilio_delay=0.4)  # each send takes a while: kills land mid-send
    load = Load(stack, phones(40), rate=8).start()
    killed = 0
    for _ in range(4):
        time.sleep(1.2)
        victim = stack.workers[killed % 2]
        os.killpg(victim.pid, signal.SIGKILL)  # no warm shutdown, no cleanup
        victim.wait(10)
        stack.workers[killed % 2] = stack.start_worker(10 + killed)  # restarted, as systemd does
        killed += 1
    load.wait()
    counts = settle(stack, load.phones)
    report(f"worker killed {killed} times", load, counts, stack)
    assert wait_until(lambda: all(worker.poll() is None for worker in stack.workers), 5)
    assert_all_once(load, counts, stack)
