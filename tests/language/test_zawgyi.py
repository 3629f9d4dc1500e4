"""Zawgyi Burmese is converted to Unicode exactly as ICU's Zawgyi-my transliterator does."""

import unicodedata
from pathlib import Path

import pytest

from grievance.language.normalize import normalize, readable
from grievance.language.zawgyi import zawgyi_to_unicode
from tests.language.test_worker_languages import countries  # noqa: F401  (fixture)

DATA = Path(__file__).parent.parent / "data"


def paragraphs(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def test_udhr_article_23_comes_out_letter_for_letter():
    zawgyi, unicode = paragraphs("udhr_article23_my_zawgyi.txt"), paragraphs("udhr_article23_my_unicode.txt")
    assert len(zawgyi) == len(unicode) == 5
    for typed, expected in zip(zawgyi, unicode):
        # The reference writes dot below after asat in places; NFC (what ICU gives) puts it first.
        assert readable(typed) == unicodedata.normalize("NFC", expected)


def test_the_syllables_an_older_converter_got_wrong():
    assert readable("ခဲြျခားျခင္း") == "ခွဲခြားခြင်း"
    assert readable("ရိွသည္") == "ရှိသည်"


@pytest.mark.parametrize(("zawgyi", "unicode"), [
    # From the conversion cases of ICU's own tests, as kept in myanmar-tools.
    ("\u1031\u103b\u1001\u1010\u101c\u103d\u1019\u1039\u1038",
     "\u1001\u103c\u1031\u1010\u101c\u103e\u1019\u103a\u1038"),
    ("\u1031\u1006\u102c\u1004\u1039\u1038\u1025\u102e\u1038\u101c\u1004\u1039\u1038",
     "\u1006\u1031\u102c\u1004\u103a\u1038\u1026\u1038\u101c\u1004\u103a\u1038"),
    ("\u101c\u1030\u101b\u103d\u1004\u1039\u101e\u1001\u103a\u1064\u1033\u102d\u1004\u1039\u1038",
     "\u101c\u1030\u101b\u103e\u1004\u103a\u101e\u1004\u103a\u1039\u1001\u103b\u102d\u102f\u1004\u103a\u1038"),
    ("\u1001\u102f\u102f\u108f\u103d\u1005\u1039\u1021\u1010\u103c\u1000\u1039",
     "\u1001\u102f\u1014\u103e\u1005\u103a\u1021\u1010\u103d\u1000\u103a"),
    # A lone digit four or zero stands for the letter it looks like (၎, ဝ), a number stays.
    ("\u1044", "\u104e"),
    ("\u1040", "\u101d"),
    ("\u1041\u1040\u1040", "\u1041\u1040\u1040"),
])
def test_zawgyi_to_unicode(zawgyi, unicode):
    assert zawgyi_to_unicode(zawgyi) == unicode


def test_unicode_burmese_and_other_scripts_are_shown_unchanged():
    unicode = paragraphs("udhr_article23_my_unicode.txt")[2]
    assert readable(unicode) == unicodedata.normalize("NFC", unicode)
    for text in ("Upah saya belum dibayar", "ខ្ញុំធ្វើការដល់ម៉ោងដប់យប់។", "বেতন পাইনি"):
        assert readable(text) == text


def test_what_is_read_and_what_is_shown_agree_for_burmese():
    zawgyi = paragraphs("udhr_article23_my_zawgyi.txt")[1]
    assert normalize(zawgyi) == readable(zawgyi)


def test_a_zawgyi_message_is_kept_as_written_and_shown_in_unicode_on_the_case_page(countries, post_twilio, run_jobs,
                                                                                   client, sign_in):
    from sqlalchemy import select

    from grievance.extensions import db
    from grievance.models import Case, Message
    from tests import factories
    from tests.language.test_worker_languages import reply_language

    zawgyi = paragraphs("udhr_article23_my_zawgyi.txt")[2]  # "…without any discrimination, equal pay…"
    reply_language(post_twilio, run_jobs, "MM", "လစာ မရေသးပါ။ " + zawgyi)
    inbound = db.session.scalar(select(Message).where(Message.direction == "inbound"))
    assert inbound.body.endswith(zawgyi)  # stored as she wrote it
    shown = unicodedata.normalize("NFC", paragraphs("udhr_article23_my_unicode.txt")[2])
    assert inbound.shown.endswith(shown)
    case = db.session.scalar(select(Case))
    assert case is not None and inbound.case_id == case.id
    factories.user(email="admin@example.org", role="admin", name="Admin", language="en")
    db.session.commit()
    sign_in("admin@example.org", factories.PASSWORD)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert shown in page and zawgyi not in page


def test_a_name_typed_in_zawgyi_is_shown_to_the_committee_in_unicode(countries, post_twilio, run_jobs, client,
                                                                      sign_in):
    from sqlalchemy import select

    from grievance.extensions import db
    from grievance.models import Case
    from tests import factories
    from tests.language.test_worker_languages import reply_language

    assert reply_language(post_twilio, run_jobs, "MM", "မင်္ဂလာပါ").purpose == "ask_category"
    assert reply_language(post_twilio, run_jobs, "MM", "၁").purpose == "ask_anonymity"  # pay, Burmese digit
    assert reply_language(post_twilio, run_jobs, "MM", "၁").purpose == "ask_name"  # yes, they may know it
    assert reply_language(post_twilio, run_jobs, "MM", "ေအးေအးခိုင္").purpose == "acknowledgement_named"
    case = db.session.scalar(select(Case))
    factories.picc_member(email="picc@example.org", factory_code="MM-0001")
    sign_in("picc@example.org", factories.PASSWORD)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "အေးအေးခိုင်" in page and "ေအးေအးခိုင္" not in page
