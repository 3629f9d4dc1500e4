"""RQ job bodies, thin: parse the arguments, call a workflow (or the channels' sending), commit.

RQ enqueues a job by its dotted path (``grievance.tasks.outbound.send_outbound``), so these
names are what a queued job in Redis refers to.
"""

from __future__ import annotations

from flask import Flask

from grievance.channels.ingest import IngestJobs, use_ingest_jobs
from grievance.extensions import queues
from grievance.tasks.inbound import process_inbound
from grievance.tasks.outbound import SEND_RETRY, send_outbound
from grievance.tasks.rounds import requeue_stale
from grievance.tasks.surveys import send_run_batch
from grievance.workflows.outbox import awaits_sending
from grievance.workflows.surveys.dispatch import use_batch_job


def init_app(app: Flask) -> None:
    """Wire the jobs into the layers below, which never name them: the webhook's ingest
    defers ``process_inbound``, every reply row a session inserts is sent after it commits, and a
    survey's run started or resumed sends its batches."""
    use_ingest_jobs(app, IngestJobs(process=process_inbound, requeue=requeue_stale))
    queues.watch(app, awaits_sending, send_outbound, retry=SEND_RETRY)
    use_batch_job(app, send_run_batch)
