"""A survey to 1,000 and to 10,000 workers of one factory: what planning, sending, following and
reading it costs, and how fast one process takes the answers.

Not a test. Builds a scratch app (bench/scratch.py: the embedded default, or DATABASE_URL /
REDIS_URL when set — a scratch PostgreSQL database of your own: its public schema is dropped),
subscribes N workers, then times at each size:

- ``plan_run``: the audience (opt-outs, the monthly cap, languages, senders) and the plan;
- ``send_batch``: one batch of 500 invitations (50 SMS/s × 10 s), each a survey conversation
  and its first message queued, committed;
- ``progress``: the counts the run's page polls every few seconds;
- the answers: every invited worker's "1" to the first question through ``handle_inbound`` (the
  job body of process_inbound: identity, keywords, language, the survey conversation, the next
  question queued), in messages per second of one process;
- ``run_results``: the results page's tables under the disclosure rule, every worker answered.

Prints each (median of --runs for the timed reads) and the ratio 10k/1k. The jobs the commits
would hand over (the batch job, each reply's send) are dropped: what this measures is the
workflows' own cost in one process; sending is bench/processing.py's.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/grievance_bench_surveys .venv/bin/python bench/surveys.py
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from scratch import build_app, median_ms  # noqa: E402

from sqlalchemy import select, text  # noqa: E402

from grievance.access.viewer import Viewer  # noqa: E402
from grievance.extensions import db, queues  # noqa: E402
from grievance.models import Factory, Message, SurveyDelivery, User  # noqa: E402
from grievance.models.base import utcnow  # noqa: E402
from grievance.models.message import INBOUND, RECEIVED  # noqa: E402
from grievance.models.survey import SENT  # noqa: E402
from grievance.privacy import vault  # noqa: E402
from grievance.summaries.surveys import run_results  # noqa: E402
from grievance.workflows.inbound import handle_inbound  # noqa: E402
from grievance.workflows.surveys.dispatch import send_batch, start_run  # noqa: E402
from grievance.workflows.surveys.planning import plan_run  # noqa: E402
from grievance.workflows.surveys.progress import progress  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.surveys import builders  # noqa: E402

SIZES = (1_000, 10_000)
ANSWERS = 500  # answers timed at each size (the rest answered in bulk for the results)


def one_size(count: int, first: int, runs: int) -> dict[str, float]:
    now = utcnow()
    factory = db.session.scalar(select(Factory))
    worker_ids = builders.subscribers(factory=factory, count=count, now=now, first=first)
    survey = builders.survey(now=now, title=f"Bench {count}")
    figures: dict[str, float] = {}

    began = time.perf_counter()
    run = plan_run(db.session, survey=survey, factory=factory, actor=None, now=now)
    db.session.commit()
    figures["plan_run (ms)"] = (time.perf_counter() - began) * 1000
    start_run(db.session, run, None, now)
    db.session.commit()

    began, sent, moment = time.perf_counter(), 0, now
    batches = 0
    while sent < count:
        result = send_batch(db.session, run.id, moment)
        db.session.commit()
        sent += result.sent
        batches += 1
        moment = result.next_at or moment + timedelta(seconds=10)
        if not result.sent:
            break
    figures["send_batch of 500 (ms)"] = (time.perf_counter() - began) * 1000 / batches
    figures["progress (ms)"] = median_ms(lambda: progress(db.session, run), runs, after=db.session.rollback)

    answered = _answer(run.id, worker_ids[:ANSWERS], moment, first)
    figures["answers through handle_inbound (msg/s)"] = answered
    _answer_rest(run, worker_ids[ANSWERS:], moment)
    admin = db.session.scalar(select(User).where(User.email == "bench-admin@example.org"))
    viewer = Viewer.for_user(admin)
    figures["run_results (ms)"] = median_ms(lambda: run_results(db.session, viewer, run, moment, "en"), runs,
                                            after=db.session.rollback)
    return figures


def _answer(run_id: int, worker_ids: list[int], at, first: int) -> float:
    """Each worker's '1' stored as the webhook stores it, then processed as the job does."""
    endpoint = db.session.scalar(select(Factory)).endpoints[0]
    keys = vault()
    ids = []
    for index, worker_id in enumerate(worker_ids):
        number = f"+62812{first + index:07d}"
        message = Message(direction=INBOUND, provider="simulator", provider_id=f"bench-{run_id}-{index}",
                          channel="sms", endpoint_id=endpoint.id, address_encrypted=keys.encrypt(number), body="1",
                          status=RECEIVED, created_at=at)
        db.session.add(message)
        db.session.flush()
        ids.append(message.id)
    db.session.commit()
    began = time.perf_counter()
    for message_id in ids:
        handle_inbound(db.session, db.session.get(Message, message_id), at, keys)
        db.session.commit()
    return len(ids) / (time.perf_counter() - began)


def _answer_rest(run, worker_ids: list[int], at) -> None:
    from grievance.models import SurveyAnswer

    question = run.survey.questions[0]
    db.session.add_all([SurveyAnswer(run_id=run.id, question_id=question.id, worker_id=worker_id,
                                     value="yes" if worker_id % 3 else "no", answered_at=at)
                        for worker_id in worker_ids])
    db.session.execute(SurveyDelivery.__table__.update().where(
        SurveyDelivery.run_id == run.id, SurveyDelivery.status == SENT).values(status="answered", answered_at=at))
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as scratch:
        app = build_app(Path(scratch))
        app.config.update(SEND_RATE_SMS=50.0, SURVEY_BATCH_SECONDS=10.0, CHANNELS=("simulator",))
        queues.dispatch_all = lambda pending: None  # the batch and send jobs: not run here
        with app.app_context():
            from grievance.cli import add_user

            add_user("bench-admin@example.org", "Admin", "bench password", "admin", None, None, None, "en")
            db.session.commit()
            print(f"database: {db.engine.dialect.name}")
            results = {}
            for index, size in enumerate(SIZES):
                results[size] = one_size(size, first=index * 1_000_000, runs=runs)
            small, large = results[SIZES[0]], results[SIZES[-1]]
            print(f"{'':42} {SIZES[0]:>10,} {SIZES[-1]:>10,}  ratio")
            for key in small:
                print(f"{key:42} {small[key]:10.1f} {large[key]:10.1f}  {large[key] / small[key]:5.2f}")
            db.session.execute(text("SELECT 1"))


if __name__ == "__main__":
    main()
