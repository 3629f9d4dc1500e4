"""Periodic jobs for `rq cron grievance/cron.py` (the Procfile's cron process)."""

from rq import cron

from grievance.jobs import requeue_stale
from grievance.queueing import QUEUE_NAME

# Messages that were stored but never processed or sent (Redis was down, a worker died)
# and spooled messages (the database was down) get another job.
cron.register(requeue_stale, queue_name=QUEUE_NAME, interval=60)
