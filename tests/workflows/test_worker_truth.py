"""What a worker is told is true: who handles her case, what she chose about her name, where
her words went; and nothing she writes is dropped or shown to the factory when it is grave."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from grievance.channels.segments import encoding_of
from grievance.extensions import db
from grievance.i18n.worker import FOLLOWUP_TEMPLATES, purpose_for, signed_text, worker_date, worker_text
from grievance.models import Case, CaseEvent, Message
from grievance.models.base import utcnow
from tests import factories
from tests.conftest import case_form, csrf_token
from tests.workflows.test_conversations import _sign_in, phone  # noqa: F401 (a fixture)

KH = "+85523900001"
KH_WORKER = "+85512345678"
LATIN_LANGUAGES = ("id", "vi", "ht", "st", "es", "en")


def cases() -> list[Case]:
    db.session.expire_all()
    return db.session.scalars(select(Case).order_by(Case.id)).all()


def inbound(body: str) -> Message:
    return db.session.scalars(select(Message).where(Message.direction == "inbound", Message.body == body)).one()


def page_of(app, email: str, case: Case):
    """The case page as a signed-in person sees it, and that person's client."""
    person = _sign_in(app, email)
    return person, person.get(f"/cases/{case.reference}")


def deadline(case: Case, language: str) -> str:
    timezone = case.factory.timezone if case.factory else case.country.timezone
    return worker_date(case.acknowledge_by, timezone, language)


def outcome_then(app, phone, case: Case, email: str, answer: str, to: str = "+622150000001") -> Message:
    """The case is resolved from its page; she answers the satisfaction question."""
    person, page = page_of(app, email, case)
    person.post(f"/cases/{case.reference}/resolve", data={
        **case_form(page.get_data(as_text=True)), "resolve-outcome_code": "remedied", "resolve-confirm": "y", "resolve-outcome": "Sudah diselesaikan."})
    return phone.text(answer, to=to)


# 1. Who handles her case.

def test_on_the_advisors_route_no_later_text_says_the_committee(app, phone):
    factories.advisor(email="adv@example.org", country="ID")
    phone.text("Paspor saya ditahan mandor")
    case = cases()[0]
    added = phone.text("Sampai sekarang belum dikembalikan")
    assert added.body == worker_text("added_to_case_programme", "id", reference=case.reference)
    assert "Komite" not in added.body and "Penasihat program" in added.body

    advisor, page = page_of(app, "adv@example.org", case)
    html = page.get_data(as_text=True)
    assert f"“{worker_text('signature_advisor', 'id')}”" in html  # the page says how her reply is signed
    advisor.post(f"/cases/{case.reference}/reply", data={
        **case_form(html), "reply-template": "followup_looking", "reply-text": ""})
    db.session.expire_all()
    looking = db.session.scalars(select(Message).where(Message.purpose.like("followup_looking%"))).one()
    assert looking.body == (worker_text("followup_looking_programme", "id", reference=case.reference)
                            + "\n- Penasihat program")

    reopened = outcome_then(app, phone, case, "adv@example.org", "2")
    case = cases()[0]
    assert reopened.body == worker_text("reopened_programme", "id", reference=case.reference,
                                        date=deadline(case, "id"))
    assert "Komite" not in reopened.body


def test_in_khmer_the_advisors_route_names_the_advisors_not_the_committee(app, phone):
    phone.number = KH_WORKER
    ack = phone.text("គេយកលិខិតឆ្លងដែនរបស់ខ្ញុំ", to=KH)  # they took my passport
    case = cases()[0]
    assert (case.route, ack.purpose, ack.language) == ("advisor", "acknowledgement_programme", "km")
    added = phone.text("រហូតដល់ឥឡូវ គេមិនទាន់ឲ្យវិញទេ", to=KH)
    assert added.body == worker_text("added_to_case_programme", "km", reference=case.reference)
    assert "គណៈកម្មាធិការ" not in added.body and "ទីប្រឹក្សាកម្មវិធី" in added.body


def test_a_locked_fire_exit_in_one_message_is_asked_about_danger_and_yes_takes_it_to_the_advisors(app, phone):
    """Everything named in one message would open the case at once on the committee's route,
    where the manager sits: a danger to safety is first asked about, and only that."""
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
    factories.advisor(email="adv@example.org", country="ID")
    asked = phone.text("Pintu darurat dikunci saat shift malam, upah lembur tidak dibayar")
    assert asked.body == worker_text("ask_danger", "id")
    assert cases() == []  # nothing anyone can see until she has answered
    ack = phone.text("1")
    case = cases()[0]
    assert (case.category, case.danger_now, case.route, case.anonymous) == ("safety_health", True, "advisor", True)
    assert ack.body == worker_text("acknowledgement_programme", "id", reference=case.reference,
                                   date=deadline(case, "id"))
    picc, page = page_of(app, "ani@example.org", case)
    assert page.status_code == 404 and case.reference not in picc.get("/queue").get_data(as_text=True)
    _advisor, page = page_of(app, "adv@example.org", case)
    assert "Pintu darurat dikunci saat shift malam" in page.get_data(as_text=True)


def test_in_khmer_a_locked_fire_door_with_nobody_in_danger_goes_to_the_committee(app, phone):
    phone.number = KH_WORKER
    asked = phone.text("ទ្វារភ្លើងឆេះត្រូវចាក់សោ", to=KH)  # the fire door is locked
    assert (asked.purpose, asked.language) == ("ask_danger", "km")
    ack = phone.text("២", to=KH)  # 2 in Khmer digits: no
    case = cases()[0]
    assert (case.category, case.danger_now, case.route) == ("safety_health", False, "picc")
    assert (ack.purpose, ack.language) == ("acknowledgement", "km")
    assert ack.body == worker_text("acknowledgement", "km", reference=case.reference, date=deadline(case, "km"))


def test_a_committee_case_still_names_the_committee(app, phone):
    phone.text("Upah lembur saya belum dibayar")
    case = cases()[0]
    added = phone.text("Sudah tiga bulan")
    assert added.body == worker_text("added_to_case", "id", reference=case.reference)


# 2. What she chose about her name.

def test_after_she_gives_her_name_no_text_says_her_name_stays_private(app, phone):
    phone.text("Tolong saya")
    phone.text("3")  # safety and health
    assert phone.text("1").purpose == "ask_name"  # yes, the committee may know her name
    phone.text("Sari")
    ack = phone.text("2")
    case = cases()[0]
    assert (case.anonymous, case.route) == (False, "picc")
    assert ack.body == worker_text("acknowledgement_named", "id", reference=case.reference,
                                   date=deadline(case, "id"))
    assert "Komite akan mengetahui nama Anda" in ack.body and "Nama dan nomor Anda dirahasiakan" not in ack.body

    with time_machine.travel(case.acknowledge_by + timedelta(minutes=1)):
        app.test_cli_runner().invoke(args=["sweep"])
    db.session.expire_all()
    escalated = db.session.scalars(select(Message).where(Message.purpose.like("escalated%"))).one()
    assert escalated.body == worker_text("escalated_named", "id", reference=case.reference)
    assert "Nama dan nomor Anda tetap dirahasiakan" not in escalated.body


def test_anonymous_she_is_still_told_her_name_and_number_stay_private(app, phone):
    phone.text("Upah lembur saya belum dibayar")
    case = cases()[0]
    with time_machine.travel(case.acknowledge_by + timedelta(minutes=1)):
        app.test_cli_runner().invoke(args=["sweep"])
    db.session.expire_all()
    escalated = db.session.scalars(select(Message).where(Message.purpose.like("escalated%"))).one()
    assert escalated.body == worker_text("escalated", "id", reference=case.reference)


def test_in_khmer_a_named_grave_case_is_asked_and_acknowledged_for_the_advisors(app, phone):
    phone.number = KH_WORKER
    phone.text("សួស្តី ខ្ញុំមានបញ្ហា", to=KH)
    question = phone.text("៩", to=KH)  # forced labour, in a Khmer digit
    assert question.body == worker_text("ask_anonymity_programme", "km")  # the advisors would know her name
    assert phone.text("បាទ", to=KH).purpose == "ask_name"
    ack = phone.text("សុភា", to=KH)
    case = cases()[0]
    assert (case.route, case.anonymous) == ("advisor", False)
    assert ack.body == worker_text("acknowledgement_programme_named", "km", reference=case.reference,
                                   date=deadline(case, "km"))


# 3. A grave category later in the conversation.

def _never_on_the_committees_side(app, committee_case: Case, words: str) -> None:
    picc, page = page_of(app, "ani@example.org", committee_case)
    assert words not in page.get_data(as_text=True)
    queue = picc.get("/queue").get_data(as_text=True)
    for case in cases():
        if case.route == "advisor":
            assert case.reference not in queue


def test_a_grave_message_on_an_open_wages_case_opens_an_advisors_case(app, phone):
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
    phone.text("Upah lembur saya belum dibayar")
    wages = cases()[0]
    ack = phone.text("Paspor saya ditahan mandor")
    wages, grave = cases()
    assert (grave.category, grave.route) == ("forced_labour", "advisor")
    assert ack.body == worker_text("acknowledgement_programme", "id", reference=grave.reference,
                                   date=deadline(grave, "id"))
    assert inbound("Paspor saya ditahan mandor").case_id == grave.id
    _never_on_the_committees_side(app, wages, "Paspor saya ditahan")

    # More grave words join her advisors' case, never the committee's.
    added = phone.text("Saya juga dipaksa lembur tiap malam")
    assert len(cases()) == 2 and inbound("Saya juga dipaksa lembur tiap malam").case_id == grave.id
    assert added.purpose == "added_to_case_programme"
    # Naming the wages case does not take it there either.
    phone.text(f"{wages.reference} paspor saya masih di mandor")
    assert inbound(f"{wages.reference} paspor saya masih di mandor").case_id == grave.id
    assert not [e for e in wages.events if e.kind == "worker_message" and e.data.get("message_id")
                in {m.id for m in db.session.scalars(select(Message).where(Message.case_id == grave.id))}]


def test_in_english_a_grave_message_later_goes_to_the_advisors(app, phone):
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
    phone.text("I have not been paid my overtime this month")
    ack = phone.text("They keep my passport and I cannot leave")
    wages, grave = cases()
    assert (wages.route, grave.route, ack.language) == ("picc", "advisor", "en")
    assert ack.purpose == "acknowledgement_programme"
    _never_on_the_committees_side(app, wages, "They keep my passport")


def test_a_grave_message_is_not_asked_which_case_it_is_about(app, phone):
    phone.text("Upah lembur saya belum dibayar")
    phone.text("BARU")
    phone.text("2")
    phone.text("2")
    phone.text("2")
    with time_machine.travel(utcnow() + timedelta(days=2)):  # no recent case to guess from
        reply = phone.text("Mandor memukul saya kemarin")
    assert reply.purpose == "acknowledgement_programme"
    grave = cases()[-1]
    assert (grave.category, grave.route) == ("harassment_violence", "advisor")
    assert inbound("Mandor memukul saya kemarin").case_id == grave.id


def test_a_grave_answer_to_a_rating_is_kept_from_the_committee(app, phone):
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
    phone.text("Upah lembur saya belum dibayar")
    wages = cases()[0]
    outcome_then(app, phone, wages, "ani@example.org", "tidak, paspor saya masih ditahan mandor")
    wages, grave = cases()
    assert (wages.status, wages.satisfied) == ("reopened", False)  # her answer is taken
    assert grave.route == "advisor"
    assert inbound("tidak, paspor saya masih ditahan mandor").case_id == grave.id
    _never_on_the_committees_side(app, wages, "paspor saya")
    replies = db.session.scalars(select(Message.purpose).where(Message.direction == "outbound")
                                 .order_by(Message.id)).all()
    assert replies[-2:] == ["reopened", "acknowledgement_programme"]


def test_a_grave_answer_during_an_intake_makes_it_an_advisors_case(app, phone):
    phone.text("Halo, saya mau mengadu")
    phone.text("1")  # wages
    ack = phone.text("tidak, tapi paspor saya juga ditahan")  # the anonymity question
    case = cases()[0]
    assert (case.category, case.route, case.anonymous) == ("forced_labour", "advisor", True)
    assert ack.purpose == "acknowledgement_programme"
    kept = db.session.scalars(select(Message.case_id).where(Message.direction == "inbound")).all()
    assert kept == [case.id] * 3


# 4. A 1/2 answer with words after it.

def test_a_rating_with_words_is_taken_and_her_words_are_on_the_case(app, phone):
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
    phone.text("Pintu darurat dikunci")
    phone.text("2")  # nobody in danger right now: the committee's case
    case = cases()[0]
    reply = outcome_then(app, phone, case, "ani@example.org", "tidak, pintunya masih dikunci")
    case = cases()[0]
    assert reply.purpose == "reopened" and case.status == "reopened"
    words = inbound("tidak, pintunya masih dikunci")
    assert words.case_id == case.id
    assert db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "worker_message",
                                                     CaseEvent.data["message_id"].as_integer() == words.id))
    _picc, page = page_of(app, "ani@example.org", case)
    assert "tidak, pintunya masih dikunci" in page.get_data(as_text=True)


def test_a_satisfied_rating_with_thanks_closes_the_case(app, phone):
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
    phone.text("Upah lembur saya belum dibayar")
    reply = outcome_then(app, phone, cases()[0], "ani@example.org", "Ya, terima kasih")
    assert reply.purpose == "satisfied_thanks" and cases()[0].status == "closed"


def test_in_english_2_no_with_words_reopens(app, phone):
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
    phone.text("The fire exit is locked")
    phone.text("2")  # nobody in danger right now: the committee's case
    reply = outcome_then(app, phone, cases()[0], "ani@example.org", "2 no the door is still locked")
    assert reply.purpose == "reopened" and reply.language == "en"
    assert inbound("2 no the door is still locked").case_id == cases()[0].id


def test_intake_questions_take_a_leading_answer_in_digits_and_words_of_any_script(app, phone):
    phone.text("Tolong saya")
    phone.text("3")
    assert phone.text("1 ya").purpose == "ask_name"
    phone.text("Sari")
    ack = phone.text("ya, pintu darurat dikunci dan ada asap")
    case = cases()[0]
    assert case.danger_now and case.route == "advisor" and ack.purpose == "acknowledgement_programme_named"
    assert inbound("ya, pintu darurat dikunci dan ada asap").case_id == case.id

    phone.number = KH_WORKER
    phone.text("សួស្តី ខ្ញុំមានបញ្ហា", to=KH)
    phone.text("២", to=KH)  # hours or leave
    assert phone.text("២ ទេ", to=KH).purpose == "ask_danger"  # "2 no", Khmer digit and word
    assert phone.text("ទេ អរគុណ", to=KH).purpose == "acknowledgement"
    khmer = cases()[-1]
    assert (khmer.anonymous, khmer.danger_now, khmer.route) == (True, False, "picc")


# 5. The signature in GSM-7.

@pytest.mark.parametrize("language", LATIN_LANGUAGES)
def test_the_signature_adds_no_ucs2_character(language):
    for advisors in (False, True):
        for template in FOLLOWUP_TEMPLATES:
            text = worker_text(purpose_for(template, advisors=advisors, named=False), language, reference="ID-7Q4K2M")
            assert encoding_of(signed_text(text, language, advisors=advisors)) == encoding_of(text)
        if language != "vi":  # Vietnamese letters are UCS-2 anyway
            assert encoding_of(signed_text("OK, we spoke to the manager.", language, advisors=advisors)) == "GSM-7"


def test_a_signed_reply_goes_out_in_gsm7_and_sms_costs_counts_the_signature(app, phone):
    case_picc = factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
    assert case_picc
    phone.text("Upah lembur saya belum dibayar")
    case = cases()[0]
    committee, page = page_of(app, "ani@example.org", case)
    committee.post(f"/cases/{case.reference}/reply", data={
        **case_form(page.get_data(as_text=True)), "reply-template": "",
        "reply-text": "Kami sudah bicara dengan HRD."})
    db.session.expire_all()
    sent = db.session.scalars(select(Message).where(Message.purpose == "committee_text")).one()
    assert (sent.body, sent.encoding, sent.segments) == ("Kami sudah bicara dengan HRD.\n- Komite pabrik", "GSM-7", 1)

    lines = app.test_cli_runner().invoke(args=["sms-costs"]).output.splitlines()
    row = next(line.split() for line in lines if line.startswith("followup_looking id "))
    signed = signed_text(worker_text("followup_looking", "id", reference="KH-7Q4K2M"), "id", advisors=False)
    assert row[2:4] == ["GSM-7", str(len(signed))]


# 6. Every intake answer stays on her case.

def test_an_intake_answer_not_understood_stays_on_her_case(app, phone):
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
    phone.text("Halo, saya mau mengadu")
    assert phone.text("aduh entah lah").body.startswith("Maaf")  # not understood
    phone.text("3")
    phone.text("mungkin")  # not understood either
    phone.text("2")
    phone.text("2")
    case = cases()[0]
    mine = db.session.scalars(select(Message).where(Message.direction == "inbound").order_by(Message.id)).all()
    assert len(mine) == 6 and {m.case_id for m in mine} == {case.id}
    _picc, page = page_of(app, "ani@example.org", case)
    html = page.get_data(as_text=True)
    assert "aduh entah lah" in html and "mungkin" in html


def test_in_vietnamese_an_intake_answer_not_understood_stays_on_her_case(app, phone):
    phone.number = "+84901234567"
    to = "+842838000001"
    phone.text("Xin chào, tôi cần giúp đỡ", to=to)
    phone.text("tôi không biết nữa", to=to)  # not understood
    phone.text("lương", to=to)
    phone.text("không", to=to)
    case = cases()[0]
    mine = db.session.scalars(select(Message).where(Message.direction == "inbound")).all()
    assert len(mine) == 4 and {m.case_id for m in mine} == {case.id}


@pytest.mark.parametrize("to, words", [("+622150000001", ("Tolong saya", "3", "1", "2")),
                                        ("+85523900001", ("សួស្តី ខ្ញុំមានបញ្ហា", "៣", "១", "២"))])
def test_an_empty_answer_to_the_name_question_is_no_name(phone, to, words):
    """A blank text (a photo with no words) is not her name: she is never told the committee
    will see a name nobody has."""
    hello, safety, yes, no = words
    phone.number = "+6281298765432" if to.startswith("+62") else "+85512345678"
    phone.text(hello, to=to)
    phone.text(safety, to=to)
    assert phone.text(yes, to=to).purpose == "ask_name"
    assert phone.text(" ", to=to).purpose == "ask_name"  # asked again
    assert phone.text(" ", to=to).purpose == "ask_danger"  # then she stays anonymous
    ack = phone.text(no, to=to)
    case = db.session.scalars(select(Case)).one()
    assert ack.purpose == "acknowledgement" and case.anonymous and case.name_encrypted is None
