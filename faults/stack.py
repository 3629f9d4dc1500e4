"""The production configuration on this machine, with parts the fault tests may break.

A private PostgreSQL cluster and a private Redis (so stopping them disturbs nothing else on the
machine), a stand-in for Twilio's REST API that records every message it is asked to send,
gunicorn serving the app as the Procfile does, RQ workers of the Procfile's class, and the
release and requeue commands as cron runs them. Load comes from threads posting correctly signed
webhooks from distinct phones.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ACCOUNT_SID = "AC" + "f" * 32
AUTH_TOKEN = "fault-token"
FACTORY_NUMBER = "+622150000001"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, seconds: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


def procfile_web(port: int, app: str = "grievance:create_app()", env: dict[str, str] | None = None) -> list[str]:
    """The Procfile's web command (its gunicorn settings), bound to loopback on ``port``, serving ``app``."""
    import re
    import shlex

    env = os.environ if env is None else env
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    line = line.removeprefix("web:").replace("${PORT:-8000}", str(port))
    line = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: env.get(m.group(1)) or m.group(2), line)
    command = shlex.split(line)
    command[0] = str(BIN / command[0])
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[-1] = app
    return command


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for version in sorted(Path("/usr/lib/postgresql").glob("*"), reverse=True):
        if (version / "bin" / name).exists():
            return str(version / "bin" / name)
    raise RuntimeError(f"PostgreSQL's {name} is not installed")


class PrivatePostgres:
    """A PostgreSQL cluster of its own in a temporary folder (as user postgres when run as root)."""

    def __init__(self) -> None:
        # Its own folder in /tmp: the postgres user must reach it (pytest's are the caller's only).
        self.directory = Path(tempfile.mkdtemp(prefix="grievance-faults-pg-"))
        self.port = free_port()
        self._as = []
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        subprocess.run([*self._as, _pg_bin("initdb"), "-D", str(self.directory / "data"), "-A", "trust", "-U",
                        "postgres", "--no-sync"], check=True, stdout=subprocess.DEVNULL)
        self.start()
        subprocess.run([_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "grievance"],
                       check=True)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/grievance"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c max_connections=100"
        subprocess.run([*self._as, _pg_bin("pg_ctl"), "-D", str(self.directory / "data"), "-o", options,
                        "-l", str(self.directory / "log"), "-w", "start"], check=True, stdout=subprocess.DEVNULL)

    def stop(self) -> None:
        """As a crash: every connection cut at once."""
        subprocess.run([*self._as, _pg_bin("pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate",
                        "-w", "stop"], check=True, stdout=subprocess.DEVNULL)

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # stopped already
        shutil.rmtree(self.directory, ignore_errors=True)

    def query(self, sql: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            return connection.execute(sql).fetchall()


class PrivateRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save",
                                         "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.exceptions.ConnectionError:
                return False

        assert wait_until(answers, 10), "redis-server did not start"

    def stop(self) -> None:
        """As a crash: gone at once, and back empty."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


class TwilioStandIn:
    """Twilio's Messages resource as far as the SDK uses it: create, and list by To/From/DateSent.
    Records every create, so a reply sent twice is seen."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.created: list[dict] = []
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # kept alive, as Twilio's API keeps a client's connection
            # Headers and body in one segment: else Nagle holds the body for the client's delayed
            # ACK, 40 ms per answer on a kept-alive connection.
            disable_nagle_algorithm = True
            wbufsize = 1 << 16

            def log_message(self, *args) -> None:
                pass

            def _json(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                if not self.path.endswith("/Messages.json"):
                    return self._json(404, {"code": 20404, "message": "not found", "status": 404})
                if stand_in.delay:
                    time.sleep(stand_in.delay)
                message = stand_in.record({key: values[0] for key, values in form.items()})
                self._json(201, message)

            def do_GET(self) -> None:
                url = urllib.parse.urlparse(self.path)
                query = {key: values[0] for key, values in urllib.parse.parse_qs(url.query).items()}
                with stand_in.lock:
                    found = [m for m in stand_in.created
                             if m["to"] == query.get("To", m["to"]) and m["from"] == query.get("From", m["from"])]
                self._json(200, {"messages": found, "page": 0, "page_size": 50, "start": 0, "end": len(found),
                                 "uri": url.path, "first_page_uri": url.path, "next_page_uri": None,
                                 "previous_page_uri": None})

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:
                # A worker killed mid-send closed its end: expected here, not worth a traceback.
                if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
                    super().handle_error(request, client_address)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def record(self, form: dict) -> dict:
        now = datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")
        message = {"sid": "SM" + secrets.token_hex(16), "account_sid": ACCOUNT_SID, "to": form.get("To"),
                   "from": form.get("From"), "body": form.get("Body"), "status": "queued", "num_segments": "1",
                   "direction": "outbound-api", "date_created": now, "date_updated": now, "date_sent": now,
                   "api_version": "2010-04-01", "uri": "/2010-04-01/Accounts/x/Messages/x.json"}
        with self.lock:
            self.created.append(message)
        return message

    def replies_per_phone(self) -> Counter:
        with self.lock:
            return Counter(message["to"] for message in self.created)

    def sent_twice(self) -> dict[str, list[str]]:
        """The phones that were sent more than one message, with what each message said."""
        with self.lock:
            bodies: dict[str, list[str]] = {}
            for message in self.created:
                bodies.setdefault(message["to"], []).append(f"{message['date_created']} {message['body'][:60]}")
        return {phone: said for phone, said in bodies.items() if len(said) > 1}

    def close(self) -> None:
        self.server.shutdown()


class Stack:
    """gunicorn + RQ workers on the private parts, in the production configuration."""

    def __init__(self, directory: Path, *, workers: int = 1, twilio_delay: float = 0.0,
                 settings: dict[str, str] | None = None) -> None:
        self.directory = directory
        self.logs = directory / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.postgres = PrivatePostgres()
        self.redis = PrivateRedis()
        self.twilio = TwilioStandIn(delay=twilio_delay)
        self.web_port = free_port()
        self.env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("GRIEVANCE_", "TWILIO_"))},
            "GRIEVANCE_ENV": "production",
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "GRIEVANCE_DATA_KEY": _fernet_key(),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.web_port}",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_API_BASE_URL": self.twilio.url,
            "TWILIO_CONTENT_BASE_URL": self.twilio.url,
            "SPOOL_DIR": str(directory / "spool"),
            "SEND_RATE_SMS": "1000",
            "INBOUND_PER_WORKER_PER_HOUR": "1000",
            # A stand-in for cron's minute: the fault runs cannot wait minutes for a round.
            "REQUEUE_STALE_SECONDS": "3",
            "REQUEUE_INTERRUPTED_SECONDS": "5",
            "PYTHONUNBUFFERED": "1",
            **(settings or {}),
        }
        self.flask("db", "upgrade")
        self.flask("factories", "add", "--code", "IDN-0001", "--name", "PT Contoh Garmen", "--country", "ID",
                   "--number", FACTORY_NUMBER)
        command = procfile_web(self.web_port, env=self.env)
        self.web = self._spawn("web", [*command[:-1], "--timeout", "60", command[-1]])
        self.workers = [self.start_worker(n) for n in range(workers)]
        assert wait_until(self._web_answers, 60), self.log("web")

    # -- processes ---------------------------------------------------------------------------

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("a")
        return subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def start_worker(self, n: int) -> subprocess.Popen:
        return self._spawn(f"worker-{n}", [str(BIN / "rq"), "worker", "--url", self.redis.url, "--name",
                                           f"fault-{n}-{secrets.token_hex(3)}", "--worker-class",
                                           "grievance.tasks.worker.AppWorker", "default"])

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([str(BIN / "flask"), "--app", "grievance", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=300)
        if check and done.returncode != 0:
            raise AssertionError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def requeue(self) -> str:
        """What cron runs every minute."""
        return self.flask("requeue", check=False).stdout.strip()

    def log(self, name: str, tail: int | None = 6000) -> str:
        path = self.logs / f"{name}.log"
        text = path.read_text() if path.exists() else ""
        return text[-tail:] if tail else text

    def _web_answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.web_port}/healthz", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def close(self) -> None:
        for process in [self.web, *self.workers]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in [self.web, *self.workers]:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.twilio.close()
        self.redis.stop()
        self.postgres.remove()

    # -- load and counts -----------------------------------------------------------------------

    def post(self, phone: str, sid: str, body: str = "Tolong saya") -> int:
        from twilio.request_validator import RequestValidator

        url = f"http://127.0.0.1:{self.web_port}/webhooks/twilio/messages"
        params = {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": phone, "To": FACTORY_NUMBER, "Body": body,
                  "NumMedia": "0"}
        request = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(), headers={
            "X-Twilio-Signature": RequestValidator(AUTH_TOKEN).compute_signature(url, params),
            "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (urllib.error.URLError, OSError):
            return 0

    def counts(self, phones: list[str]) -> dict[str, int]:
        """What happened to the messages from these phones, as the database and the stand-in saw it."""
        inbound = self.postgres.query(
            "SELECT provider_id, processed_at IS NOT NULL FROM messages WHERE direction = 'inbound'")
        per_sid = Counter(sid for sid, _ in inbound)
        replies = self.twilio.replies_per_phone()
        return {
            "stored": len(per_sid),
            "processed": sum(1 for _, processed in inbound if processed),
            "replied": sum(1 for phone in phones if replies[phone] >= 1),
            "duplicates": sum(n - 1 for n in per_sid.values() if n > 1)
                          + sum(replies[phone] - 1 for phone in phones if replies[phone] > 1),
        }


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


class Load:
    """Threads posting one message from each of ``phones`` at ``rate`` per second; ``twice`` of
    them are delivered a second time at the same moment, as Twilio may retry."""

    def __init__(self, stack: Stack, phones: list[str], rate: float, twice: float = 0.0) -> None:
        self.stack, self.phones, self.rate, self.twice = stack, phones, rate, twice
        self.answers: Counter = Counter()
        self.sids = {phone: "SM" + secrets.token_hex(16) for phone in phones}
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "Load":
        self.thread.start()
        return self

    def _send(self, phone: str) -> None:
        status = self.stack.post(phone, self.sids[phone])
        with self._lock:
            self.answers[status] += 1

    def _run(self) -> None:
        import random

        chosen = random.Random(7)
        senders = []
        for phone in self.phones:
            copies = 2 if chosen.random() < self.twice else 1
            for _ in range(copies):
                sender = threading.Thread(target=self._send, args=(phone,))
                sender.start()
                senders.append(sender)
            time.sleep(1 / self.rate)
        for sender in senders:
            sender.join(60)

    def wait(self) -> None:
        self.thread.join(300)


def phones(count: int, prefix: str = "+62812") -> list[str]:
    return [f"{prefix}{n:07d}" for n in range(1, count + 1)]
