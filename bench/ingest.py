"""Ingest benchmark: our Twilio webhook against a bare Flask endpoint and Twilio's quickstart.

Not a test. Starts the production configuration on this machine (faults/stack.py: a private
PostgreSQL cluster with synchronous_commit on, a private Redis, gunicorn with the Procfile's
settings, a stand-in for Twilio's REST API), and beside it, under the same gunicorn settings,
a bare Flask endpoint and Twilio's quickstart (signature check, empty TwiML, nothing stored).
Load comes from wrk, a separate process, posting distinct, correctly signed webhooks read from
a file (bench/signed.lua): every request is a new message from a new phone.

Each round measures the three in turn (so the ratio is taken under the same conditions), then
our webhook again at half its peak rate, paced, where p99 must stay under 50 ms. Afterwards
RQ workers process what was stored, and the run checks accepted = stored = processed, then
measures webhook-to-reply-sent time at a steady rate, and the peak RSS of a web process.

    apt-get install -y wrk      # the load generator (Debian's package)
    .venv/bin/python bench/ingest.py [--rounds 3] [--seconds 5] [--connections 16]

WEB_CONCURRENCY and WEB_THREADS set gunicorn's workers and their threads as in the Procfile (2 × 4).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from faults.stack import ACCOUNT_SID, AUTH_TOKEN, FACTORY_NUMBER, Stack, free_port, procfile_web, wait_until  # noqa: E402

LUA = ROOT / "bench" / "signed.lua"
BODY = "Saya belum menerima upah lembur bulan ini"
_phones = iter(range(1, 10**7))


def write_requests(path: Path, url: str, count: int) -> None:
    """``count`` distinct webhooks signed for ``url``: a new MessageSid and a new phone each."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(AUTH_TOKEN)
    with path.open("w") as out:
        for _ in range(count):
            params = {"MessageSid": "SM" + secrets.token_hex(16), "AccountSid": ACCOUNT_SID,
                      "From": f"+62812{next(_phones):07d}", "To": FACTORY_NUMBER, "Body": BODY, "NumMedia": "0"}
            out.write(f"{validator.compute_signature(url, params)}\t{urllib.parse.urlencode(params)}\n")


def wrk(url: str, requests: Path, *, seconds: float, connections: int, threads: int,
        rate: float | None = None) -> dict[str, float]:
    env = {**os.environ, **({"BENCH_RATE": str(rate)} if rate else {})}
    done = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{int(seconds)}s", "--timeout", "10s",
                           "-s", str(LUA), url, "--", str(requests), str(threads)],
                          capture_output=True, text=True, env=env, timeout=seconds + 120)
    figures = {key: float(value) for key, value in re.findall(r"^([A-Z_0-9]+) ([\d.]+)$", done.stdout, re.M)}
    if "OK" not in figures:
        raise RuntimeError(f"wrk failed:\n{done.stdout}\n{done.stderr}")
    figures["RPS"] = figures["OK"] / figures["SECONDS"]
    return figures


class Server:
    """One more gunicorn with the Procfile's settings, serving one of bench/baselines.py."""

    def __init__(self, name: str, app: str, stack: Stack) -> None:
        self.port = free_port()
        log = (stack.logs / f"{name}.log").open("a")
        self.process = subprocess.Popen(procfile_web(self.port, app, env=stack.env), cwd=ROOT, env=stack.env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(20)


def wait_for_port(port: int, seconds: float = 60) -> bool:
    import socket

    def answers() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    return wait_until(answers, seconds)


def web_workers_peak_rss_mb(master_pid: int) -> list[float]:
    """VmHWM (peak resident set) of each gunicorn worker under ``master_pid``."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master_pid}$", text, re.M):
            kb = re.search(r"^VmHWM:\s+(\d+) kB", text, re.M)
            if kb:
                found.append(int(kb.group(1)) / 1024)
    return found


def spread(values: list[float], fmt: str = "{:.0f}") -> str:
    values = sorted(values)
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(statistics.median(values))} ({fmt.format(values[0])}–{fmt.format(values[-1])})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="length of each pass")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads at peak")
    parser.add_argument("--max-rate", type=int, default=8000, help="requests prepared per second of a pass")
    parser.add_argument("--workers", type=int, default=2, help="RQ worker processes for the processing part")
    parser.add_argument("--steady-rate", type=float, default=5.0, help="messages/s for the end-to-end pass")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/ingest.py needs wrk, the load generator: apt-get install -y wrk")

    with tempfile.TemporaryDirectory(prefix="grievance-bench-") as scratch:
        directory = Path(scratch)
        stack = Stack(directory, workers=0, settings={"REQUEUE_STALE_SECONDS": "600"})
        servers: list[Server] = []
        try:
            bare = Server("bare", "bench.baselines:bare()", stack)
            quick = Server("quickstart", "bench.baselines:quickstart()", stack)
            servers = [bare, quick]
            assert wait_for_port(bare.port) and wait_for_port(quick.port), "a baseline gunicorn did not start"
            run(stack, bare, quick, directory, args)
        finally:
            for server in servers:
                server.close()
            stack.close()


def run(stack: Stack, bare: Server, quick: Server, directory: Path, args) -> None:
    ours_url = f"http://127.0.0.1:{stack.web_port}/webhooks/twilio/messages"
    targets = {"bare Flask": bare.url("/bare"), "quickstart": quick.url("/sms"), "our webhook": ours_url}
    settings = stack.postgres.query("SELECT name, setting FROM pg_settings WHERE name IN "
                                    "('synchronous_commit', 'fsync', 'wal_sync_method')")
    web = procfile_web(stack.web_port, env=stack.env)
    gunicorn = " ".join(web[web.index("--workers"):web.index("--access-logfile")])
    print(f"{os.cpu_count()} cores; gunicorn (Procfile): {gunicorn}; PostgreSQL "
          + ", ".join(f"{name}={value}" for name, value in sorted(settings)))
    print(f"wrk: {args.threads} threads, {args.connections} connections, {args.seconds:g} s a pass, "
          f"{args.rounds} rounds; every request a new message from a new phone\n")

    count = int(args.max_rate * args.seconds)
    passes = 0

    def requests_for(url: str, n: int = count) -> Path:
        nonlocal passes
        passes += 1
        path = directory / f"requests-{passes}.txt"
        write_requests(path, url, n)
        return path

    accepted = issued = 0
    not_ok = 0
    # Warm every process up (imports, connections, caches) with a short pass each.
    for name, url in targets.items():
        figures = wrk(url, requests_for(url, 4000), seconds=1, connections=args.connections, threads=args.threads)
        if name == "our webhook":
            accepted, issued, not_ok = accepted + figures["OK"], issued + figures["ISSUED"], not_ok + figures["NOT_OK"]

    peak: dict[str, list[dict]] = {name: [] for name in targets}
    paced: list[dict] = []
    for round_ in range(args.rounds):
        for name, url in targets.items():
            figures = wrk(url, requests_for(url), seconds=args.seconds, connections=args.connections,
                          threads=args.threads)
            peak[name].append(figures)
            if name == "our webhook":
                accepted, issued, not_ok = accepted + figures["OK"], issued + figures["ISSUED"], not_ok + figures["NOT_OK"]
            print(f"  round {round_ + 1} {name:12} {figures['RPS']:7.0f} req/s  p50 {figures['P50_MS']:6.1f} ms  "
                  f"p99 {figures['P99_MS']:6.1f} ms" + ("  (ran out of prepared requests)" if "EXHAUSTED" in figures
                                                       else ""))
        rate = statistics.median(f["RPS"] for f in peak["our webhook"]) / 2
        figures = wrk(ours_url, requests_for(ours_url, int(rate * args.seconds * 1.2) + 100), seconds=args.seconds,
                      connections=args.connections, threads=args.connections, rate=rate)
        paced.append({**figures, "RATE": rate})
        accepted, issued, not_ok = accepted + figures["OK"], issued + figures["ISSUED"], not_ok + figures["NOT_OK"]
        print(f"  round {round_ + 1} our webhook at {rate:.0f}/s (half its peak), paced: "
              f"{figures['RPS']:.0f} req/s  p50 {figures['DUE_P50_MS']:.1f} ms  p99 {figures['DUE_P99_MS']:.1f} ms  "
              f"max {figures['DUE_MAX_MS']:.1f} ms")

    print("\nrequests per second, median (min–max) of the rounds; latency at peak (closed loop, "
          f"{args.connections} connections)")
    for name in targets:
        rows = peak[name]
        print(f"  {name:12} {spread([f['RPS'] for f in rows]):>20} req/s   p50 {spread([f['P50_MS'] for f in rows], '{:.1f}')} ms"
              f"   p99 {spread([f['P99_MS'] for f in rows], '{:.1f}')} ms")
    ratios = [o["RPS"] / q["RPS"] for o, q in zip(peak["our webhook"], peak["quickstart"])]
    print(f"  ours / quickstart, per round: {spread(ratios, '{:.2f}')}×   (goal ≥ 0.5×)")
    print(f"  ours at half peak, paced (open loop, latency from when each request was due): "
          f"p50 {spread([f['DUE_P50_MS'] for f in paced], '{:.1f}')} ms  p99 "
          f"{spread([f['DUE_P99_MS'] for f in paced], '{:.1f}')} ms   (goal p99 < 50 ms)")

    stored = count_inbound(stack)
    print(f"\nour webhook: {issued:.0f} requests sent, {accepted:.0f} answered 200, {not_ok:.0f} answered otherwise, "
          f"{stored} stored (committed before the answer)")
    if stored < accepted:
        print("  LOST: fewer stored than accepted")
    elif stored > accepted:
        print(f"  {stored - accepted:.0f} stored whose answer wrk did not wait for (in flight when a pass ended)")

    rss = web_workers_peak_rss_mb(stack.web.pid)
    print(f"peak RSS of a web process (gunicorn worker, VmHWM): {max(rss):.0f} MB  (goal ≤ 150 MB)")

    started = time.monotonic()
    stack.workers = [stack.start_worker(n) for n in range(args.workers)]
    wait_until(lambda: count_inbound(stack, processed=True) >= stored, 600, step=0.5)
    # and their replies sent, so the steady pass below does not wait behind them
    wait_until(lambda: not stack.postgres.query(
        "SELECT 1 FROM messages WHERE direction = 'outbound' AND sent_at IS NULL LIMIT 1"), 600, step=0.5)
    took = time.monotonic() - started
    # A request wrk stopped waiting for at the end of a pass may have committed after the count.
    stored = count_inbound(stack)
    processed = count_inbound(stack, processed=True)
    print(f"processed by {args.workers} RQ worker processes: {processed} of {stored} in {took:.0f} s "
          f"({processed / took:.0f}/s including start-up)"
          + ("   accepted = stored = processed" if processed == stored >= accepted else "   NOT ALL PROCESSED"))

    steady_end_to_end(stack, ours_url, directory, args)


def count_inbound(stack: Stack, processed: bool = False) -> int:
    where = " AND processed_at IS NOT NULL" if processed else ""
    return stack.postgres.query(f"SELECT count(*) FROM messages WHERE direction = 'inbound'{where}")[0][0]


def steady_end_to_end(stack: Stack, url: str, directory: Path, args) -> None:
    """Webhook to reply handed to Twilio (its sent_at), at a steady rate with the workers running."""
    since = stack.postgres.query("SELECT coalesce(max(id), 0) FROM messages")[0][0]
    requests = directory / "steady.txt"
    seconds = 5.0
    write_requests(requests, url, int(args.steady_rate * seconds * 1.2) + 10)
    figures = wrk(url, requests, seconds=seconds, connections=4, threads=4, rate=args.steady_rate)
    sent = figures["OK"]

    def replies() -> list[float]:
        rows = stack.postgres.query(f"""
            SELECT extract(epoch FROM min(o.sent_at) - i.created_at) * 1000
            FROM messages i JOIN messages o ON o.worker_id = i.worker_id AND o.direction = 'outbound'
            WHERE i.direction = 'inbound' AND i.id > {since} AND o.sent_at IS NOT NULL
            GROUP BY i.id, i.created_at""")
        return sorted(float(ms) for (ms,) in rows)

    wait_until(lambda: len(replies()) >= sent, 60, step=0.5)
    times = replies()
    if not times:
        print("end to end: no reply was sent")
        return
    pct = lambda p: times[min(len(times) - 1, int(len(times) * p / 100))]  # noqa: E731
    print(f"end to end at {args.steady_rate:g} messages/s (webhook stored → reply sent to the Twilio stand-in): "
          f"{len(times)} of {sent:.0f} replied, p50 {pct(50):.0f} ms, p99 {pct(99):.0f} ms, max {times[-1]:.0f} ms")


if __name__ == "__main__":
    main()
