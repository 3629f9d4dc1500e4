"""A scratch application on the embedded default (or DATABASE_URL / REDIS_URL when set), with
one factory number, for the benchmarks that run the app in this process (simultaneous, sweep)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402

from grievance import create_app  # noqa: E402
from grievance.cli import add_factory  # noqa: E402
from grievance.extensions import db  # noqa: E402

TOKEN = "bench-token"


def build_app(scratch: Path):
    config = {
        "GRIEVANCE_ENV": "development",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{scratch}/bench.db",
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "SECRET_KEY": "bench", "GRIEVANCE_DATA_KEY": Fernet.generate_key().decode(),
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": TOKEN,
        # Replies go out through the SDK: point it at the mock (.ci/twilio-mock/start.sh).
        "TWILIO_API_BASE_URL": os.environ.get("TWILIO_API_BASE_URL", "http://127.0.0.1:4010"),
        "SIMULATOR_ENABLED": True,
        # All replies leave from one factory number; at Twilio's 1 message/s the run would
        # measure the pacing. Processing cost is what this measures.
        "SEND_RATE_SMS": 10_000.0, "SPOOL_DIR": str(scratch / "spool"), "RATELIMIT_ENABLED": False,
    }
    app = create_app(config)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        elif Path(f"{scratch}/bench.db").exists():
            Path(f"{scratch}/bench.db").unlink()
        upgrade()
        add_factory("IDN-0001", "PT Bench", "ID", None, ["+622150000001"])
        db.session.commit()
    return app


def median_ms(action, runs: int, after=None) -> float:
    """The median time of ``runs`` calls of ``action``, in milliseconds; ``after`` runs untimed
    after each (a rollback, say)."""
    import statistics
    import time

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
        if after is not None:
            after()
    return statistics.median(times)
