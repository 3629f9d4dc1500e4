"""Fixtures of the two tiers.

Pipeline tests (`app`, `client`, `post_twilio`, `run_jobs`): an app on the embedded default
(SQLite, in-process jobs) or, when DATABASE_URL and REDIS_URL are set, on real PostgreSQL and
Redis with RQ workers; they commit for real and every table is emptied between tests.
Workflow tests (`session`, `now`, `receive`, `deferred`): the workflow functions over a session
rolled back at the end, with an explicit clock, no HTTP and no jobs.

Parts a test needs but the machine lacks make it skip, saying why; with
GRIEVANCE_REQUIRE=postgres,redis,twilio_mock,browser (as CI sets) such a skip is a failure.
"""

from __future__ import annotations

import os
import re
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator

from grievance import create_app
from grievance.channels.endpoints import endpoint_cache
from grievance.extensions import db, queues
from grievance.queueing import drain_in_process_jobs

TWILIO_SID = "AC" + "1" * 32
TWILIO_TOKEN = "test-auth-token"
REQUIRED = {part for part in os.environ.get("GRIEVANCE_REQUIRE", "").split(",") if part}
DATABASE_URL = os.environ.get("DATABASE_URL")
REDIS_URL = os.environ.get("REDIS_URL")
TWILIO_MOCK_URL = os.environ.get("TWILIO_API_BASE_URL")
TWILIO_CONTENT_MOCK_URL = os.environ.get("TWILIO_CONTENT_BASE_URL")
KEEP_TABLES = {"countries", "alembic_version"}


def need(part: str, available: bool, why: str) -> None:
    """Skip (or, where CI requires the part, fail) when a real part is not here."""
    if available:
        return
    if part in REQUIRED:
        pytest.fail(f"{part} is required here (GRIEVANCE_REQUIRE) but {why}")
    pytest.skip(f"{part} not available: {why}")


def uses_postgres() -> bool:
    return bool(DATABASE_URL and DATABASE_URL.startswith("postgres"))


@pytest.fixture(scope="session")
def test_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("grievance")


@pytest.fixture(scope="session")
def base_config(test_root) -> dict:
    return {
        "TESTING": True,
        "GRIEVANCE_ENV": "development",  # production is the default; the tests ask for development
        "DATABASE_URL": DATABASE_URL or f"sqlite:///{test_root / 'test.db'}",
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "test-secret-key",
        "GRIEVANCE_DATA_KEY": "mPZWK5rZhNQs0n2UZFlyvPl0uuWVf2yG6LBcK1ONqHs=",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_API_BASE_URL": TWILIO_MOCK_URL or "http://127.0.0.1:9",
        "TWILIO_CONTENT_BASE_URL": TWILIO_CONTENT_MOCK_URL or "http://127.0.0.1:9",
        "SIMULATOR_ENABLED": True,
        "SPOOL_DIR": str(test_root / "spool"),
        "RATELIMIT_ENABLED": False,
        "SEND_RATE_SMS": 1000.0,  # pacing has its own test; the rest need not wait
        "SEND_RATE_WHATSAPP": 1000.0,
        # Tests travel days ahead within one sign-in; tests/web/test_sessions.py checks the real lifetime.
        "SIGN_IN_LIFETIME": timedelta(days=31),
        "SESSION_IDLE_MINUTES": 31 * 24 * 60,
        # Argon2's defaults cost tens of milliseconds per hash and per sign-in, and the tests add
        # users and sign in over and over: the same algorithm and format at its least work.
        "PASSWORD_HASH_PROFILE": "fast",
    }


@pytest.fixture(scope="session")
def migrated(base_config):
    """The schema is built by the migrations, exactly as in production."""
    from flask_migrate import upgrade
    from sqlalchemy.engine import make_url

    name = make_url(base_config["DATABASE_URL"]).database or ""
    if uses_postgres() and not any(mark in name for mark in ("test", "ci", "bench")):
        pytest.exit(f"refusing to wipe database {name!r}: its name must contain 'test' or 'ci'", returncode=2)
    app = create_app(base_config)
    with app.app_context():
        if uses_postgres():
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        db.session.remove()
        db.engine.dispose()
    return True


@pytest.fixture(autouse=True)
def fresh_module_state(monkeypatch):
    """What the package keeps in module globals starts every test as in a new process.

    Caches of files and packages (catalogs, holidays, lexicons) hold the same answer in every
    test and stay; what depends on what earlier tests did does not."""
    from grievance import queueing
    from grievance.channels import ingest, pacing
    from grievance.workflows import rules_cache

    monkeypatch.setattr(pacing, "_local_next", {})  # a sender's next free slot
    from grievance.summaries import report as summary_report
    from collections import OrderedDict

    # Grids kept by when the facts were refreshed: tests refresh at the same fixed moments.
    monkeypatch.setattr(summary_report, "_GRIDS", OrderedDict())
    # The webhook's own requeue (every minute of wall time without the rounds thread) would run
    # in whichever test came a minute after the last one, expiring that test's conversations.
    monkeypatch.setattr(ingest, "_last_requeue", time.monotonic())
    monkeypatch.setattr(queueing, "_worker_app", None)  # a worker process's app
    rules_cache.forget()  # rules read by an earlier test, perhaps from its rolled-back rows


def _default_rows() -> dict[str, list[dict]]:
    """The rules, policies and holidays a migrated database starts with (migration 0005)."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "migrations" / "versions" / "0005_deadlines.py"
    spec = importlib.util.spec_from_file_location("migration_0005", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.seed_rows()


SEEDED = _default_rows()
# Migration 0007 drops the hand-seeded holidays (the holidays package knows them): a migrated
# database starts with no admin changes to the calendar.
del SEEDED["holidays"]


def _clean(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
        with db.engine.begin() as connection:
            if uses_postgres():
                names = ", ".join(t.name for t in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(table.delete())
            for table in tables:  # what an admin may edit starts each test as migrated
                if table.name in SEEDED:
                    connection.execute(table.insert(), SEEDED[table.name])
        if queues.uses_redis:
            queues.connection().flushdb()


# --- The workflow tier: workflow functions over a session whose transaction is rolled back.

# Fridays at 16:00 in Jakarta make deadlines interesting; a workflow test passes its own `now`.
NOW = datetime(2026, 8, 14, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def workflow_app(base_config, migrated):
    """One app for every workflow test: its configuration (keys, settings), never its HTTP."""
    return create_app(base_config)


@pytest.fixture(scope="session")
def workflow_engine(workflow_app):
    """An engine whose transactions are real ones on SQLite too.

    pysqlite begins a transaction only before a write, so a SAVEPOINT could become the outermost
    transaction and its release a commit; SQLAlchemy's recipe: let SQLAlchemy emit BEGIN itself."""
    url = workflow_app.config["SQLALCHEMY_DATABASE_URI"]  # with the driver the app chose
    engine = create_engine(url)
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA foreign_keys=ON")
            dbapi_connection.execute("PRAGMA busy_timeout=5000")

        @event.listens_for(engine, "begin")
        def _begin(connection):
            connection.exec_driver_sql("BEGIN")
    yield engine
    engine.dispose()


@pytest.fixture
def session(request, workflow_app, workflow_engine, monkeypatch):
    """A session inside one transaction that is rolled back at the end: no HTTP, no jobs.

    What the code under test commits only releases a savepoint (Warehouse's pattern), so it
    commits as in production and nothing stays. `db.session` is this session too, so the
    builders in tests/factories.py and the code that reaches for `db.session` see the same rows.
    Jobs a commit would hand over are never run; `deferred` lists them."""
    from grievance.queueing import JobQueues

    if "app" in request.fixturenames:  # requests and jobs cannot see an uncommitted transaction
        pytest.fail("a workflow test (session) cannot also be a pipeline test (app, client, run_jobs)")
    handed_over: list = []
    monkeypatch.setattr(JobQueues, "dispatch_all", lambda self, pending: handed_over.extend(pending))
    monkeypatch.setattr(JobQueues, "submit", lambda self, func, *args: handed_over.append((func, args, {})))
    connection = workflow_engine.connect()
    outer = connection.begin()
    made = Session(bind=connection, join_transaction_mode="create_savepoint")
    made.info["grievance.handed_over"] = handed_over
    with workflow_app.app_context():
        db.session.registry.set(made)
        try:
            yield made
        finally:
            made.close()
            db.session.registry.clear()
            # The numbers this test made are rolled back behind the session's back.
            endpoint_cache().clear()
            outer.rollback()
            connection.close()


@pytest.fixture
def deferred(session) -> list:
    """The jobs the workflow test's commits handed over (never run), as (function, args, options)."""
    return session.info["grievance.handed_over"]


@pytest.fixture
def now() -> datetime:
    """The workflow tier's clock: a fixed aware moment a test passes on as `now`."""
    return NOW


@pytest.fixture
def receive(session, now):
    """A worker's text in the workflow tier: stored as the webhook stores it, then given to
    `handle_inbound` with an explicit clock (`at`, else `now`) and committed, as process_inbound
    does; returns the replies it queued (never sent: no jobs run here)."""
    from grievance.privacy import vault
    from grievance.workflows.inbound import handle_inbound
    from tests import factories

    def text(body: str, *, sender: str = factories.WORKER_PHONE, to: str = "+622150000001",
             channel: str = "sms", at: datetime | None = None):
        moment = at or now
        message = factories.inbound_message(body=body, sender=sender, to=to, channel=channel, now=moment)
        replies = handle_inbound(session, message, moment, vault())
        session.commit()
        return replies

    return text


class IsolatedClient(FlaskClient):
    """Each request runs in its own thread, hence its own application context, as in production.

    The tests hold an application context open to reach the database; a request made on the
    same thread would share it (and with it Flask-Login's cached user and the session).
    """

    def open(self, *args, **kwargs):
        result: dict = {}

        def run():
            try:
                result["response"] = FlaskClient.open(self, *args, **kwargs)
            except BaseException as error:  # re-raised in the test's thread
                result["error"] = error

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        if "error" in result:
            raise result["error"]
        return result["response"]


@pytest.fixture
def make_app(base_config, migrated):
    """Build an app with extra settings; every app of a test shares its database."""
    made = []

    def factory(**overrides):
        app = create_app({**base_config, **overrides})
        app.test_client_class = IsolatedClient
        made.append(app)
        return app

    yield factory
    drain_in_process_jobs(30)  # nothing of this test may still be writing when the next starts
    if made:
        _clean(create_app(base_config))
        for app in made:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    _clean(app)
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def run_jobs(app):
    """Work off the RQ queue (real Redis) as a worker would, or wait for the in-process
    worker threads to finish what the requests gave them."""

    def run() -> int:
        if not queues.uses_redis:
            assert drain_in_process_jobs(30), "in-process jobs still running after 30 s"
            return 0
        from rq import SimpleWorker
        from rq.registry import StartedJobRegistry

        from grievance.tasks.dispatch import dispatch_received

        queue = queues.queue()
        started = StartedJobRegistry(queue=queue)
        deadline = time.monotonic() + 30
        # Work the queue here; then wait for jobs that another worker process (the browser
        # tests run one) took, until nothing is queued or running.
        while time.monotonic() < deadline:
            dispatch_received()  # what the worker processes' dispatcher does
            SimpleWorker([queue], connection=queues.connection()).work(burst=True)
            # Empty, and nothing stored waits (the dispatcher holds back while a job is queued).
            if queue.count == 0 and started.count == 0 and dispatch_received() == 0:
                break
            time.sleep(0.05)
        return 1

    return run


@pytest.fixture
def processing_held(app, monkeypatch):
    """Her stored message processed on a thread of its own, as another worker process's job,
    held for 0.8 s once her row is locked: ``start(message_id)`` returns when her row is held
    (and her message not yet handled); ``finish()`` waits for it and returns what it raised."""
    from grievance.tasks import inbound

    locked, failures, real, threads = threading.Event(), [], inbound.lock_workers, []

    def lock_then_hold(*args, **kwargs):
        found = real(*args, **kwargs)
        locked.set()
        time.sleep(0.8)  # what the test does next comes while her row is held
        return found

    monkeypatch.setattr(inbound, "lock_workers", lock_then_hold)

    def process(message_id: int) -> None:
        with app.app_context():
            try:
                inbound._process([message_id])
            except Exception as error:  # noqa: BLE001 - returned by finish()
                failures.append(error)

    class Held:
        def start(self, message_id: int) -> None:
            threads.append(threading.Thread(target=process, args=(message_id,)))
            threads[-1].start()
            assert locked.wait(10)

        def finish(self) -> list:
            for thread in threads:
                thread.join(20)
            return failures

    return Held()


@pytest.fixture
def twilio_mock():
    need("twilio_mock", bool(TWILIO_MOCK_URL and TWILIO_CONTENT_MOCK_URL),
         "TWILIO_API_BASE_URL / TWILIO_CONTENT_BASE_URL are not set (eval \"$(bash .ci/twilio-mock/start.sh)\")")
    return TWILIO_MOCK_URL


@pytest.fixture
def twilio_requests(monkeypatch):
    """Every request the Twilio SDK makes, as (method, url, form data), on its way to the mock."""
    from grievance.channels.twilio.sender import BaseUrlHttpClient

    seen: list[tuple[str, str, dict]] = []
    real = BaseUrlHttpClient.request

    def spy(self, method, url, params=None, data=None, *args, **kwargs):
        seen.append((method, url, dict(data or {})))
        return real(self, method, url, params, data, *args, **kwargs)

    monkeypatch.setattr(BaseUrlHttpClient, "request", spy)
    return seen


@pytest.fixture
def require_postgres():
    need("postgres", uses_postgres(), "DATABASE_URL does not point at PostgreSQL")


@pytest.fixture
def require_redis():
    need("redis", bool(REDIS_URL), "REDIS_URL is not set")


def sign(url: str, params: dict) -> str:
    return RequestValidator(TWILIO_TOKEN).compute_signature(url, params)


_sid_counter = iter(range(1, 10**9))


def new_sid() -> str:
    return "SM" + f"{next(_sid_counter):032x}"


@pytest.fixture
def post_twilio(client):
    """POST a correctly signed Twilio webhook; returns the response."""

    def post(params: dict, path: str = "/webhooks/twilio/messages", signature: str | None = None, http=None):
        url = "http://localhost" + path
        headers = {"X-Twilio-Signature": signature if signature is not None else sign(url, params)}
        return (http or client).post(path, data=params, headers=headers)

    return post


def inbound_params(body: str, sender: str = "+6281298765432", to: str = "+622150000001", sid: str | None = None):
    return {
        "MessageSid": sid or new_sid(),
        "AccountSid": TWILIO_SID,
        "From": sender,
        "To": to,
        "Body": body,
        "NumMedia": "0",
    }


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "page has no CSRF token"
    return match.group(1)


def case_form(html: str) -> dict:
    """What every action form of a case page carries: the CSRF token and the case's version
    (with the newest message and the status the page showed)."""
    fields = {"csrf_token": csrf_token(html)}
    for name in ("version", "seen_message", "seen_status"):
        match = re.search(rf'name="{name}" value="([^"]*)"', html)
        assert match, f"case page has no {name} field"
        fields[name] = match.group(1)
    return fields


@pytest.fixture
def sign_in(client):
    def login(email: str, password: str, http=None):
        http = http or client
        page = http.get("/login").get_data(as_text=True)
        return http.post("/login", data={"email": email, "password": password, "csrf_token": csrf_token(page)})

    return login


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def rq_worker_process(base_config):
    """With Redis, a real `rq worker` process works the queue, its app built from the environment."""
    if not REDIS_URL:
        yield None
        return
    import subprocess
    import sys

    keys = ("SECRET_KEY", "GRIEVANCE_DATA_KEY", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
            "TWILIO_API_BASE_URL", "TWILIO_CONTENT_BASE_URL", "SPOOL_DIR", "DATABASE_URL", "REDIS_URL",
            "SEND_RATE_SMS", "SEND_RATE_WHATSAPP", "PASSWORD_HASH_PROFILE")
    env = {**os.environ, **{key: str(base_config[key]) for key in keys}, "SIMULATOR_ENABLED": "1",
           "GRIEVANCE_ENV": "development"}
    rq = Path(sys.executable).parent / "rq"
    process = subprocess.Popen([str(rq), "worker", "--url", REDIS_URL, "--quiet", "--worker-class",
                                "grievance.tasks.worker.AppWorker", "default"], env=env)  # as the Procfile
    yield process
    process.terminate()
    process.wait(20)


@pytest.fixture
def live_server(make_app, rq_worker_process):
    """The app served over HTTP on a free local port, in a thread, as a browser needs it."""
    import threading

    from werkzeug.serving import make_server

    served = make_app()
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture
def browser():
    need("browser", os.path.exists(CHROMIUM), f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield chromium
        chromium.close()


def wait_for_fonts(page) -> None:
    """Until the served script fonts the text needs have loaded. Evaluated once, awaiting
    ``document.fonts.ready``: a polled ``wait_for_function`` evaluates its string in the page,
    which the pages' Content-Security-Policy (no 'unsafe-eval') refuses whenever the fonts are
    not loaded at the first look."""
    assert page.evaluate("document.fonts.ready.then(() => document.fonts.status)") == "loaded"


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        # The served script fonts load once text needs them: wait for them to finish.
        page.wait_for_timeout(300)
        wait_for_fonts(page)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def _absent_part_not_required(report) -> bool:
    """A skip for a part this run does not promise (the PostgreSQL-only tests of the SQLite run)."""
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    found = re.search(r"(\w+) not available", reason)
    return bool(found) and found.group(1) not in REQUIRED


def pytest_sessionfinish(session, exitstatus):
    """Where the real parts are required, no test may quietly skip."""
    if not REQUIRED or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = [report for report in (reporter.stats.get("skipped", []) if reporter else [])
               if not _absent_part_not_required(report)]
    if skipped:
        reporter.write_line(f"GRIEVANCE_REQUIRE={','.join(sorted(REQUIRED))}: {len(skipped)} test(s) skipped", red=True)
        session.exitstatus = 1
