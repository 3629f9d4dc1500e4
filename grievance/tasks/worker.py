"""The Procfile's RQ worker class."""

from __future__ import annotations

import functools
import time
from typing import Any, Callable

import redis.exceptions
from rq import SimpleWorker
from rq.worker.base import StopRequested

from grievance import create_app
from grievance.queueing import use_worker_app
from grievance.tasks.dispatch import start_dispatcher

REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
# How long the worker waits between tries while Redis is unreachable: doubling up to this.
LONGEST_WAIT = 30.0


def _riding_out_redis(method: Callable) -> Callable:
    """Retries a step of the work loop while Redis is unreachable, instead of quitting.

    RQ retries only its blocking dequeue; any other Redis call of the loop (the suspension
    check, the heartbeat, the worker's state, the maintenance round) ends the worker when Redis
    goes away for a moment ("found an unhandled exception, quitting"). These steps are all
    idempotent writes of the worker's own bookkeeping, so trying again is safe."""

    @functools.wraps(method)
    def wrapper(self: "AppWorker", *args: Any, **kwargs: Any) -> Any:
        wait = 1.0
        while True:
            try:
                return method(self, *args, **kwargs)
            except REDIS_DOWN as error:
                if self._stop_requested:
                    raise StopRequested() from error
                self.log.warning("Worker %s: Redis is unreachable (%s); trying again in %.0f s",
                                 self.name, type(error).__name__, wait)
                time.sleep(wait)
                wait = min(wait * 2, LONGEST_WAIT)

    return wrapper


class AppWorker(SimpleWorker):
    """RQ's SimpleWorker that builds the application before it takes a job, so a worker
    missing a setting refuses to start, naming it, instead of failing every job; and that rides
    out a Redis outage: it waits for Redis and goes on, so nothing has to restart it.

    A job whose bookkeeping in Redis fails after it ran is not run again here: what it did is
    committed in the database, and what it did not get to (a message not yet processed, a reply
    not yet sent) is picked up by the requeue round from the database."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        app = create_app()
        use_worker_app(app)
        super().__init__(*args, **kwargs)
        if app.config["INBOUND_DISPATCHER"] and app.config["REDIS_URL"]:
            start_dispatcher(app)

    check_for_suspension = _riding_out_redis(SimpleWorker.check_for_suspension)
    run_maintenance_tasks = _riding_out_redis(SimpleWorker.run_maintenance_tasks)
    heartbeat = _riding_out_redis(SimpleWorker.heartbeat)
    set_state = _riding_out_redis(SimpleWorker.set_state)

    def execute_job(self, job, queue) -> None:
        try:
            super().execute_job(job, queue)
        except REDIS_DOWN as error:
            self.log.warning("Worker %s: Redis went away around job %s (%s); the requeue round takes up "
                             "whatever it left undone", self.name, job.id, type(error).__name__)
            self._wait_for_redis()

    @_riding_out_redis
    def _wait_for_redis(self) -> None:
        self.connection.ping()

    def teardown(self) -> None:
        try:
            super().teardown()
        except REDIS_DOWN:  # stopping while Redis is away: its registration expires by itself
            self.log.warning("Worker %s: Redis unreachable while stopping", self.name)
