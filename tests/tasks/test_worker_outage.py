"""The Procfile's worker rides out a Redis outage: it waits for Redis and goes on working,
instead of quitting and taking `honcho start` (which stops every process when one exits) with it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]


def leave_mark(path: str) -> None:
    """The job the worker runs: it leaves a file behind."""
    Path(path).write_text("done")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_redis(port: int) -> subprocess.Popen:
    process = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            return process
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    raise AssertionError("redis-server did not start")


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def private_redis():
    need("redis", shutil.which("redis-server") is not None, "redis-server is not installed")
    port = _free_port()
    server = {"process": _start_redis(port), "port": port}
    yield server
    server["process"].terminate()
    server["process"].wait(10)


def test_the_worker_waits_out_a_redis_outage_and_then_runs_the_next_job(private_redis, base_config, tmp_path):
    import redis
    from rq import Queue

    url = f"redis://127.0.0.1:{private_redis['port']}/0"
    keys = ("SECRET_KEY", "GRIEVANCE_DATA_KEY", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "SPOOL_DIR",
            "DATABASE_URL", "PASSWORD_HASH_PROFILE")
    env = {**os.environ, **{key: str(base_config[key]) for key in keys}, "REDIS_URL": url,
           "GRIEVANCE_ENV": "development"}
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen([str(Path(sys.executable).parent / "rq"), "worker", "--url", url, "--worker-class",
                               "grievance.tasks.worker.AppWorker", "default"],  # as the Procfile, minus the scheduler
                              env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        queue = Queue("default", connection=redis.Redis.from_url(url))
        first = tmp_path / "before"
        queue.enqueue(leave_mark, str(first))
        assert _wait_for(first.exists, 60), (tmp_path / "worker.log").read_text()

        private_redis["process"].kill()  # Redis goes away, as in a crash or a restart
        private_redis["process"].wait(10)
        time.sleep(4)  # long enough for every step of the worker's loop to meet the outage
        assert worker.poll() is None, "the worker quit when Redis went away:\n" + (tmp_path / "worker.log").read_text()

        private_redis["process"] = _start_redis(private_redis["port"])  # back, empty
        after = tmp_path / "after"
        Queue("default", connection=redis.Redis.from_url(url)).enqueue(leave_mark, str(after))
        assert _wait_for(after.exists, 60), (tmp_path / "worker.log").read_text()
        assert worker.poll() is None
        assert "unreachable" in (tmp_path / "worker.log").read_text()
    finally:
        worker.terminate()
        worker.wait(20)
        log.close()
