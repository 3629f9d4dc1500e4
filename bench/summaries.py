"""The summaries' facts at scale: 200 factories with 10,000 cases, then with 1,000,000.

Not a test. On PostgreSQL (DATABASE_URL: a scratch database of your own; its public schema is
dropped and rebuilt), builds the cases with INSERT … SELECT generate_series, rebuilds the facts,
then times, at each size:

- ``facts.load`` for the 200 factories × the last closed quarter and its three months;
- ``facts.refresh`` after 100 changed cases (spread over the factories and the four years);
- ``report.buyer_summary`` for a buyer every factory granted access: as the first page after a
  refresh (the year's suppressed grid built anew), and with the grid kept.

Prints each time (median of N runs), the ratio 1M/10k, and how long the rebuilds took.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/grievance_bench_summaries .venv/bin/python bench/summaries.py [--runs 5]

The spread: cases opened over the four years before the clock, one in seven from a worker who
wrote to the factory before, one in 25 with the advisors; 85 % resolved, most within their
deadlines. Pauses (which need the clock_resumed events) are left out.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from scratch import build_app, median_ms  # noqa: E402

from sqlalchemy import select, text  # noqa: E402

from grievance.cli import add_factory, add_user  # noqa: E402
from grievance.extensions import db  # noqa: E402
from grievance.models import Factory  # noqa: E402
from grievance.summaries import facts  # noqa: E402
from grievance.summaries.periods import QUARTER, last_closed  # noqa: E402

FACTORIES = 200
COUNTRIES = ("ID", "BD", "VN", "KH", "JO")
# The clock of the run: the facts are read as a buyer would read them on that day.
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
CHUNK = 200_000
# Each refresh of the run happens ten minutes after the one before (past the overlap): it
# reads the cases changed since, not those of the runs before.
_STEP = timedelta(minutes=20)
_clock = [NOW]


def tick() -> datetime:
    _clock[0] += _STEP
    return _clock[0]

_WORKERS = """
INSERT INTO workers (id, phone_hash, phone_encrypted, pseudonym, language, country_code, created_at,
                     opted_out_channels)
SELECT g, lpad(to_hex(g), 64, '0'), 'x', 'B' || g, 'id', 'ID', '2022-12-31', '[]'
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) g
"""
# One row per case: its factory by the serial, its times drawn at random over four years.
_CASES = """
INSERT INTO cases (id, reference, factory_id, country_code, worker_id, category, route, status, language,
                   opened_at, acknowledge_by, resolve_by, resolve_unit, acknowledged_at, resolved_at, closed_at,
                   satisfied, outcome_code, anonymous, danger_now, reopen_count, paused_seconds, escalation_level,
                   version, updated_at)
SELECT g, 'BX-' || lpad(to_hex(g), 10, '0'), f.id, f.country_code,
       CASE WHEN g % 7 = 0 AND g > CAST(:factories AS integer) THEN g - CAST(:factories AS integer) ELSE g END,
       (ARRAY['wages', 'hours_leave', 'safety_health', 'contracts_dismissal', 'discrimination',
              'union_representatives', 'other', 'wages'])[1 + g % 8],
       CASE WHEN g % 25 = 0 THEN 'advisor' ELSE 'picc' END,
       CASE WHEN t.resolved THEN 'closed' WHEN t.acknowledged THEN 'acknowledged' ELSE 'new' END, 'id',
       t.opened, t.opened + interval '2 days', t.opened + interval '21 days', 'working_days',
       CASE WHEN t.acknowledged THEN t.opened + t.ack END,
       CASE WHEN t.resolved THEN t.opened + t.ack + t.work END,
       CASE WHEN t.resolved THEN t.opened + t.ack + t.work + interval '3 days' END,
       CASE WHEN t.resolved AND g % 3 > 0 THEN g % 5 > 0 END,
       CASE WHEN t.resolved THEN (ARRAY['remedied', 'partly_remedied', 'not_upheld', 'withdrawn'])[1 + g % 4] END,
       g % 9 > 0, false, CASE WHEN g % 50 = 0 THEN 1 ELSE 0 END, 0, CASE WHEN g % 11 = 0 THEN 1 ELSE 0 END,
       1, t.opened + interval '1 day'
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) g
JOIN (SELECT id, country_code, row_number() OVER (ORDER BY id) - 1 AS k FROM factories) f ON f.k = g % CAST(:factories AS integer)
CROSS JOIN LATERAL (
  SELECT timestamptz '2022-12-01 00:00+00' + (random() + g * 0) * interval '1460 days' AS opened,
         random() < 0.9 AS acknowledged, random() < 0.85 AS resolved,
         random() * interval '3 days' AS ack, random() * interval '25 days' AS work
) t
"""


def make_factories() -> list[int]:
    made = [add_factory(f"{COUNTRIES[index % len(COUNTRIES)]}S-{index:04d}", f"Factory {index}",
                        COUNTRIES[index % len(COUNTRIES)], None, []).id for index in range(FACTORIES)]
    db.session.commit()
    return made


def seed(first: int, last: int) -> None:
    for start in range(first, last + 1, CHUNK):
        end = min(start + CHUNK - 1, last)
        db.session.execute(text("SELECT setseed(:seed)"), {"seed": (start % 1000) / 1000})
        db.session.execute(text(_WORKERS), {"first": start, "last": end})
        db.session.execute(text(_CASES), {"first": start, "last": end, "factories": FACTORIES})
        db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("workers", "cases", "summary_facts"):
            connection.execute(text(f"VACUUM ANALYZE {table}"))


def change_cases(count: int, salt: int, at: datetime) -> None:
    """``count`` cases, spread over the factories and the years, changed as a person would."""
    total = db.session.scalar(text("SELECT max(id) FROM cases"))
    ids = [1 + (serial * 7_919 + salt * 104_729) % total for serial in range(count)]
    db.session.execute(text("UPDATE cases SET satisfied = true, updated_at = :at, version = version + 1 "
                            "WHERE id = ANY(:ids)"), {"at": at, "ids": ids})
    db.session.commit()


def buyer_viewer():
    """A buyer whose organisation every factory granted access; None until report.py exists."""
    try:
        from grievance.summaries.report import buyer_summary  # noqa: F401
    except ImportError:
        return None
    from grievance.access.grants import grant, organisation_for
    from grievance.access.viewer import Viewer

    user = add_user("buyer@example.org", "Buyer", "bench-password-1", "buyer", None, None, "Bench Brand", "en")
    organisation = organisation_for("Bench Brand")
    for factory in db.session.scalars(select(Factory)):
        grant(factory, organisation, None, NOW)
    db.session.commit()
    return Viewer.for_user(user)


def measure(factory_ids: list[int], viewer, runs: int, salt: int) -> dict[str, float | None]:
    quarter = last_closed(NOW, "Asia/Jakarta", QUARTER)
    periods = [quarter, *quarter.months()]
    results: dict[str, float | None] = {
        "load 200 × quarter + months": median_ms(lambda: facts.load(db.session, factory_ids, periods), runs)}
    refreshes = []
    for run in range(runs):
        changed_at = tick()
        change_cases(100, salt + run, changed_at)
        started = time.perf_counter()
        recomputed = facts.refresh(db.session, changed_at + facts.OVERLAP + timedelta(minutes=1))
        refreshes.append((time.perf_counter() - started) * 1000)
        print(f"  refresh {run + 1}: {recomputed} factory-months in {refreshes[-1]:.0f} ms")
    results["refresh after 100 changed"] = statistics.median(refreshes)
    results["report.buyer_summary"] = None
    if viewer is not None:
        from grievance.summaries.report import buyer_summary

        from grievance.summaries import report

        def uncached():
            report._GRIDS.clear()  # as the first page after a refresh: the year's grid built anew
            return buyer_summary(db.session, viewer, quarter, NOW)

        results["report.buyer_summary"] = median_ms(uncached, runs)
        results["buyer_summary, grid kept"] = median_ms(lambda: buyer_summary(db.session, viewer, quarter, NOW),
                                                               runs)
    return results


def rebuild() -> float:
    started = time.perf_counter()
    facts.rebuild(db.session, tick())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 1_000_000])
    args = parser.parse_args()
    if not (os.environ.get("DATABASE_URL") or "").startswith("postgresql"):
        sys.exit("bench/summaries.py measures PostgreSQL: set DATABASE_URL to a scratch database of your own")
    small, large = args.sizes
    with tempfile.TemporaryDirectory() as scratch:
        app = build_app(Path(scratch))
        with app.app_context():
            factory_ids = make_factories()
            viewer = buyer_viewer()
            if viewer is None:
                print("report not available: grievance.summaries.report.buyer_summary is not there yet")
            started = time.perf_counter()
            seed(1, small)
            print(f"{small:,} cases built in {time.perf_counter() - started:.1f} s, facts rebuilt in {rebuild():.1f} s")
            before = measure(factory_ids, viewer, args.runs, salt=1)
            started = time.perf_counter()
            seed(small + 1, large)
            print(f"grown to {large:,} cases in {time.perf_counter() - started:.1f} s, "
                  f"facts rebuilt in {rebuild():.1f} s")
            facts_rows = db.session.scalar(text("SELECT count(*) FROM summary_facts"))
            after = measure(factory_ids, viewer, args.runs, salt=1_000)
        print(f"{'':<30} {small:>10,} {large:>12,} {'ratio':>6}   ({facts_rows:,} fact rows; median of {args.runs})")
        for key in before:
            if before[key] is None:
                print(f"{key:<30} {'report not available':>30}")
                continue
            print(f"{key:<30} {before[key]:>8.1f}ms {after[key]:>10.1f}ms {after[key] / before[key]:>6.2f}")
        print("(scratch database", os.environ["DATABASE_URL"].rsplit("/", 1)[-1] + ")")


if __name__ == "__main__":
    main()
