"""Words for stored codes (statuses, event kinds), marked so Babel extracts them."""

from flask_babel import lazy_gettext as _l

# Categories and outcomes live below the summaries (which name them too); re-exported here.
from grievance.i18n.labels import CATEGORY_LABELS, OUTCOME_LABELS  # noqa: F401

# The buyers' follow-up log names only these broad groups: a fine category of a rare case (one
# discrimination case in a month) could point at the one worker who raised it.
COARSE_LABELS = {
    "pay_hours": _l("Pay and working hours"), "safety_health": _l("Safety and health"),
    "employment": _l("Employment and fair treatment"), "other": _l("Other"),
}
COARSE_CATEGORIES = {
    "wages": "pay_hours", "hours_leave": "pay_hours", "safety_health": "safety_health",
    "contracts_dismissal": "employment", "discrimination": "employment", "union_representatives": "employment",
}


def coarse_label(category: str | None) -> str:
    """The group a case's category belongs to, in words; "Other" for anything not grouped."""
    return str(COARSE_LABELS[COARSE_CATEGORIES.get(category or "", "other")])

STATUS_LABELS = {
    "new": _l("new"), "acknowledged": _l("acknowledged"), "in_progress": _l("in progress"),
    "resolved": _l("resolved"), "closed": _l("closed"), "reopened": _l("reopened"), "escalated": _l("escalated"),
    "queued": _l("queued"), "sending": _l("sending"), "sent": _l("sent"), "delivered": _l("delivered"),
    "read": _l("read"), "failed": _l("failed"), "flagged": _l("flagged"),
}
EVENT_LABELS = {
    "opened": _l("Case opened from a worker's message"),
    "worker_message": _l("Worker added a message"),
    "reply_queued": _l("Reply to the worker queued"),
    "acknowledged": _l("Acknowledged by the committee"),
    "flagged_message": _l("Message flagged: many messages from this phone in an hour"),
    "committee_reply": _l("The committee wrote to the worker"),
    "resolved": _l("Resolved; the worker is asked whether she is satisfied"),
    "closed": _l("Closed"),
    "reopened": _l("Reopened: the worker is not satisfied"),
    "reminder": _l("Reminder sent: a deadline is near"),
    "overdue": _l("Deadline missed"),
    "escalated": _l("Escalated one level"),
    "waiting_on_worker": _l("Waiting for the worker's answer: the resolve clock is stopped"),
    "clock_resumed": _l("The worker answered: the resolve clock runs again"),
    "taken": _l("Taken"),
    "assigned": _l("Assigned"),
    "note_added": _l("Internal note written"),
    "category_changed": _l("Category changed"),
    "reopened_by_person": _l("Reopened"),
    "followup_note": _l("Follow-up note for buyers changed"),
}
# Who a case is with, by escalation level (workflows/notifications.py).
LEVEL_LABELS = {
    "picc": _l("Factory committee (PICC)"), "advisor": _l("Programme advisors"),
    "programme_manager": _l("Country programme manager"),
}
NOTIFICATION_TEXTS = {
    ("reminder", "acknowledge"): _l("Case %(reference)s must be acknowledged by %(when)s."),
    ("reminder", "resolve"): _l("Case %(reference)s must be resolved by %(when)s."),
    ("overdue", "acknowledge"): _l("Case %(reference)s was not acknowledged in time."),
    ("overdue", "resolve"): _l("Case %(reference)s was not resolved in time."),
    ("escalated", "acknowledge"): _l("Case %(reference)s was not acknowledged in time and is now with: %(level)s."),
    ("escalated", "resolve"): _l("Case %(reference)s was not resolved in time and is now with: %(level)s."),
    ("replied", ""): _l("The worker wrote again on case %(reference)s."),
}


def label(code: str, table: dict) -> str:
    return str(table.get(code, code))

ROUTE_LABELS = {"picc": _l("Factory committee (PICC)"), "advisor": _l("Programme advisors")}
UNIT_LABELS = {"working_days": _l("working days"), "working_hours": _l("working hours"),
               "calendar_hours": _l("calendar hours")}
