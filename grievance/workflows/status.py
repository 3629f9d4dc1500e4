"""STATUS / CEK / ស្ថានភាព [reference]: each open case's state and next deadline, in her language."""

from __future__ import annotations

from sqlalchemy.orm import Session

from grievance.i18n.worker import worker_date, worker_text
from grievance.models import Case, Worker
from grievance.models.case import ACKNOWLEDGED, IN_PROGRESS, NEW, REOPENED, RESOLVED
from grievance.workflows.deadlines import awaits_acknowledgement
from grievance.workflows.intake import open_cases

WORKER_STATUS = {NEW: "status_received", ACKNOWLEDGED: "status_handled", IN_PROGRESS: "status_handled",
                 REOPENED: "status_handled", RESOLVED: "status_resolved"}
MAX_LINES = 3  # an SMS, not a report: the most recent three


def status_text(session: Session, worker: Worker, reference: str | None, language: str) -> str:
    cases = [c for c in open_cases(session, worker)]
    if reference:
        cases = [c for c in cases if c.reference == reference] or [
            c for c in session.query(Case).filter_by(worker_id=worker.id, reference=reference)
        ]
    if not cases:
        return worker_text("status_none", language)
    lines = []
    for case in cases[-MAX_LINES:]:
        deadline = case.acknowledge_by if awaits_acknowledgement(case) else (case.resolve_by or case.acknowledge_by)
        timezone = case.timezone
        lines.append(worker_text(
            "status_line", language, reference=case.reference,
            status=worker_text(WORKER_STATUS.get(case.status, "status_handled"), language),
            date=worker_date(deadline, timezone, language),
        ))
    return "\n".join(lines)
