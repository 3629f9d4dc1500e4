"""handle_inbound (workflow tier) and process_inbound (end to end): the worker's language, her case,
its deadline, the reply."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from grievance.extensions import db
from grievance.tasks.inbound import process_inbound
from grievance.models import Case, Message, Worker
from tests import factories
from tests.conftest import inbound_params


def reply_to(case: Case) -> Message:
    db.session.expire_all()
    return db.session.scalars(
        select(Message).where(Message.case_id == case.id, Message.direction == "outbound").order_by(Message.id)
    ).all()[-1]


def only_case() -> Case:
    db.session.expire_all()
    return db.session.scalars(select(Case)).one()


# Friday 21 November 2025, 16:00 in Jakarta (09:00 UTC).
FRIDAY_AFTERNOON_JAKARTA = datetime(2025, 11, 21, 9, 0, tzinfo=timezone.utc)


def test_indonesian_complaint_gets_an_indonesian_reference_and_deadline(session, receive):
    factories.factory()
    receive("Saya belum menerima upah lembur bulan ini", at=FRIDAY_AFTERNOON_JAKARTA)

    case = only_case()
    reply = reply_to(case)
    assert case.reference.startswith("ID-") and len(case.reference) == 9
    # Two working days from a Friday afternoon: Saturday is a working day in Indonesia,
    # Sunday is not, so the committee has until Monday 16:00 Jakarta time.
    assert case.acknowledge_by == datetime(2025, 11, 24, 9, 0, tzinfo=timezone.utc)
    assert reply.body.startswith("Pengaduan Anda sudah kami terima.")
    assert case.reference in reply.body
    assert "Senin, 24 November" in reply.body  # the day, in Indonesian
    assert reply.language == "id" and case.language == "id"


def test_english_complaint_is_answered_in_english(session, receive):
    factories.factory()
    receive("I have not been paid my overtime this month", at=FRIDAY_AFTERNOON_JAKARTA)

    reply = reply_to(only_case())
    assert reply.body.startswith("We received your complaint.")
    assert "by Monday, November 24." in reply.body


def test_khmer_complaint_is_answered_in_khmer(session, receive):
    factories.factory(code="KHM-0001", name="Angkor Apparel", country="KH", number="+85523900001")
    receive("ខ្ញុំមិនទាន់បានទទួលប្រាក់ថែមម៉ោងខែនេះទេ", sender="+85512345678", to="+85523900001",
            at=FRIDAY_AFTERNOON_JAKARTA)

    case = only_case()
    reply = reply_to(case)
    assert case.reference.startswith("KH-")
    assert reply.language == "km"
    assert reply.body.startswith("បានទទួលបណ្តឹងរបស់អ្នកហើយ")
    assert "ច័ន្ទ" in reply.body  # Monday, in Khmer


def test_a_second_message_joins_the_open_case_instead_of_opening_another(session, receive):
    factories.factory()
    receive("Saya belum menerima upah lembur bulan ini")
    receive("Sudah tiga bulan seperti ini")

    case = only_case()
    messages = db.session.scalars(select(Message).where(Message.case_id == case.id).order_by(Message.id)).all()
    assert [m.direction for m in messages] == ["inbound", "outbound", "inbound", "outbound"]
    assert "tambahkan ke kasus " + case.reference in messages[-1].body
    assert [e.kind for e in case.events] == ["opened", "reply_queued", "worker_message", "reply_queued"]


def test_processing_the_same_message_twice_changes_nothing(app, post_twilio, run_jobs):
    factories.factory()
    post_twilio(inbound_params("Saya belum menerima upah lembur bulan ini"))
    run_jobs()
    inbound = db.session.scalar(select(Message).where(Message.direction == "inbound"))

    process_inbound(inbound.id)
    process_inbound(inbound.id)
    run_jobs()

    db.session.expire_all()
    assert db.session.scalars(select(Case)).all().__len__() == 1
    assert len(db.session.scalars(select(Message).where(Message.direction == "outbound")).all()) == 1


def test_the_same_phone_on_two_messages_is_one_worker_known_by_a_pseudonym(app, post_twilio, run_jobs):
    factories.factory()
    post_twilio(inbound_params("Saya belum menerima upah", sender="+62 812-9876-5432"))
    post_twilio(inbound_params("Tolong dibantu", sender="+6281298765432"))
    run_jobs()

    workers = db.session.scalars(select(Worker)).all()
    assert len(workers) == 1
    assert workers[0].pseudonym.startswith("W-") and len(workers[0].pseudonym) == 8
