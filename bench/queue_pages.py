"""The queue's pages at scale: the first page and a filtered page at 1,000 and 1,000,000 cases.

Not a test. On PostgreSQL (DATABASE_URL: a scratch database of your own; its public schema is
dropped and rebuilt), builds 1,000 cases with COPY, times GET /queue and a filtered page
(overdue view, one category) through the real Flask view with a signed-in PICC member and a
country advisor (the test client, median of N runs), then grows the table to 1,000,000 cases
and times them again. Prints each time, the ratio 1M/1k, and the plan of
the slowest statement of each page at 1M.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/grievance_bench_queue .venv/bin/python bench/queue_pages.py [--runs 15]

The spread: 300 factories over the programme's countries (Indonesia the largest). The first
1,000 cases are the month's: 60 % still open (a tenth of those waiting for the worker, a tenth
with her reply unread, the late ones often escalated), a tenth of them at the PICC member's
factory. The 999,000 added are the four years before, resolved (4 %) or closed, 1 % of them at
her factory: the open workload depends on how many write in and how fast cases end, not on
how long the history is. Categories weighted as complaints come, the grave ones with the
advisors.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from scratch import build_app  # noqa: E402

from sqlalchemy import event, select, text  # noqa: E402

from grievance.cli import add_factory, add_user  # noqa: E402
from grievance.extensions import db  # noqa: E402
from grievance.models import ChannelEndpoint, Factory  # noqa: E402
from grievance.models.base import utcnow  # noqa: E402
from grievance.models.case import CROCKFORD  # noqa: E402

PASSWORD = "bench-password-1"
COUNTRIES = {"ID": 35, "BD": 20, "VN": 15, "KH": 12, "JO": 6, "HT": 4, "NI": 4, "LS": 3, "MM": 1}
FACTORIES = 300
CATEGORIES = {"wages": 30, "hours_leave": 20, "safety_health": 15, "contracts_dismissal": 10, "discrimination": 5,
              "union_representatives": 4, "harassment_violence": 6, "child_labour": 1, "forced_labour": 1, "other": 8}
GRAVE = {"harassment_violence", "child_labour", "forced_labour"}
BIG_FACTORY_SHARE = 0.01
# The month's cases: the workload that is open now, the same whether the history behind it
# is short or long (it depends on how many write in and how fast cases are resolved).
RECENT = 1_000
RECENT_OPEN = 0.6
RECENT_BIG_SHARE = 0.1
FILTERED = "/queue?view=overdue&category=wages"


def reference(country: str, serial: int) -> str:
    """Unique per serial: a bijection of the serial onto the 32**6 codes."""
    number = (serial * 387_420_489 + 12_345) % 32 ** 6
    code = "".join(CROCKFORD[(number >> (5 * place)) & 31] for place in reversed(range(6)))
    return f"{country}-{code}"


def make_factories() -> tuple[list[tuple[int, str]], int, int]:
    countries = list(COUNTRIES)
    weights = list(COUNTRIES.values())
    made = []
    for index in range(FACTORIES):
        country = "ID" if index == 0 else random.choices(countries, weights)[0]
        number = ["+622150000001"] if index == 0 else []
        factory = add_factory("IDN-0001" if index == 0 else f"{country}B-{index:04d}", f"Factory {index}", country,
                              None, number)
        made.append((factory.id, country))
    db.session.commit()
    endpoint = db.session.scalar(select(ChannelEndpoint.id).where(ChannelEndpoint.address == "+622150000001"))
    return made, made[0][0], endpoint


def _copy(table: str, columns: list[str], rows) -> None:
    raw = db.session.connection().connection.dbapi_connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def seed(count: int, start: int, factories: list[tuple[int, str]], endpoint_id: int, *, recent: bool) -> None:
    """``count`` cases (serials from ``start``), one worker per case and her first message:
    the month's cases (``recent``: most still open) or the years before (resolved, closed)."""
    rng = random.Random(start)
    now = utcnow()
    big_id, big_country = factories[0]
    others = factories[1:]
    categories, category_weights = list(CATEGORIES), list(CATEGORIES.values())
    workers, cases, messages = [], [], []
    for serial in range(start, start + count):
        share = RECENT_BIG_SHARE if recent else BIG_FACTORY_SHARE
        factory_id, country = (big_id, big_country) if rng.random() < share else rng.choice(others)
        category = rng.choices(categories, category_weights)[0]
        route = "advisor" if category in GRAVE or rng.random() < 0.03 else "picc"
        opened = now - timedelta(days=rng.uniform(0, 30) if recent else rng.uniform(31, 1500))
        roll = rng.random() if recent else 1.0
        acknowledge_by = opened + timedelta(days=3)
        resolve_by = opened + timedelta(days=28)
        status, due_at, waiting, replied, resolved_at, closed_at, level = "closed", None, None, None, None, None, 0
        if roll < RECENT_OPEN:
            status = rng.choices(["new", "acknowledged", "in_progress", "reopened"], [25, 40, 25, 10])[0]
            due_at = acknowledge_by if status == "new" else resolve_by
            if status != "new" and rng.random() < 0.1:
                waiting, due_at = now - timedelta(days=rng.uniform(0, 5)), None
            if rng.random() < 0.1:
                replied = now - timedelta(hours=rng.uniform(0, 72))
            if due_at is not None and due_at < now:
                level = rng.choice([0, 1, 1, 2])
        elif roll < RECENT_OPEN + 0.1 or (not recent and rng.random() < 0.04):  # resolved, not yet rated
            status, resolved_at = "resolved", opened + timedelta(days=rng.uniform(1, 28))
        else:
            resolved_at = opened + timedelta(days=rng.uniform(1, 28))
            closed_at = resolved_at + timedelta(days=rng.uniform(0, 7))
        workers.append((serial, f"{serial:064x}", "x", f"B{serial}", "id", country, now, "[]"))
        cases.append((serial, reference(country, serial), factory_id, country, serial, category, route, status, "id",
                      opened, acknowledge_by, resolve_by, "working_days", True, False, 0, 0, level, due_at, waiting,
                      replied, resolved_at, closed_at, 1))
        messages.append((serial, "inbound", "twilio", "sms", endpoint_id, serial, serial,
                         "Upah lembur bulan Juli tidak dibayar dan mandor bilang tidak ada uang", "processed", opened, opened))
    _copy("workers", ["id", "phone_hash", "phone_encrypted", "pseudonym", "language", "country_code", "created_at",
                      "opted_out_channels"], workers)
    _copy("cases", ["id", "reference", "factory_id", "country_code", "worker_id", "category", "route", "status",
                    "language", "opened_at", "acknowledge_by", "resolve_by", "resolve_unit", "anonymous", "danger_now",
                    "reopen_count", "paused_seconds", "escalation_level", "due_at", "waiting_since",
                    "worker_replied_at", "resolved_at", "closed_at", "version"], cases)
    _copy("messages", ["id", "direction", "provider", "channel", "endpoint_id", "worker_id", "case_id", "body",
                       "status", "created_at", "processed_at"], messages)
    db.session.commit()


def analyze() -> None:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("workers", "cases", "messages"):
            connection.execute(text(f"VACUUM ANALYZE {table}"))


def signed_in(app, email: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    response = client.post("/login", data={"csrf_token": token.group(1), "email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


class Statements:
    """The SQL one request runs, with each statement's time."""

    def __init__(self, engine) -> None:
        self.seen: list[tuple[float, str, object]] = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.seen.append((time.perf_counter() - conn.info["bench_started"], statement, parameters))


def median_ms(client, url: str, runs: int) -> float:
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[-2000:])
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.median(times)


def measure(app, runs: int) -> dict[tuple[str, str], float]:
    results = {}
    for who, email in (("PICC member", "ani@example.org"), ("advisor", "adv@example.org")):
        client = signed_in(app, email)
        for page, url in (("first page", "/queue"), ("filtered", FILTERED)):
            results[(who, page)] = median_ms(client, url, runs)
    return results


def explain_slowest(app, statements: Statements) -> None:
    for who, email in (("PICC member", "ani@example.org"), ("advisor", "adv@example.org")):
        client = signed_in(app, email)
        for page, url in (("first page", "/queue"), ("filtered", FILTERED)):
            statements.seen.clear()
            statements.on = True
            client.get(url)
            statements.on = False
            slowest = sorted(statements.seen, key=lambda seen: -seen[0])[:2]
            with app.app_context():
                _explain(who, page, slowest)


def _explain(who: str, page: str, slowest: list) -> None:
    for seconds, statement, parameters in slowest:
        print(f"  {who}, {page}: {seconds * 1000:.1f} ms  {' '.join(statement.split())[:110]}…")
        raw = db.session.connection().connection.dbapi_connection
        with raw.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) " + statement, parameters)
            plan = [row[0] for row in cursor.fetchall()]
        db.session.rollback()
        for line in plan[:6] + [line for line in plan[6:] if "Execution Time" in line]:
            print(f"      {line}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--sizes", type=int, nargs=2, default=[1_000, 1_000_000])
    args = parser.parse_args()
    if not (os.environ.get("DATABASE_URL") or "").startswith("postgresql"):
        sys.exit("bench/queue_pages.py measures PostgreSQL: set DATABASE_URL to a scratch database of your own")
    random.seed(7)
    small, large = args.sizes
    with tempfile.TemporaryDirectory() as scratch:
        app = build_app(Path(scratch))
        # Requests run outside any application context of ours, each in its own (as served).
        with app.app_context():
            factories, big_id, endpoint = make_factories()
            add_user("ani@example.org", "Ani", PASSWORD, "picc", "IDN-0001", None, None, "en")
            add_user("adv@example.org", "Dewi", PASSWORD, "advisor", None, "ID", None, "en")
            db.session.commit()
            statements = Statements(db.engine)
            started = time.perf_counter()
            seed(small, 1, factories, endpoint, recent=True)
            analyze()
            print(f"queue pages on {db.engine.dialect.name}; {small:,} cases built in "
                  f"{time.perf_counter() - started:.1f} s; median of {args.runs} runs")
        before = measure(app, args.runs)
        with app.app_context():
            started = time.perf_counter()
            for chunk in range(small + 1, large + 1, 100_000):
                seed(min(100_000, large + 1 - chunk), chunk, factories, endpoint, recent=False)
            analyze()
            total = db.session.scalar(text("SELECT count(*) FROM cases"))
            in_scope = db.session.scalar(text("SELECT count(*) FROM cases WHERE factory_id = :f"), {"f": big_id})
            in_country = db.session.scalar(text("SELECT count(*) FROM cases WHERE country_code = 'ID'"))
            print(f"grown to {total:,} cases in {time.perf_counter() - started:.1f} s (the PICC member's factory "
                  f"holds {in_scope:,}, the advisor's country {in_country:,})")
        after = measure(app, args.runs)
        print(f"{'who':<12} {'page':<11} {small:>9,} {total:>11,} {'ratio':>6}")
        for key in before:
            print(f"{key[0]:<12} {key[1]:<11} {before[key]:>7.1f}ms {after[key]:>9.1f}ms "
                  f"{after[key] / before[key]:>6.2f}")
        print(f"slowest statements at {total:,} cases, with their plans:")
        explain_slowest(app, statements)
        print("(scratch database", os.environ["DATABASE_URL"].rsplit("/", 1)[-1] + ")")


if __name__ == "__main__":
    main()
