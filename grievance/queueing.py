"""Jobs run after the commit that made them necessary, never before.

Views and jobs call ``queues.defer(job, *args)`` while they work; nothing leaves the
process until the database session commits. Then the deferred jobs go to RQ (when
``REDIS_URL`` is set) or to the app's in-process worker threads, which run each in a fresh
application context and so a fresh database session, after the response: a webhook never
waits for a job (or for a sender's pacing). A rollback forgets them. This is how a job never
finds its message missing, and how a message that could not be enqueued (Redis down) or
whose in-process job failed or was lost with the process is still stored: the periodic
requeue picks it up.

The outbox rides on the same list: rows that must be sent once they exist (a reply queued
to a worker) are noticed when the session flushes them (``JobQueues.watch``), and their job
joins the jobs deferred by hand, so no caller has to remember to send what it queued.
"""

from __future__ import annotations

import functools
import logging
import queue as queue_module
import threading
import time
import weakref
from typing import Any, Callable

from flask import Flask, current_app, has_app_context
from rq import Queue
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

PENDING_KEY = "grievance.pending_jobs"
WATCHES_KEY = "grievance.watches"
SAVEPOINTS_KEY = "grievance.savepoint_marks"
QUEUE_NAME = "default"


class JobQueues:
    def __init__(self, db) -> None:
        self._db = db  # Flask-SQLAlchemy: its scoped session is where jobs wait for the commit
        self._redis_url: str | None = None
        self._connection = None

    def init_app(self, app: Flask) -> None:
        self._redis_url = app.config.get("REDIS_URL")
        self._connection = None
        app.extensions["grievance.queues"] = self
        app.extensions[WATCHES_KEY] = []
        if not event.contains(Session, "after_commit", _after_commit):
            event.listen(Session, "after_commit", _after_commit)
            event.listen(Session, "after_soft_rollback", _after_rollback)
            event.listen(Session, "after_flush", _after_flush)
            event.listen(Session, "after_transaction_create", _after_transaction_create)
            event.listen(Session, "after_transaction_end", _after_transaction_end)

    def watch(self, app: Flask, wanted: Callable[[Any], bool], func: Callable, **options: Any) -> None:
        """Defer ``func(row.id, **options)`` for every new row that ``wanted(row)`` picks, once
        the session that inserted it commits; a rollback forgets it like any deferred job."""
        app.extensions[WATCHES_KEY].append((wanted, func, options))

    @property
    def uses_redis(self) -> bool:
        return bool(self._redis_url)

    def connection(self):
        if self._connection is None:
            from redis import Redis

            self._connection = Redis.from_url(self._redis_url, socket_timeout=5, socket_connect_timeout=2)
        return self._connection

    def queue(self, name: str = QUEUE_NAME):
        from rq import Queue

        return Queue(name, connection=self.connection())

    def defer(self, func: Callable, *args: Any, **options: Any) -> None:
        """Run ``func(*args)`` once the current session commits."""
        session = self._db.session()
        if not session.in_transaction():
            session.begin()  # so that a rollback, even of an empty transaction, forgets the job
        session.info.setdefault(PENDING_KEY, []).append((func, args, options))

    def take(self, func: Callable) -> list[tuple]:
        """Take back every ``func`` job the current session would hand over at its commit, and
        return their arguments: the caller runs them itself once it has committed (a job that
        sends the replies it queued). Should the caller die first, the rows they are for are
        committed and the periodic requeue finds them, as it finds a job Redis lost."""
        pending = self._db.session().info.get(PENDING_KEY) or []
        taken = [args for job_func, args, _ in pending if job_func is func]
        pending[:] = [entry for entry in pending if entry[0] is not func]
        return taken

    def dispatch_all(self, pending: list[tuple[Callable, tuple, dict]]) -> None:
        """Hand over what a commit deferred: to Redis in one round trip, or run it here."""
        if not self.uses_redis or len(pending) == 1:
            for func, args, options in pending:
                self.dispatch(func, args, options)
            return
        try:
            self.queue().enqueue_many([Queue.prepare_data(func, args, **options) for func, args, options in pending])
        except Exception:  # Redis down: the rows are committed; the periodic requeue retries.
            log.warning("could not enqueue %s jobs; the requeue job will retry them", len(pending))

    def dispatch(self, func: Callable, args: tuple, options: dict) -> None:
        if self.uses_redis:
            try:
                self.queue().enqueue(func, *args, **options)
            except Exception:  # Redis down: the row is committed; the periodic requeue retries.
                log.warning("could not enqueue %s; it will be retried by the requeue job", func.__name__)
            return
        in_process_worker(current_app._get_current_object()).submit(func, args)

    def submit(self, func: Callable, *args: Any) -> None:
        """Run a job soon, outside the current request (no commit to wait for)."""
        if self.uses_redis:
            self.dispatch(func, args, {})
        else:
            in_process_worker(current_app._get_current_object()).submit(func, args)


    def enqueue_in(self, seconds: float, func: Callable, *args: Any, **options: Any) -> None:
        """Run ``func(*args)`` in ``seconds`` (no commit to wait for): RQ's scheduler (with RQ's
        ``options``, a retry say), or a timer of this process that hands it to the in-process
        worker."""
        if self.uses_redis:
            from datetime import timedelta

            try:
                self.queue().enqueue_in(timedelta(seconds=max(seconds, 0.0)), func, *args, **options)
            except Exception:  # Redis down: the periodic round finds the job missing and retries
                log.warning("could not schedule %s; the periodic round will retry it", func.__name__)
            return
        app = current_app._get_current_object()
        timer = threading.Timer(max(seconds, 0.0), lambda: in_process_worker(app).submit(func, args))
        timer.daemon = True
        timer.start()


# How many threads of a process work off its in-process jobs: enough that a reply waiting for
# its sender's slot does not hold up the next inbound message, few enough for SQLite's one writer.
IN_PROCESS_THREADS = 2
_workers: "weakref.WeakSet[InProcessWorker]" = weakref.WeakSet()
_workers_lock = threading.Lock()


class InProcessWorker:
    """A queue and a few daemon threads of one app: the embedded default's RQ worker.

    Threads start with the first job and end after a while without one, so an app that is
    no longer used (tests build many) keeps none alive."""

    IDLE_SECONDS = 30.0

    def __init__(self, app: Flask, threads: int = IN_PROCESS_THREADS) -> None:
        self._app = app
        self._threads = threads
        self._running = 0
        self._jobs: queue_module.Queue = queue_module.Queue()
        self._lock = threading.Lock()

    def submit(self, func: Callable, args: tuple) -> None:
        self._jobs.put((func, args))
        with self._lock:
            if self._running < self._threads:
                self._running += 1
                threading.Thread(target=self._work, name=f"grievance-jobs-{self._running}", daemon=True).start()

    def _work(self) -> None:
        while True:
            try:
                func, args = self._jobs.get(timeout=self.IDLE_SECONDS)
            except queue_module.Empty:
                with self._lock:
                    if self._jobs.empty():  # else a job came in meanwhile: take it
                        self._running -= 1
                        return
                continue
            try:
                with self._app.app_context():
                    func(*args)
            except Exception as error:  # the row stays as it was; the periodic requeue retries it
                log.warning("in-process job %s failed: %s: %s", getattr(func, "__name__", func),
                            type(error).__name__, error)
            finally:
                self._jobs.task_done()

    def drain(self, timeout: float) -> bool:
        """Wait until every job submitted (and every job those submit) has finished."""
        deadline = time.monotonic() + timeout
        with self._jobs.all_tasks_done:
            while self._jobs.unfinished_tasks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._jobs.all_tasks_done.wait(remaining)
        return True


def in_process_worker(app: Flask) -> InProcessWorker:
    worker = app.extensions.get("grievance.in_process_worker")
    if worker is None:
        with _workers_lock:
            worker = app.extensions.get("grievance.in_process_worker")
            if worker is None:
                worker = app.extensions["grievance.in_process_worker"] = InProcessWorker(app)
                _workers.add(worker)
    return worker


def drain_in_process_jobs(timeout: float = 30.0) -> bool:
    """Wait for the in-process jobs of every app of this process (tests, benchmarks)."""
    deadline = time.monotonic() + timeout
    while True:  # a job of one app may submit to another's queue: until all are idle at once
        workers = list(_workers)
        for worker in workers:
            if not worker.drain(max(deadline - time.monotonic(), 0.0)):
                return False
        if all(not worker._jobs.unfinished_tasks for worker in workers):
            return True


def _after_flush(session: Session, _context) -> None:
    # Still in the flush: session.new holds what was inserted, with its ids assigned.
    if not session.new or not has_app_context():
        return
    watches = current_app.extensions.get(WATCHES_KEY)
    if not watches:
        return
    pending = session.info.setdefault(PENDING_KEY, [])
    for row in session.new:
        for wanted, func, options in watches:
            if wanted(row):
                pending.append((func, (row.id,), options))


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the real commit is still to come
        return
    pending = session.info.pop(PENDING_KEY, None)
    if not pending or not has_app_context():
        return
    queues: JobQueues = current_app.extensions["grievance.queues"]
    queues.dispatch_all(pending)


def _after_rollback(session: Session, previous_transaction) -> None:
    # Any rollback of the whole transaction (even one with nothing begun yet) forgets the
    # jobs; a savepoint's rollback forgets those deferred since it began (its rows are gone).
    if previous_transaction.parent is None and not previous_transaction.nested:
        session.info.pop(PENDING_KEY, None)
    elif previous_transaction.nested:
        mark = session.info.get(SAVEPOINTS_KEY, {}).pop(previous_transaction, None)
        pending = session.info.get(PENDING_KEY)
        if mark is not None and pending:
            del pending[mark:]


def _after_transaction_create(session: Session, transaction) -> None:
    if transaction.nested:  # where this savepoint's jobs start in the list
        session.info.setdefault(SAVEPOINTS_KEY, {})[transaction] = len(session.info.get(PENDING_KEY, ()))


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None and not transaction.nested:
        session.info.pop(SAVEPOINTS_KEY, None)


_worker_app: Flask | None = None


def use_worker_app(app: Flask) -> None:
    """The application a worker process runs its jobs in (set once, before its first job)."""
    global _worker_app
    _worker_app = app


def job(func: Callable) -> Callable:
    """Run a job inside its own application context (and so its own session).

    Called from a request or a test, the job uses the current app; in a worker process, the
    app its worker class built from the environment (``tasks.worker.AppWorker``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            app = current_app._get_current_object()
        elif _worker_app is not None:
            app = _worker_app
        else:
            raise RuntimeError("no application for this job: run the worker with "
                               "--worker-class grievance.tasks.worker.AppWorker")
        with app.app_context():
            return func(*args, **kwargs)

    return wrapper
