"""The Procfile's RQ worker class."""

from __future__ import annotations

from typing import Any

from rq import SimpleWorker

from grievance import create_app
from grievance.queueing import use_worker_app


class AppWorker(SimpleWorker):
    """RQ's SimpleWorker that builds the application before it takes a job, so a worker
    missing a setting refuses to start, naming it, instead of failing every job."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        use_worker_app(create_app())
        super().__init__(*args, **kwargs)
