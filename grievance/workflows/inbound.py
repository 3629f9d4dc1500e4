"""What happens to a stored inbound message: who sent it, which language, which case, which reply."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.language.detect import detect_language
from grievance.models import Message, Worker
from grievance.models.base import insert_ignoring_conflicts
from grievance.privacy import PhoneVault, new_pseudonym
from grievance.workflows.events import record
from grievance.workflows.intake import acknowledgement, added_to_case, latest_open_case, open_case
from grievance.workflows.outbox import queue_reply


def find_or_create_worker(session: Session, e164: str, vault: PhoneVault, country_code: str,
                          now: datetime) -> Worker:
    phone_hash = vault.hash(e164)
    insert_ignoring_conflicts(
        session,
        Worker,
        {
            "phone_hash": phone_hash,
            "phone_encrypted": vault.encrypt(e164),
            "pseudonym": new_pseudonym(),
            "country_code": country_code,
            "created_at": now,
        },
        conflict=["phone_hash"],
    )
    return session.scalar(select(Worker).where(Worker.phone_hash == phone_hash))


def handle_inbound(session: Session, message: Message, now: datetime, vault: PhoneVault) -> list[Message]:
    """Attach the message to its worker and case; return the replies it calls for (queued rows)."""
    endpoint = message.endpoint
    worker = find_or_create_worker(session, vault.decrypt(message.address_encrypted), vault,
                                   endpoint.country_code, now)
    message.worker_id = worker.id
    message.address_encrypted = None  # the worker row is now the only place the number lives
    language = detect_language(message.body, endpoint.country.languages)
    message.language = worker.language = language

    case = latest_open_case(session, worker)
    if case is None:
        case = open_case(session, worker=worker, endpoint=endpoint, message=message, language=language, now=now)
        body = acknowledgement(case, language)
    else:
        message.case_id = case.id
        record(session, case, "worker_message", now, message_id=message.id)
        body = added_to_case(case, language)
    reply = queue_reply(session, worker=worker, endpoint=endpoint, provider=message.provider, body=body,
                        language=language, now=now, case=case)
    return [reply]
