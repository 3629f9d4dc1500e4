"""A survey answered by text (workflow tier): each worker's replies driven through handle_inbound,
in her language and script, with the answers stored and the texts she is sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from grievance.extensions import db
from grievance.i18n.worker import worker_text
from grievance.models import (
    Case, ChannelEndpoint, Conversation, Message, Survey, SurveyAnswer, SurveyDelivery, SurveyQuestion, SurveyRun,
    SurveySubscriber, Worker,
)
from grievance.privacy import vault
from grievance.workflows.conversations import expire_conversations, replier, survey
from grievance.workflows.conversations.registry import Turn
from grievance.workflows.workers import find_or_create_worker
from grievance.workflows.conversations.survey_answers import record_answer
from grievance.workflows.surveys.dispatch import cancel_run
from tests import factories


@dataclass(frozen=True)
class Place:
    language: str
    country: str
    factory: str
    number: str  # the factory's
    phone: str  # the worker's


INDONESIA = Place("id", "ID", "IDN-0001", "+622150000001", "+6281298765432")
CAMBODIA = Place("km", "KH", "KHM-0001", "+85523900001", "+85512345678")
JORDAN = Place("ar", "JO", "JOR-0001", "+96265000001", "+962791234567")
MYANMAR = Place("my", "MM", "MMR-0001", "+9512345678", "+959421234567")
NICARAGUA = Place("es", "NI", "NIC-0001", "+50522000001", "+50588123456")
PLACES = {place.language: place for place in (INDONESIA, CAMBODIA, JORDAN, MYANMAR, NICARAGUA)}

# The staff's texts, per language (workers never see English here).
INTRO = {"id": "Survei singkat dari program.", "km": "ការស្ទង់មតិខ្លីពីកម្មវិធី។", "ar": "استطلاع قصير من البرنامج.",
         "my": "အစီအစဉ်မှ စစ်တမ်းတိုလေး။", "en": "A short survey from the programme."}
THANKS = {"id": "Terima kasih atas jawaban Anda.", "km": "អរគុណសម្រាប់ចម្លើយរបស់អ្នក។", "ar": "شكرا لإجاباتك.",
          "my": "ဖြေကြားပေးသည့်အတွက် ကျေးဇူးတင်ပါသည်။", "en": "Thank you for your answers."}
CANTEEN = {"id": "Seberapa puas Anda dengan kantin? 1 sampai 5", "km": "តើអ្នកពេញចិត្តនឹងអាហារដ្ឋានប៉ុណ្ណា? ១ ដល់ ៥",
           "ar": "ما مدى رضاك عن المقصف؟ من ١ إلى ٥", "my": "စားသောက်ဆောင်ကို ဘယ်လောက်ကျေနပ်လဲ။ ၁ မှ ၅",
           "en": "How satisfied are you with the canteen? 1 to 5"}
ON_TIME = {"id": "Apakah upah dibayar tepat waktu? 1 ya, 2 tidak", "km": "តើប្រាក់ខែបើកទាន់ពេលទេ? ១ បាទ/ចាស ២ ទេ",
           "ar": "هل دفع الأجر في موعده؟ ١ نعم ٢ لا", "my": "လစာ အချိန်မှန်ရလား။ ၁ ဟုတ် ၂ မဟုတ်",
           "en": "Was your pay on time? 1 yes, 2 no"}
TRAVEL = {"id": "Bagaimana Anda ke pabrik? 1 bus, 2 motor, 3 jalan kaki",
          "km": "តើអ្នកមករោងចក្រដោយរបៀបណា? ១ ឡានក្រុង ២ ម៉ូតូ ៣ ដើរ",
          "ar": "كيف تصل إلى المصنع؟ ١ حافلة ٢ دراجة نارية ٣ مشيا",
          "my": "စက်ရုံကို ဘယ်လိုလာလဲ။ ၁ ဘတ်စ် ၂ ဆိုင်ကယ် ၃ လမ်းလျှောက်",
          "en": "How do you come to the factory? 1 bus, 2 motorbike, 3 walking"}
TRAVEL_CHOICES = [
    {"id": "Bus", "km": "ឡានក្រុង", "ar": "حافلة", "my": "ဘတ်စ်", "en": "Bus"},
    {"id": "Motor", "km": "ម៉ូតូ", "ar": "دراجة نارية", "my": "ဆိုင်ကယ်", "en": "Motorbike"},
    {"id": "Jalan kaki", "km": "ដើរ", "ar": "مشيا", "my": "လမ်းလျှောက်", "en": "Walking"},
]
ISSUE = {language: f"({language}) What would you change at work?" for language in INTRO}


def question(position: int, kind: str, text: dict, **rest) -> SurveyQuestion:
    return SurveyQuestion(position=position, kind=kind, text=text, **rest)


def three_questions(*, on_time: dict | None = None, canteen: dict | None = None) -> list[SurveyQuestion]:
    return [question(1, "scale", CANTEEN, scale_max=5, **(canteen or {})),
            question(2, "yes_no", ON_TIME, **(on_time or {})),
            question(3, "choice", TRAVEL, choices=TRAVEL_CHOICES)]


@pytest.fixture
def places(session):
    for place in PLACES.values():
        factories.factory(code=place.factory, name=f"Factory {place.factory}", country=place.country,
                          numbers=[place.number, f"whatsapp:{place.number}"])


@pytest.fixture
def start(session, now, places):
    """Send a survey to the worker of ``place``, as dispatch does: a running run, her delivery,
    and ``survey.invite``; returns the bodies of the texts queued."""
    def invite(place: Place, questions: list[SurveyQuestion] | None = None, *, channel: str = "sms",
               phone: str | None = None, at=None) -> list[str]:
        moment = at or now
        made = Survey(kind="survey", title="Canteen and pay", country_code=place.country, intro=INTRO, thanks=THANKS,
                      created_at=moment, updated_at=moment, questions=questions or three_questions())
        endpoint = session.scalar(select(ChannelEndpoint).where(ChannelEndpoint.channel == channel,
                                                                ChannelEndpoint.address == place.number))
        session.add(made)
        session.flush()
        run = SurveyRun(survey_id=made.id, factory_id=endpoint.factory_id, country_code=place.country,
                        status="running", created_at=moment, started_at=moment)
        session.add(run)
        session.flush()
        worker = find_or_create_worker(session, phone or place.phone, vault(), place.country, moment)
        delivery = SurveyDelivery(run_id=run.id, worker_id=worker.id, endpoint_id=endpoint.id,
                                  language=place.language, status="sent", sent_at=moment)
        session.add(delivery)
        session.flush()
        turn = Turn(session=session, worker=worker, now=moment,
                    reply=replier(session, worker, endpoint, "twilio", moment))
        replies = survey.invite(turn, run, delivery, "twilio")
        assert all(reply.run_id == run.id for reply in replies)
        session.commit()
        return [reply.body for reply in replies]

    return invite


@pytest.fixture
def say(receive):
    """Her text to her factory's number; returns (purpose, body, run_id) of each reply."""
    def text(place: Place, body: str, **options) -> list[tuple[str, str, int | None]]:
        return [(reply.purpose, reply.body, reply.run_id)
                for reply in receive(body, sender=options.pop("phone", place.phone), to=place.number, **options)]

    return text


def bodies(replies) -> list[str]:
    return [body for _purpose, body, _run in replies]


def answers(phone: str | None = None) -> dict[int, str]:
    db.session.expire_all()
    rows = db.session.execute(select(SurveyQuestion.position, SurveyAnswer.value).join(
        SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id).join(
        Worker, Worker.id == SurveyAnswer.worker_id).where(
        Worker.phone_hash == vault().lookup_hashes(phone or INDONESIA.phone)[0])).all()
    return dict(rows)


def delivery() -> SurveyDelivery:
    db.session.expire_all()
    return db.session.scalars(select(SurveyDelivery)).one()


def worker(phone: str = INDONESIA.phone) -> Worker:
    db.session.expire_all()
    return db.session.scalar(select(Worker).where(Worker.phone_hash == vault().lookup_hashes(phone)[0]))


def surveys_pending() -> list[Conversation]:
    db.session.expire_all()
    return db.session.scalars(select(Conversation).where(Conversation.kind == "survey")).all()


def hint(purpose: str, language: str, asked: dict, top: int | None = None) -> str:
    return worker_text(purpose, language, top=str(top or "")) + "\n" + asked[language]


# --- Must show: one survey, four scripts.

@pytest.mark.parametrize("language, replies, stored", [
    ("km", ["៤", "១", "៣"], {1: "4", 2: "yes", 3: "3"}),  # Khmer digits
    ("id", ["empat", "ya", "jalan kaki"], {1: "4", 2: "yes", 3: "3"}),  # Indonesian words
    ("ar", ["٤", "٢", "٣"], {1: "4", 2: "no", 3: "3"}),  # Arabic-Indic digits
    ("my", ["၄", "၁", "၂"], {1: "4", 2: "yes", 3: "2"}),  # Burmese digits
])
def test_a_three_question_survey_answered_in_her_script_records_the_right_answers(start, say, language, replies,
                                                                                   stored):
    place = PLACES[language]
    assert start(place) == [f"{INTRO[language]}\n{CANTEEN[language]}"]
    assert bodies(say(place, replies[0])) == [ON_TIME[language]]
    assert bodies(say(place, replies[1])) == [TRAVEL[language]]
    assert bodies(say(place, replies[2])) == [THANKS[language]]
    assert answers(place.phone) == stored
    assert delivery().status == "answered" and surveys_pending() == []


def test_khmer_words_inside_unspaced_text_answer_yes_and_no(start, say):
    start(CAMBODIA)
    say(CAMBODIA, "បួន")
    assert bodies(say(CAMBODIA, "បាទខ្ញុំទទួលបានទាន់ពេល")) == [TRAVEL["km"]]  # "yes, I got it on time"
    say(CAMBODIA, "ខ្ញុំដើរ")  # "I walk": the text of choice 3
    assert answers(CAMBODIA.phone) == {1: "4", 2: "yes", 3: "3"}


# --- Must show: END is an answer, STOP opts out.

def test_end_to_a_yes_no_question_is_a_miss_asked_again_and_she_stays_subscribed(start, say):
    start(INDONESIA)
    say(INDONESIA, "3")
    replies = say(INDONESIA, "END")
    assert bodies(replies) == [hint("survey_hint_yes_no", "id", ON_TIME)]
    assert replies[0][2] is not None  # the run's: its cancel would stop it
    assert not worker().opted_out("sms")
    assert bodies(say(INDONESIA, "tidak")) == [TRAVEL["id"]]
    assert answers() == {1: "3", 2: "no"}


def test_end_to_a_free_text_question_is_her_answer(start, say):
    start(INDONESIA, [question(1, "text", ISSUE), question(2, "yes_no", ON_TIME)])
    assert bodies(say(INDONESIA, "END")) == [ON_TIME["id"]]
    assert bodies(say(INDONESIA, "CANCEL")) == [hint("survey_hint_yes_no", "id", ON_TIME)]
    db.session.expire_all()
    free = db.session.scalars(select(SurveyAnswer).where(SurveyAnswer.value == "text")).one()
    assert free.text == "END"
    assert not worker().opted_out("sms")


@pytest.mark.parametrize("language, stop", [("km", "ឈប់"), ("id", "BERHENTI"), ("ar", "توقف")])
def test_stop_in_her_language_mid_survey_opts_her_out_and_ends_the_survey(start, say, now, language, stop):
    place = PLACES[language]
    factories.case(factory_code=place.factory, to=place.number, phone=place.phone, body="gaji", language=language,
                   now=now - timedelta(days=1))
    start(place)
    say(place, "4")
    replies = say(place, stop)
    assert [purpose for purpose, _body, _run in replies] == ["opt_out"]
    assert worker(place.phone).opted_out("sms")
    assert surveys_pending() == []
    # What she answered is kept; the rest is unanswered; her case is untouched.
    assert answers(place.phone) == {1: "4", 2: "unanswered", 3: "unanswered"}
    assert (delivery().status, delivery().reason) == ("answered", "stopped")
    assert db.session.scalars(select(Case.status)).all() == ["new"]
    # Nothing more of the survey is asked, whatever she sends next.
    assert all(run is None for _purpose, _body, run in say(place, "5"))


def test_stop_on_sms_leaves_her_whatsapp_survey_going(start, say, now):
    say(INDONESIA, "SURVEI", channel="whatsapp", at=now - timedelta(hours=1))
    start(INDONESIA, channel="whatsapp")
    say(INDONESIA, "BERHENTI")  # by SMS: she is opted out of SMS only
    assert worker().opted_out("sms") and not worker().opted_out("whatsapp")
    assert bodies(say(INDONESIA, "4", channel="whatsapp")) == [ON_TIME["id"]]
    assert answers() == {1: "4"}


# --- Must show: a grievance mid-survey.

def test_a_complaint_mid_survey_opens_a_case_and_the_survey_asks_its_question_again_after(start, say):
    start(INDONESIA)
    say(INDONESIA, "4")
    replies = say(INDONESIA, "Upah lembur saya belum dibayar")
    (case,) = db.session.scalars(select(Case)).all()
    assert case.category == "wages"
    assert [(purpose, run is None) for purpose, _body, run in replies] == [("acknowledgement", True),
                                                                          ("survey_question", False)]
    assert case.reference in replies[0][1]
    assert replies[1][1] == ON_TIME["id"]  # the question again, not the introduction
    assert answers() == {1: "4"}
    say(INDONESIA, "ya")
    say(INDONESIA, "2")
    assert answers() == {1: "4", 2: "yes", 3: "2"}


def test_new_mid_survey_starts_an_intake_whose_answers_are_not_the_surveys(start, say):
    start(INDONESIA)
    assert [purpose for purpose, _b, _r in say(INDONESIA, "BARU")] == ["ask_category"]
    assert [purpose for purpose, _b, _r in say(INDONESIA, "1")] == ["ask_anonymity"]
    replies = say(INDONESIA, "2")
    assert [purpose for purpose, _b, _r in replies] == ["acknowledgement", "survey_question"]
    assert replies[1][1] == CANTEEN["id"]
    assert answers() == {}
    (case,) = db.session.scalars(select(Case)).all()
    assert (case.category, case.anonymous) == ("wages", True)


def test_a_grave_complaint_mid_survey_goes_to_the_advisors_and_the_survey_waits(start, say):
    start(INDONESIA)
    replies = say(INDONESIA, "Saya dilecehkan oleh mandor")
    (case,) = db.session.scalars(select(Case)).all()
    assert (case.category, case.route) == ("harassment_violence", "advisor")
    assert [purpose for purpose, _b, _r in replies] == ["acknowledgement_programme", "survey_question"]
    assert replies[1][1] == CANTEEN["id"]
    say(INDONESIA, "5")
    assert answers() == {1: "5"}


def test_a_reply_naming_her_case_joins_it_and_the_question_waits(start, say, now):
    case = factories.case(now=now - timedelta(days=1))
    start(INDONESIA)
    replies = say(INDONESIA, f"{case.reference} masih belum")
    assert [purpose for purpose, _b, _r in replies] == ["added_to_case", "survey_question"]
    assert answers() == {}


def test_a_worker_in_an_intake_is_asked_the_survey_after_it(start, say):
    say(INDONESIA, "BARU")
    assert start(INDONESIA) == []  # waits behind the intake
    say(INDONESIA, "1")
    replies = say(INDONESIA, "2")
    assert [purpose for purpose, _b, _r in replies] == ["acknowledgement", "survey_question"]
    assert replies[1][1] == f"{INTRO['id']}\n{CANTEEN['id']}"
    say(INDONESIA, "3")
    assert answers() == {1: "3"}


# --- A reply that does not fit; the skip rule.

def test_a_reply_that_does_not_fit_is_asked_again_once_with_a_hint_then_recorded_unanswered(start, say):
    start(INDONESIA)
    assert bodies(say(INDONESIA, "banyak")) == [hint("survey_hint_scale", "id", CANTEEN, top=5)]
    assert bodies(say(INDONESIA, "7")) == [ON_TIME["id"]]  # a second miss: on to the next question
    assert bodies(say(INDONESIA, "mungkin")) == [hint("survey_hint_yes_no", "id", ON_TIME)]
    assert bodies(say(INDONESIA, "1")) == [TRAVEL["id"]]
    assert bodies(say(INDONESIA, "kereta")) == [hint("survey_hint_choice", "id", TRAVEL, top=3)]
    assert bodies(say(INDONESIA, "motor")) == [THANKS["id"]]
    assert answers() == {1: "unanswered", 2: "yes", 3: "2"}


def test_the_skip_rule_jumps_ahead_and_records_what_it_skipped(start, say):
    start(INDONESIA, [question(1, "yes_no", ON_TIME, skip_if="no", skip_to=3), question(2, "text", ISSUE),
                      question(3, "scale", CANTEEN, scale_max=5)])
    assert bodies(say(INDONESIA, "tidak")) == [CANTEEN["id"]]
    assert bodies(say(INDONESIA, "2")) == [THANKS["id"]]
    assert answers() == {1: "no", 2: "skipped", 3: "2"}


def test_a_skip_to_zero_ends_the_survey(start, say):
    start(INDONESIA, three_questions(canteen={"skip_if": "1", "skip_to": 0}))
    assert bodies(say(INDONESIA, "1")) == [THANKS["id"]]
    assert answers() == {1: "1", 2: "skipped", 3: "skipped"}
    assert surveys_pending() == []


# --- Randomized response.

@pytest.mark.parametrize("share, randomized", [(1.0, True), (0.0, False)])
def test_a_randomized_question_marks_every_answer_it_drew_for(start, say, share, randomized):
    phones = ["+6281298765432", "+6281298765433", "+6281298765434"]
    for phone in phones:
        start(INDONESIA, three_questions(on_time={"randomized_share": share}), phone=phone)
        say(INDONESIA, "4", phone=phone)
        say(INDONESIA, "ya", phone=phone)
    db.session.expire_all()
    on_time = db.session.scalars(select(SurveyAnswer).join(SurveyQuestion).where(SurveyQuestion.position == 2)).all()
    assert len(on_time) == 3
    assert {row.randomized for row in on_time} == {randomized}
    if not randomized:
        assert {row.value for row in on_time} == {"yes"}
        assert all(row.message_id is not None for row in on_time)
    else:  # her own "ya" is kept nowhere: not on the answer, not in the message
        assert all(row.message_id is None and row.text is None for row in on_time)
        assert db.session.scalars(select(Message).where(Message.body == "ya")).all() == []


def test_with_the_whole_share_random_the_stored_answers_are_not_hers(session, now, places):
    worker_row = find_or_create_worker(session, INDONESIA.phone, vault(), "ID", now)
    made = Survey(kind="survey", title="t", country_code="ID", intro=INTRO, thanks=THANKS, created_at=now,
                  updated_at=now, questions=[question(1, "yes_no", ON_TIME, randomized_share=1.0),
                                             question(2, "yes_no", ON_TIME)])
    session.add(made)
    session.flush()
    run = SurveyRun(survey_id=made.id, country_code="ID", status="running", created_at=now)
    session.add(run)
    session.flush()
    drawn = [record_answer(session, run_id=run.id, question=made.questions[0], worker_id=worker_row.id, value="yes",
                           text=None, message_id=None, now=now).value for _ in range(200)]
    assert set(drawn) == {"yes", "no"}  # all "yes" would come once in 2**200 runs
    kept = [record_answer(session, run_id=run.id, question=made.questions[1], worker_id=worker_row.id, value="yes",
                          text=None, message_id=None, now=now) for _ in range(20)]
    assert {(row.value, row.randomized) for row in kept} == {("yes", False)}


# --- WhatsApp outside the window; a survey left unanswered.

def test_on_whatsapp_outside_the_window_the_invitation_goes_first_and_her_reply_brings_question_one(start, say):
    replies = start(INDONESIA, channel="whatsapp")
    assert replies == [INTRO["id"]]
    (pending,) = surveys_pending()
    assert pending.step == "invited"
    assert bodies(say(INDONESIA, "Halo", channel="whatsapp")) == [CANTEEN["id"]]  # no second introduction
    assert bodies(say(INDONESIA, "5", channel="whatsapp")) == [ON_TIME["id"]]
    assert answers() == {1: "5"}


def test_on_whatsapp_inside_the_window_the_first_question_comes_with_the_introduction(start, say, now):
    say(INDONESIA, "SURVEI", channel="whatsapp", at=now - timedelta(hours=2))  # she subscribed on WhatsApp
    assert start(INDONESIA, channel="whatsapp") == [f"{INTRO['id']}\n{CANTEEN['id']}"]


def test_a_survey_left_unanswered_records_the_rest_unanswered(start, say, session, now):
    start(INDONESIA)
    assert expire_conversations(session, now + timedelta(days=3, minutes=1)) == []
    session.commit()
    assert answers() == {1: "unanswered", 2: "unanswered", 3: "unanswered"}
    assert delivery().status == "unanswered"
    assert surveys_pending() == []


def test_a_survey_left_half_way_keeps_what_she_answered(start, say, session, now):
    start(INDONESIA)
    say(INDONESIA, "2", at=now + timedelta(hours=1))
    # Each question has its own three days, from when it was asked.
    assert expire_conversations(session, now + timedelta(days=3, minutes=30)) == []
    assert surveys_pending() != []
    expire_conversations(session, now + timedelta(days=3, hours=2))
    session.commit()
    assert answers() == {1: "2", 2: "unanswered", 3: "unanswered"}
    assert delivery().status == "answered"


# --- Saying yes or no to surveys by text.

def test_survey_keyword_to_her_factory_number_subscribes_her_and_says_how_to_stop(say, places):
    (reply,) = say(INDONESIA, "survei")
    assert reply[0] == "survey_subscribed" and "BERHENTI SURVEI" in reply[1]
    db.session.expire_all()
    (subscriber,) = db.session.scalars(select(SurveySubscriber)).all()
    assert subscriber.factory_id == db.session.scalar(select(ChannelEndpoint.factory_id).where(
        ChannelEndpoint.address == INDONESIA.number, ChannelEndpoint.channel == "sms"))
    assert (subscriber.source, subscriber.channel, subscriber.language) == ("texted", "sms", "id")
    assert subscriber.consent_where.startswith("text message") and subscriber.withdrawn_at is None
    assert db.session.scalars(select(Case)).all() == []  # no complaint


def test_survey_keyword_to_a_shared_number_subscribes_her_to_none(receive, places):
    db.session.add(ChannelEndpoint(channel="sms", address="+622150009999", factory_id=None, country_code="ID"))
    db.session.commit()
    (reply,) = receive("SURVEI", to="+622150009999")
    assert reply.purpose == "survey_own_number" and "SURVEI" in reply.body
    assert db.session.scalars(select(SurveySubscriber)).all() == []


def test_no_surveys_withdraws_her_consent_and_ends_her_survey(start, say):
    say(INDONESIA, "SURVEI")
    start(INDONESIA)
    (reply,) = say(INDONESIA, "berhenti survei")
    assert reply[0] == "survey_unsubscribed"
    db.session.expire_all()
    assert db.session.scalars(select(SurveySubscriber.withdrawn_at)).one() is not None
    assert surveys_pending() == []
    assert not worker().opted_out("sms")  # her other messages still reach her


# --- A keyword that is also one of the question's answers.

HEAT = {"es": "¿Cuánto calor hace en la nave? 1 alta 2 media 3 baja"}
HEAT_CHOICES = [{"es": "Alta"}, {"es": "Media"}, {"es": "Baja"}]
WATER = {"es": "¿Hay agua para beber? 1 sí 2 no"}


def purposes(replies) -> list[str]:
    return [purpose for purpose, _body, _run in replies]


def test_baja_and_alta_answer_a_choice_question_and_opt_nobody_out_or_in(start, say):
    start(NICARAGUA, [question(1, "choice", HEAT, choices=HEAT_CHOICES),
                      question(2, "choice", HEAT, choices=HEAT_CHOICES), question(3, "yes_no", WATER)])
    assert bodies(say(NICARAGUA, "Baja")) == [HEAT["es"]]  # BAJA is a Spanish opt-out word
    assert not worker(NICARAGUA.phone).opted_out("sms")
    assert bodies(say(NICARAGUA, "ALTA")) == [WATER["es"]]  # ALTA a Spanish opt-in word
    assert answers(NICARAGUA.phone) == {1: "3", 2: "1"}
    # To a yes/no question BAJA is no answer: it opts her out, as everywhere else.
    assert purposes(say(NICARAGUA, "baja")) == ["opt_out"]
    assert worker(NICARAGUA.phone).opted_out("sms") and surveys_pending() == []


def test_the_opt_out_word_she_is_told_opts_out_even_when_it_is_a_choice(start, say):
    start(NICARAGUA, [question(1, "choice", HEAT, choices=[{"es": "Alto"}, {"es": "Bajo"}])])
    replies = say(NICARAGUA, "ALTO")
    assert purposes(replies) == ["opt_out"]
    assert worker(NICARAGUA.phone).opted_out("sms")
    assert answers(NICARAGUA.phone) == {1: "unanswered"}


def test_baja_with_no_survey_question_asked_opts_her_out(say, places):
    assert purposes(say(NICARAGUA, "BAJA")) == ["opt_out"]
    assert worker(NICARAGUA.phone).opted_out("sms")


# --- A complaint beside the answer.

def cases() -> list[Case]:
    db.session.expire_all()
    return db.session.scalars(select(Case)).all()


def test_a_yes_with_a_complaint_after_it_records_the_yes_and_opens_a_case(start, say):
    start(INDONESIA)
    say(INDONESIA, "4")
    replies = say(INDONESIA, "ya, tapi mandor memotong gaji kami")  # "yes, but the foreman cuts our pay"
    (case,) = cases()
    assert case.category == "wages"
    assert "mandor memotong gaji" in case.messages[0].body
    assert [(purpose, run is None) for purpose, _body, run in replies] == [("acknowledgement", True),
                                                                          ("survey_question", False)]
    assert replies[1][1] == TRAVEL["id"]  # the survey goes on from the question after
    assert answers() == {1: "4", 2: "yes"}
    say(INDONESIA, "1")
    assert answers() == {1: "4", 2: "yes", 3: "1"}


def test_a_number_inside_a_complaint_is_no_answer_and_the_question_comes_again(start, say):
    start(INDONESIA)
    replies = say(INDONESIA, "upah lembur tidak dibayar 2 bulan")  # "overtime not paid for 2 months"
    (case,) = cases()
    assert case.category == "wages"
    assert purposes(replies) == ["acknowledgement", "survey_question"]
    assert replies[1][1] == CANTEEN["id"]
    assert answers() == {}
    say(INDONESIA, "3")
    assert answers() == {1: "3"}


def test_a_number_she_leads_with_is_her_answer_beside_the_complaint(start, say):
    start(INDONESIA)
    replies = say(INDONESIA, "2, upah lembur tidak dibayar")
    assert len(cases()) == 1
    assert bodies(replies)[1] == ON_TIME["id"]
    assert answers() == {1: "2"}


def test_a_choice_that_names_a_category_is_only_an_answer(start, say):
    problems = {"id": "Masalah terbesar? 1 gaji 2 lembur 3 keselamatan"}
    choices = [{"id": "Gaji"}, {"id": "Lembur"}, {"id": "Keselamatan"}]
    start(INDONESIA, [question(1, "choice", problems, choices=choices), question(2, "choice", problems,
                                                                               choices=choices)])
    assert bodies(say(INDONESIA, "2 lembur")) == [problems["id"]]
    assert bodies(say(INDONESIA, "keselamatan")) == [THANKS["id"]]
    assert cases() == [] and answers() == {1: "2", 2: "3"}


def test_a_complaint_to_a_randomized_question_keeps_no_answer_beside_her_words(start, say):
    start(INDONESIA, three_questions(on_time={"randomized_share": 0.3}))
    say(INDONESIA, "4")
    replies = say(INDONESIA, "ya, tapi mandor memotong gaji kami")
    (case,) = cases()
    assert "mandor memotong gaji" in case.messages[0].body  # her words stay on her case …
    assert answers() == {1: "4"}  # … so no answer drawn from them is stored
    assert bodies(replies)[1] == ON_TIME["id"]


# --- A reply to a survey cancelled meanwhile.

def cancelled_after_she_read_it(session, at) -> None:
    """Her question went out; then the run is cancelled."""
    for sent in session.scalars(select(Message).where(Message.direction == "outbound")):
        sent.status = "sent"
    cancel_run(session, session.scalars(select(SurveyRun)).one(), None, at)
    session.commit()


def test_her_answer_to_a_cancelled_survey_is_thanked_and_opens_no_complaint(start, say, session, now):
    start(INDONESIA)
    cancelled_after_she_read_it(session, now + timedelta(minutes=1))
    replies = say(INDONESIA, "4", at=now + timedelta(minutes=5))
    assert replies == [("survey_cancelled", worker_text("survey_cancelled", "id"), None)]
    assert cases() == [] and surveys_pending() == []
    db.session.expire_all()
    assert db.session.scalars(select(Conversation)).all() == []
    # A complaint she sends is still a complaint.
    replies = say(INDONESIA, "Upah saya dipotong", at=now + timedelta(minutes=6))
    assert purposes(replies) == ["acknowledgement"] and len(cases()) == 1


def test_long_after_a_cancelled_survey_her_number_is_a_message_as_any_other(start, say, session, now):
    start(INDONESIA)
    cancelled_after_she_read_it(session, now + timedelta(minutes=1))
    assert purposes(say(INDONESIA, "4", at=now + timedelta(days=4))) == ["ask_category"]


# --- WhatsApp: a survey that waited resumes outside her window.

def test_a_whatsapp_survey_resuming_after_her_window_closed_sends_the_template_again(start, say, session, now):
    say(INDONESIA, "SURVEI", channel="whatsapp", at=now - timedelta(hours=1))  # her window is open
    assert start(INDONESIA, channel="whatsapp") == [f"{INTRO['id']}\n{CANTEEN['id']}"]
    assert bodies(say(INDONESIA, "4", channel="whatsapp")) == [ON_TIME["id"]]
    assert purposes(say(INDONESIA, "BARU", channel="whatsapp")) == ["ask_category"]  # the survey waits
    # She leaves the intake unanswered: a day later it becomes a case, and her window is closed.
    later = now + timedelta(hours=25)
    replies = expire_conversations(session, later)
    session.commit()
    invite = [reply for reply in replies if reply.run_id is not None]
    assert [(reply.purpose, reply.body) for reply in invite] == [("survey_invite", INTRO["id"])]
    (pending,) = surveys_pending()
    assert pending.step == "invited"
    # Her reply opens the window: the question where she left off, not question 1.
    assert bodies(say(INDONESIA, "Halo", channel="whatsapp", at=later + timedelta(hours=1))) == [ON_TIME["id"]]
    assert bodies(say(INDONESIA, "ya", channel="whatsapp", at=later + timedelta(hours=1))) == [TRAVEL["id"]]
    assert answers() == {1: "4", 2: "yes"}


def test_a_complaint_beside_her_answer_joins_her_open_case_and_the_survey_goes_on(start, say, now):
    case = factories.case(now=now - timedelta(days=1))
    start(INDONESIA)
    replies = say(INDONESIA, "2, upah lembur masih belum dibayar")  # "overtime still not paid"
    assert [(purpose, run is None) for purpose, _body, run in replies] == [("added_to_case", True),
                                                                          ("survey_question", False)]
    assert replies[1][1] == ON_TIME["id"]
    assert [c.id for c in cases()] == [case.id]
    assert any("masih belum dibayar" in m.body for m in cases()[0].messages if m.direction == "inbound")
    assert answers() == {1: "2"}
