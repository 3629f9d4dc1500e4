"""The deadline sweep at scale: every due case escalated in one run, in bounded memory.

Not a test. Seeds N cases whose acknowledge deadline has just passed (each with its worker
and her first message), runs the sweep once, and prints the time and the peak memory (the
process's resident set, sampled every 10 ms, and how much it grew during the sweep). Two
sizes in one run show that memory stays flat while the count grows:

    .venv/bin/python bench/sweep.py [--sizes 10000 50000]

Against DATABASE_URL / REDIS_URL when set (a scratch database), the embedded default when
not. The messages that tell workers are stored and, with Redis, enqueued; without Redis they
are only stored here (sending is what bench/ingest.py measures).
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from scratch import build_app
from sqlalchemy import func, insert, select

from grievance.cli import add_user
from grievance.extensions import db, queues
from grievance.models import Case, CaseEvent, ChannelEndpoint, Factory, Message, Worker
from grievance.models.base import utcnow
from grievance.workflows.deadlines import sweep

CHUNK = 5_000


def resident_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class PeakMemory:
    """Samples the resident set in a thread while the block runs."""

    def __enter__(self):
        self.baseline = self.peak = resident_kib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, resident_kib())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def above_baseline_mib(self) -> float:
        return (self.peak - self.baseline) / 1024

    @property
    def peak_mib(self) -> float:
        return self.peak / 1024


def seed(count: int, run: int) -> None:
    """``count`` new cases, each with a worker and an inbound message, due a minute ago."""
    factory = db.session.scalar(select(Factory).where(Factory.code == "IDN-0001"))
    endpoint = db.session.scalar(select(ChannelEndpoint).where(ChannelEndpoint.factory_id == factory.id))
    now = utcnow()
    due = now - timedelta(minutes=1)
    for start in range(0, count, CHUNK):
        size = min(CHUNK, count - start)
        tag = f"{run}-{start}"
        worker_ids = db.session.scalars(insert(Worker).returning(Worker.id), [
            {"phone_hash": secrets.token_hex(32), "phone_encrypted": "x", "pseudonym": f"W{tag}-{i}",
             "language": "id", "country_code": "ID", "created_at": now, "opted_out_channels": []}
            for i in range(size)]).all()
        case_ids = db.session.scalars(insert(Case).returning(Case.id), [
            {"reference": f"ID-{secrets.token_hex(5).upper()}", "factory_id": factory.id, "country_code": "ID",
             "worker_id": worker_id, "category": "wages", "route": "picc", "status": "new", "language": "id",
             "opened_at": due - timedelta(days=2), "acknowledge_by": due, "resolve_by": now + timedelta(days=20),
             "resolve_unit": "working_days", "anonymous": True, "danger_now": False, "reopen_count": 0,
             "paused_seconds": 0, "escalation_level": 0, "acknowledge_reminded_at": due, "next_check_at": due}
            for worker_id in worker_ids]).all()
        db.session.execute(insert(Message), [
            {"direction": "inbound", "provider": "twilio", "channel": "sms", "endpoint_id": endpoint.id,
             "worker_id": worker_id, "case_id": case_id, "body": "Upah lembur tidak dibayar", "status": "processed",
             "created_at": due, "provider_id": f"SM{secrets.token_hex(16)}"}
            for worker_id, case_id in zip(worker_ids, case_ids)])
        db.session.commit()


def measure(count: int, run: int) -> dict:
    seed(count, run)
    db.session.expire_all()
    with PeakMemory() as memory:
        started = time.perf_counter()
        report = sweep(db.session, utcnow())
        seconds = time.perf_counter() - started
    escalated = db.session.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.kind == "escalated"))
    assert report.escalations == count, report.as_dict()
    return {"cases": count, "seconds": seconds, "per_second": count / seconds, "growth_mib": memory.above_baseline_mib,
            "peak_mib": memory.peak_mib,
            "escalated_total": escalated, "notifications": report.notifications,
            "worker_messages": report.worker_messages}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        app = build_app(Path(scratch))
        if not queues.uses_redis:
            queues.dispatch = lambda func, args, options: None  # stored, not sent (see above)
        with app.app_context():
            add_user("ani@example.org", "Ani", "bench-password-1", "picc", "IDN-0001", None, None, "id")
            add_user("sari@example.org", "Sari", "bench-password-1", "picc", "IDN-0001", None, None, "id")
            add_user("adv@example.org", "Dewi", "bench-password-1", "advisor", "IDN-0001", None, None, "en")
            db.session.commit()
            backend = f"{db.engine.dialect.name}, {'RQ on Redis' if queues.uses_redis else 'jobs stored only'}"
            print(f"deadline sweep ({backend}); batches of 500, each committed")
            print(f"{'due cases':>10} {'seconds':>8} {'cases/s':>8} {'peak RSS MiB':>12} {'growth MiB':>10} "
                  f"{'notifications':>14}")
            results = []
            for run, size in enumerate(args.sizes):
                result = measure(size, run)
                results.append(result)
                print(f"{result['cases']:>10} {result['seconds']:>8.1f} {result['per_second']:>8.0f} "
                      f"{result['peak_mib']:>12.1f} {result['growth_mib']:>10.1f} {result['notifications']:>14}")
            if len(results) > 1:
                first, last = results[0], results[-1]
                print(f"size x{last['cases'] / first['cases']:.1f}: time x{last['seconds'] / first['seconds']:.2f}, "
                      f"peak RSS x{last['peak_mib'] / first['peak_mib']:.2f}")
            print("second run over the same cases:",
                  sweep(db.session, utcnow()).as_dict())
        if os.environ.get("DATABASE_URL"):
            print("(scratch database", os.environ["DATABASE_URL"].rsplit("/", 1)[-1] + ")")


if __name__ == "__main__":
    main()
