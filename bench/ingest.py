"""Ingest throughput: signed Twilio webhooks per second, stored only vs. stored and processed.

Not a test. Runs against whatever DATABASE_URL / REDIS_URL say (the embedded default when
unset) on a scratch database, and prints the figures and their ratio, measured in one run:

    .venv/bin/python bench/ingest.py [--messages 500]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from grievance import create_app  # noqa: E402
from grievance.cli import add_factory  # noqa: E402
from grievance.extensions import db, queues  # noqa: E402
from grievance.models import Case, Message  # noqa: E402

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


def run(app, count: int, offset: int) -> float:
    client = app.test_client()
    validator = RequestValidator(TOKEN)
    url = "http://localhost/webhooks/twilio/messages"
    started = time.perf_counter()
    for i in range(count):
        params = {"MessageSid": f"SM{offset + i:032x}", "From": f"+62812{(offset + i) % 10_000_000:07d}",
                  "To": "+622150000001", "Body": "Saya belum menerima upah lembur bulan ini"}
        response = client.post("/webhooks/twilio/messages", data=params,
                               headers={"X-Twilio-Signature": validator.compute_signature(url, params)})
        assert response.status_code == 200, response.data
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        stored_app = build_app(Path(scratch))
        dispatch = queues.dispatch
        queues.dispatch = lambda func, args, options: None  # store only: no job runs
        stored = run(stored_app, args.messages, 0)
        queues.dispatch = dispatch
        processed_app = build_app(Path(scratch))
        processed = run(processed_app, args.messages, 10**6)
        with processed_app.app_context():
            cases = db.session.scalar(select(func.count()).select_from(Case))
            messages = db.session.scalar(select(func.count()).select_from(Message))
    backend = "PostgreSQL" if (os.environ.get("DATABASE_URL") or "").startswith("postgres") else "SQLite"
    jobs = "RQ (enqueued only)" if os.environ.get("REDIS_URL") else "in-process"
    print(f"backend: {backend}, jobs: {jobs}, {args.messages} distinct workers")
    print(f"webhook, store only:        {args.messages / stored:8.1f} msg/s")
    print(f"webhook, store + process:   {args.messages / processed:8.1f} msg/s  ({cases} cases, {messages} messages)")
    print(f"ratio store-only / full:    {processed / stored:8.2f}x")


if __name__ == "__main__":
    main()
