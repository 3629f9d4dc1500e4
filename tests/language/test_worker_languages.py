"""Every worker answered in her own language and script."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from grievance.extensions import db
from grievance.language.detect import detect_language
from grievance.models import Message, Worker
from tests import factories
from tests.conftest import inbound_params

# Paragraphs of the programme's own Indonesian overview, kept with the tests.
PROGRAMME_ID = Path(__file__).resolve().parents[1] / "data" / "programme-global.id.txt"

COUNTRIES = {  # country: (factory number, a worker's number)
    "ID": ("+622150000001", "+6281298765432"), "KH": ("+85523900001", "+85512345678"),
    "VN": ("+842838000001", "+84901234567"), "BD": ("+88029000001", "+8801712345678"),
    "JO": ("+96265000001", "+962791234567"), "HT": ("+50928100001", "+50937123456"),
    "LS": ("+26622300001", "+26658123456"), "NI": ("+50522500001", "+50588123456"),
    "MM": ("+9512300001", "+959451234567"),
}

SENTENCES = [
    ("ID", "id", "Saya belum menerima upah lembur bulan ini"),
    ("ID", "id", "Mandor selalu membentak kami dan tidak memberi izin ke toilet"),
    ("ID", "id", "Gaji saya dipotong tanpa alasan, tolong dibantu"),
    ("ID", "en", "The supervisor locked the fire exit during the night shift"),
    ("KH", "km", "ខ្ញុំមិនទាន់បានទទួលប្រាក់ថែមម៉ោងខែនេះទេ"),
    ("VN", "vi", "Công ty bắt chúng tôi làm thêm giờ vào Chủ nhật mà không trả lương"),
    ("VN", "vi", "Cong ty bat chung toi lam them gio ma khong tra luong"),  # typed without diacritics
    ("BD", "bn", "আমাদের তিন মাস ধরে ওভারটাইমের টাকা দেওয়া হয়নি"),
    ("JO", "ar", "المشرف يصرخ علينا كل يوم ولا يسمح لنا بالذهاب إلى الحمام"),
    ("JO", "bn", "সুপারভাইজার আমাদের পাসপোর্ট রেখে দিয়েছে"),  # a Bangladeshi worker in Jordan
    ("HT", "ht", "Yo pa peye nou lè siplemantè depi de mwa, sipèvizè a ap rele sou nou chak jou"),
    ("LS", "st", "Ha re so lefuoe chelete ea nako e eketsehileng khoeling ena, mookameli o re hlekefetsa"),
    ("NI", "es", "No nos han pagado las horas extras de este mes y el supervisor nos grita"),
    ("MM", "my", "ကျွန်မတို့ကို အချိန်ပိုလုပ်ခ မပေးသေးပါ"),
]


@pytest.fixture
def countries(app):
    for code, (number, _) in COUNTRIES.items():
        factories.factory(code=f"{code}-0001", name=f"Factory {code}", country=code, number=number)


def reply_language(post_twilio, run_jobs, country: str, text: str) -> Message:
    number, sender = COUNTRIES[country]
    post_twilio(inbound_params(text, sender=sender, to=number))
    run_jobs()
    db.session.expire_all()
    return db.session.scalars(select(Message).where(Message.direction == "outbound").order_by(Message.id.desc())).first()


@pytest.mark.parametrize("country, language, text", SENTENCES, ids=[f"{c}-{l}-{i}" for i, (c, l, _) in enumerate(SENTENCES)])
def test_a_real_sentence_is_answered_in_its_language(countries, post_twilio, run_jobs, country, language, text):
    reply = reply_language(post_twilio, run_jobs, country, text)
    assert reply.language == language
    # A case opens (to the committee or, for grave matters, to the advisors), or the intake asks
    # (what it is about, or, for a danger to safety, whether anyone is in danger right now).
    assert reply.purpose in ("acknowledgement", "acknowledgement_programme", "ask_category", "ask_danger")
    if language != "en":
        assert not reply.body.startswith("We received"), "answered in English"


def test_the_programmes_own_indonesian_is_indonesian_never_malay():
    paragraphs = [line for line in PROGRAMME_ID.read_text(encoding="utf-8").splitlines() if len(line) > 80]
    assert len(paragraphs) >= 2
    for paragraph in paragraphs[:10]:
        assert detect_language(paragraph, ["id", "en"]) == "id"
        assert detect_language(paragraph[:60], ["id", "en"]) == "id"


def test_an_english_speaker_answering_with_a_digit_is_answered_in_english_after_it(countries, post_twilio, run_jobs):
    """A digit carries no language: hers stays what she wrote before (it became the country's
    first language, and every later text outside the conversation came in Indonesian:
    ``tests/workflows/test_worker_truth.py`` has her told her case reopened)."""
    assert reply_language(post_twilio, run_jobs, "ID", "Please help me, there is a problem").purpose == "ask_category"
    assert reply_language(post_twilio, run_jobs, "ID", "1").language == "en"  # wages
    assert db.session.scalar(select(Worker.language)) == "en"


def test_status_written_by_an_english_speaker_in_indonesia_is_answered_in_english(countries, post_twilio, run_jobs):
    """STATUS is an English and an Indonesian word (lingua takes it for Indonesian): hers stays."""
    assert reply_language(post_twilio, run_jobs, "ID", "I have not been paid my overtime this month").language == "en"
    status = reply_language(post_twilio, run_jobs, "ID", "STATUS")
    assert (status.purpose, status.language) == ("status", "en")
    assert reply_language(post_twilio, run_jobs, "ID", "CEK").language == "id"  # an Indonesian word: hers now


def test_a_bare_no_from_an_english_speaker_in_nicaragua_is_answered_in_english(countries, post_twilio, run_jobs):
    """ "no" is Spanish and English (lingua takes it for Spanish): her language stays English."""
    assert reply_language(post_twilio, run_jobs, "NI", "I have not been paid my overtime this month").language == "en"
    added = reply_language(post_twilio, run_jobs, "NI", "no")
    assert (added.purpose, added.language) == ("added_to_case", "en")
    assert db.session.scalar(select(Worker.language)) == "en"
    assert reply_language(post_twilio, run_jobs, "NI", "Todavía no me han pagado").language == "es"  # words: hers now


def test_the_language_keyword_shows_a_menu_and_a_choice_is_kept(countries, post_twilio, run_jobs):
    menu = reply_language(post_twilio, run_jobs, "KH", "ភាសា")
    assert menu.purpose == "language_menu" and "1 ខ្មែរ" in menu.body and "2 English" in menu.body

    chosen = reply_language(post_twilio, run_jobs, "KH", "ភាសា ២")  # the number in Khmer digits
    assert chosen.purpose == "language_set" and chosen.language == "en" and "English" in chosen.body

    later = reply_language(post_twilio, run_jobs, "KH", "ខ្ញុំមិនទាន់បានទទួលប្រាក់ខែទេ")
    assert later.language == "en" and later.body.startswith("We received")
    assert db.session.scalar(select(Worker)).chosen_language == "en"


def test_a_zawgyi_message_is_read_as_unicode_burmese(countries, post_twilio, run_jobs):
    zawgyi = "က်ြန္မတို႔ကို အခ်ိန္ပိုလုပ္ခ မေပးေသးပါ"
    reply = reply_language(post_twilio, run_jobs, "MM", zawgyi)
    inbound = db.session.scalar(select(Message).where(Message.direction == "inbound"))
    assert inbound.body == zawgyi  # kept as she wrote it
    assert inbound.body_normalized == "ကျွန်မတို့ကို အချိန်ပိုလုပ်ခ မပေးသေးပါ"
    assert reply.language == "my"


def test_a_zawgyi_stop_opts_out(countries, post_twilio, run_jobs):
    reply = reply_language(post_twilio, run_jobs, "MM", "ရပ္")  # Zawgyi for ရပ် (stop)
    assert reply.purpose == "opt_out"
    assert db.session.scalar(select(Worker)).opted_out("sms")
