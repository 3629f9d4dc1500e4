"""A worker with several pending conversations: each resolved case is rated, one question at a
time, after any intake she is in; nothing she writes is lost, and no case stays resolved for ever."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.i18n.worker import translations, worker_date, worker_text
from grievance.tasks.rounds import requeue_stale
from grievance.models import Case, Message
from grievance.models.base import utcnow
from tests import factories
from tests.conftest import case_form, csrf_token
from tests.workflows.test_conversations import _sign_in, phone  # noqa: F401 (a fixture)


@dataclass(frozen=True)
class Words:
    language: str
    sender: str
    to: str  # her factory's number
    complaint: str  # names its category: the case opens at once
    new: str
    yes: str
    no: str
    three: str = "3"  # safety and health, in the menu
    two: str = "2"  # no, in a yes/no question


INDONESIAN = Words("id", "+6281298765432", "+622150000001", "Upah lembur saya belum dibayar", "BARU", "ya", "tidak")
KHMER = Words("km", "+85512345678", "+85523900001", "ខ្ញុំមិនទាន់បានប្រាក់ខែទេ", "ថ្មី", "បាទ", "ទេ", three="៣", two="២")


@pytest.fixture(params=[INDONESIAN, KHMER], ids=lambda words: words.language)
def words(request, phone) -> Words:
    phone.number = request.param.sender
    return request.param


@pytest.fixture
def committee(app, phone, run_jobs):
    """Her factory's PICC member, signed in: resolve(case, outcome) resolves it from its page."""
    clients = {}
    for email, code in (("ani@example.org", "IDN-0001"), ("sokha@example.org", "KHM-0001")):
        factories.picc_member(email=email, factory_code=code)
        clients[code] = _sign_in(app, email)

    def resolve(case: Case, outcome: str) -> None:
        client = clients[case.factory.code]
        token = case_form(client.get(f"/cases/{case.reference}").get_data(as_text=True))
        response = client.post(f"/cases/{case.reference}/resolve",
                               data={**token, "resolve-outcome_code": "remedied", "resolve-confirm": "y", "resolve-outcome": outcome})
        assert response.status_code == 302
        run_jobs()  # its send is done before any day passes
        return client.get(response.headers["Location"]).get_data(as_text=True)  # with what she was told

    return resolve


def cases() -> list[Case]:
    db.session.expire_all()
    return db.session.scalars(select(Case).order_by(Case.id)).all()


def last_outbound_id() -> int:
    return db.session.scalar(select(func.coalesce(func.max(Message.id), 0)).where(Message.direction == "outbound"))


def received_since(mark: int) -> list[str]:
    db.session.expire_all()
    return db.session.scalars(select(Message.body).where(Message.direction == "outbound", Message.id > mark)
                              .order_by(Message.id)).all()


def texts(phone, body: str, words: Words = INDONESIAN) -> list[str]:
    """What she receives in answer to one message (several texts, in order)."""
    mark = last_outbound_id()
    phone.text(body, to=words.to)
    return received_since(mark)


def two_cases(phone, words: Words) -> tuple[Case, Case]:
    """A wages case opened at once, then a safety case through an intake (anonymous, no danger)."""
    phone.text(words.complaint, to=words.to)
    phone.text(words.new, to=words.to)
    phone.text(words.three, to=words.to)
    phone.text(words.two, to=words.to)
    assert phone.text(words.two, to=words.to).purpose == "acknowledgement"
    wages, safety = cases()
    return wages, safety


def deadline(case: Case, language: str) -> str:
    return worker_date(case.acknowledge_by, case.factory.timezone, language)


def outcome(case: Case, language: str, said: str) -> str:
    return worker_text("outcome", language, reference=case.reference, outcome=said)


def test_two_resolved_cases_are_rated_one_after_the_other_first_resolved_first(phone, committee, words):
    wages, safety = two_cases(phone, words)
    mark = last_outbound_id()
    committee(safety, "Pintu darurat sudah dibuka.")  # resolved first, though opened second
    committee(wages, "Lembur sudah dibayar.")
    assert received_since(mark) == [outcome(safety, words.language, "Pintu darurat sudah dibuka.")]

    # Her first answer rates the case resolved first; the second question comes after it.
    assert texts(phone, words.yes, words) == [
        worker_text("satisfied_thanks", words.language, reference=safety.reference),
        outcome(wages, words.language, "Lembur sudah dibayar."),
    ]
    reply = texts(phone, words.no, words)
    wages, safety = cases()
    assert (safety.status, safety.satisfied) == ("closed", True)
    assert (wages.status, wages.satisfied, wages.reopen_count) == ("reopened", False, 1)
    assert reply == [worker_text("reopened", words.language, reference=wages.reference,
                                 date=deadline(wages, words.language))]


def test_a_case_resolved_during_her_intake_is_rated_after_it_and_the_intake_loses_nothing(phone, committee, words):
    phone.text(words.complaint, to=words.to)
    (wages,) = cases()
    assert phone.text(words.new, to=words.to).purpose == "ask_category"
    mark = last_outbound_id()
    page = committee(wages, "Lembur sudah dibayar.")
    assert received_since(mark) == []  # not asked in the middle of the intake
    told = translations(words.language).gettext(  # the committee member's page is in her language too
        "Case %(reference)s resolved. The worker will be asked whether she is satisfied after she answers the "
        "question she has now.") % {"reference": wages.reference}
    assert told in page
    assert phone.text(words.three, to=words.to).purpose == "ask_anonymity"
    assert phone.text(words.two, to=words.to).purpose == "ask_danger"

    acknowledgement, question = texts(phone, words.two, words)
    wages, safety = cases()
    assert safety.reference in acknowledgement and safety.category == "safety_health"
    assert question == outcome(wages, words.language, "Lembur sudah dibayar.")
    intake = db.session.scalars(select(Message.case_id).where(Message.direction == "inbound",
                                                             Message.body != words.complaint)).all()
    assert intake == [safety.id] * 4  # the new-complaint word and her three answers

    assert texts(phone, words.yes, words) == [worker_text("satisfied_thanks", words.language, reference=wages.reference)]
    wages, safety = cases()
    assert (wages.status, wages.satisfied) == ("closed", True)
    assert safety.status in ("new", "acknowledged")


def test_neither_unrated_case_stays_resolved(phone, committee, words, run_jobs):
    wages, safety = two_cases(phone, words)
    committee(wages, "Lembur sudah dibayar.")
    committee(safety, "Pintu darurat sudah dibuka.")
    start = utcnow()
    with time_machine.travel(start + timedelta(days=8)):
        mark = last_outbound_id()
        requeue_stale()
        run_jobs()
        # The first closes unrated a week after it was asked; then the second is asked.
        assert received_since(mark) == [outcome(safety, words.language, "Pintu darurat sudah dibuka.")]
    wages, safety = cases()
    assert (wages.status, wages.satisfied, safety.status) == ("closed", None, "resolved")
    with time_machine.travel(start + timedelta(days=16)):
        requeue_stale()
    wages, safety = cases()
    assert (safety.status, safety.satisfied) == ("closed", None)


def test_an_abandoned_intake_becomes_a_case_and_the_rating_behind_it_is_asked(phone, committee, run_jobs):
    phone.text(INDONESIAN.complaint)
    (wages,) = cases()
    phone.text(INDONESIAN.new)
    committee(wages, "Lembur sudah dibayar.")
    with time_machine.travel(utcnow() + timedelta(days=2)):
        mark = last_outbound_id()
        requeue_stale()
        run_jobs()
        acknowledgement, question = received_since(mark)
        wages, other = cases()
        assert other.reference in acknowledgement and other.category == "other"
        assert question == outcome(wages, "id", "Lembur sudah dibayar.")
        texts(phone, "2")
    wages = cases()[0]
    assert (wages.status, wages.satisfied) == ("reopened", False)


def test_a_message_written_before_the_rating_was_asked_does_not_rate(phone, committee):
    """Her intake expired unseen and her next message is an answer to the intake's question: it
    joins her case, and only then is she asked to rate the resolved one."""
    phone.text(INDONESIAN.complaint)
    (wages,) = cases()
    phone.text(INDONESIAN.new)
    committee(wages, "Lembur sudah dibayar.")
    with time_machine.travel(utcnow() + timedelta(days=2)):
        acknowledgement, added, question = texts(phone, "1")
        wages, other = cases()
        assert other.reference in acknowledgement  # her intake, expired into a case
        assert added == worker_text("added_to_case", "id", reference=other.reference)
        assert question == outcome(wages, "id", "Lembur sudah dibayar.")
        assert wages.status == "resolved"
        assert db.session.scalar(select(Message.case_id).where(Message.body == "1")) == other.id
        texts(phone, "1")
    assert (cases()[0].status, cases()[0].satisfied) == ("closed", True)


def test_a_rating_is_never_dropped(phone, committee):
    """Words that are no answer are kept on the rated case; a new complaint goes first and the
    question comes back after it; her 1 or 2 still rates the case."""
    phone.text(INDONESIAN.complaint)
    (wages,) = cases()
    committee(wages, "Lembur sudah dibayar.")
    assert texts(phone, "hmm") == [outcome(wages, "id", "Lembur sudah dibayar.")]  # asked again once
    assert texts(phone, "Mandornya masih marah") == [worker_text("added_to_case", "id", reference=wages.reference)]
    assert db.session.scalar(select(Message.case_id).where(Message.body == "Mandornya masih marah")) == wages.id
    assert phone.text(INDONESIAN.new).purpose == "ask_category"
    phone.text("3")
    phone.text("2")
    acknowledgement, question = texts(phone, "2")
    assert question == outcome(wages, "id", "Lembur sudah dibayar.")
    reply = texts(phone, "2")
    wages = cases()[0]
    assert wages.status == "reopened"
    assert reply == [worker_text("reopened", "id", reference=wages.reference, date=deadline(wages, "id"))]


def test_a_kind_registered_later_speaks_after_the_rating_in_front_of_it(phone, committee, monkeypatch):
    """How a survey will plug in: a kind of a lower priority than the rating waits behind it,
    and its question is sent right after her rating is taken."""
    from grievance.models import Conversation, Worker
    from grievance.workflows.conversations import replier
    from grievance.workflows.conversations.registry import KINDS, Kind, Turn, begin, end

    def answer(turn, conversation, message):
        end(turn, conversation)
        return turn.reply("survey_thanks", conversation.language, body=f"Terima kasih: {message.body}")

    def resume(turn, conversation):
        return turn.reply("survey_question", conversation.language, body="Berapa jam Anda bekerja kemarin?")

    monkeypatch.setitem(KINDS, "survey", Kind(name="survey", priority=5, expiry=timedelta(days=3), answer=answer,
                                              expire=lambda turn, conversation: end(turn, conversation) or [],
                                              resume=resume))
    phone.text(INDONESIAN.complaint)
    (wages,) = cases()
    committee(wages, "Lembur sudah dibayar.")
    worker = db.session.scalars(select(Worker)).one()
    endpoint = wages.messages[0].endpoint
    now = utcnow()
    turn = Turn(session=db.session, worker=worker, now=now, reply=replier(db.session, worker, endpoint, "twilio", now))
    assert begin(turn, Conversation(worker_id=worker.id, kind="survey", step="q1", data={}, endpoint=endpoint,
                                    provider="twilio", language="id", updated_at=now, expires_at=now)) == []
    db.session.commit()

    assert texts(phone, "1") == [worker_text("satisfied_thanks", "id", reference=wages.reference),
                                 "Berapa jam Anda bekerja kemarin?"]
    assert texts(phone, "10") == ["Terima kasih: 10"]
    assert cases()[0].status == "closed"


def test_while_a_rating_waits_her_words_about_her_other_open_case_go_to_that_case(phone, committee, words):
    wages, safety = two_cases(phone, words)
    committee(wages, "Lembur sudah dibayar.")
    about_safety = "Pintu darurat masih dikunci hari ini" if words.language == "id" else "ទ្វារសង្គ្រោះនៅតែចាក់សោ"
    assert texts(phone, about_safety, words) == [outcome(wages, words.language, "Lembur sudah dibayar.")]
    again = about_safety + " !"
    replies = texts(phone, again, words)
    safety_case = db.session.get(Case, safety.id)
    assert replies == [worker_text("added_to_case", words.language, reference=safety_case.reference)]
    kept = db.session.scalars(select(Message.case_id).where(Message.body == again)).all()
    assert kept == [safety.id]  # on the open case the committee works, not on the resolved one
    # The rating still waits for her 1 or 2, and takes it.
    texts(phone, words.two, words)
    assert db.session.get(Case, wages.id).status == "reopened"


def test_a_question_asked_by_the_periodic_round_comes_from_the_number_she_wrote_its_case_to(app, phone, run_jobs):
    """Two factories' numbers: when the first rating expires, the second case's question comes
    from the second factory's number, where she wrote about it, not from the first's."""
    phone.text(INDONESIAN.complaint, to="+622150000001")
    for answer in ("BARU", "1", "2"):  # a new complaint, to the other factory: pay, anonymous
        phone.text(answer, to="+622150000002")
    first, second = cases()
    assert (first.factory.code, second.factory.code) == ("IDN-0001", "IDN-0002")
    for email, code, case in (("ani@example.org", "IDN-0001", first), ("budi@example.org", "IDN-0002", second)):
        factories.picc_member(email=email, factory_code=code)
        client = _sign_in(app, email)
        token = case_form(client.get(f"/cases/{case.reference}").get_data(as_text=True))
        assert client.post(f"/cases/{case.reference}/resolve",
                           data={**token, "resolve-outcome_code": "remedied", "resolve-confirm": "y", "resolve-outcome": "Sudah dibayar."}).status_code == 302
        run_jobs()
    with time_machine.travel(utcnow() + timedelta(days=8)):
        mark = last_outbound_id()
        requeue_stale()
        run_jobs()
    db.session.expire_all()
    asked = db.session.scalars(select(Message).where(Message.direction == "outbound", Message.id > mark)).all()
    assert [m.purpose for m in asked] == ["outcome"] and asked[0].case_id == second.id
    assert asked[0].endpoint.address == "+622150000002"
