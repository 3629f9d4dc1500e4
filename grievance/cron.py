"""Periodic jobs for `rq cron grievance/cron.py` (the Procfile's cron process)."""

from rq import cron

from grievance.tasks.rounds import email_notifications, refresh_summaries, requeue_stale, sweep_deadlines
from grievance.queueing import QUEUE_NAME
from grievance.tasks.surveys import requeue_runs

# Messages that were stored but never processed or sent (Redis was down, a worker died)
# and spooled messages (the database was down) get another job.
cron.register(requeue_stale, queue_name=QUEUE_NAME, interval=60)
# A survey's run whose next batch job was lost (Redis away, a worker killed) gets one again.
cron.register(requeue_runs, queue_name=QUEUE_NAME, interval=60)
# Reminders and escalations; the mail of what they told people (and mail that failed before).
cron.register(sweep_deadlines, queue_name=QUEUE_NAME, interval=60)
# The summaries' facts, from the cases changed since the last refresh.
cron.register(refresh_summaries, queue_name=QUEUE_NAME, interval=60)
cron.register(email_notifications, queue_name=QUEUE_NAME, interval=300)
