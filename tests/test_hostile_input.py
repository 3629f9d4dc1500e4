"""Hostile input, generated: whatever arrives at a webhook, a form or the text readers, the answer
is a 2xx or a 4xx with a reason, never a 500, and nothing malformed is stored."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.language.normalize import DIGITS, digits_to_ascii, keyword_form, normalize, read_number, readable
from grievance.models import Message
from tests import factories
from tests.conftest import csrf_token, inbound_params

# Every kind of character a phone, a proxy or an attacker may send: scripts of the ten
# languages, combining marks, invisible ones, surrogates' neighbours, NUL and controls.
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=300)
SCRIPTS = st.text(st.sampled_from(
    list("abcxyzÀéĐđỪ") + [chr(c) for c in range(0x1780, 0x17FF, 7)] + [chr(c) for c in range(0x1000, 0x109F, 5)]
    + [chr(c) for c in range(0x0980, 0x09FF, 5)] + [chr(c) for c in range(0x0600, 0x06FF, 9)]
    + list("\u200b\u200c\u200d\ufeff\u00ad \n\t0123456789١٢៣၄৫")), max_size=120)
FIELD_NAMES = st.sampled_from(["MessageSid", "AccountSid", "From", "To", "Body", "NumMedia", "MediaUrl0",
                               "MediaContentType0", "SmsStatus", "MessageStatus", "ErrorCode", "X" * 40])
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                            HealthCheck.too_slow])


@given(text=ANY_TEXT)
@settings(max_examples=300, deadline=None)
def test_the_text_readers_take_anything(text):
    normalized = normalize(text)
    assert normalize(normalized) == normalized  # reading twice changes nothing
    readable(text)
    keyword_form(text)
    number = read_number(text)
    assert number is None or number >= 0


@given(number=st.integers(0, 10**9), zero=st.sampled_from([0x30, 0x17E0, 0x09E6, 0x0660, 0x06F0, 0x1040]),
       around=st.sampled_from(["{}", " {} ", "\u200b{}", "no {}.", "{}\n"]))
@settings(max_examples=300, deadline=None)
def test_a_number_in_any_scripts_digits_reads_as_that_number(number, zero, around):
    written = "".join(chr(zero + int(d)) for d in str(number))
    assert read_number(around.format(written)) == number


@given(text=SCRIPTS)
@settings(max_examples=300, deadline=None)
def test_no_digit_of_the_five_scripts_survives_the_digit_reader(text):
    assert not set(digits_to_ascii(text)) & set(DIGITS)


@pytest.fixture
def webhook(app, post_twilio):
    factories.factory()
    return post_twilio


@SETTINGS
@given(fields=st.dictionaries(FIELD_NAMES, ANY_TEXT, max_size=8))
def test_any_signed_form_at_the_webhook_is_stored_or_refused_with_a_reason(webhook, fields):
    before = db.session.scalar(select(func.count()).select_from(Message))
    response = webhook(fields)
    assert response.status_code in (200, 400, 404, 415), response.data
    if response.status_code != 200:
        assert response.get_json()["error"]  # the reason
    db.session.expire_all()
    stored = db.session.scalar(select(func.count()).select_from(Message))
    if response.status_code != 200:
        assert stored == before  # nothing of a refused request is kept
    else:
        assert stored in (before, before + 1)  # stored once (or it was a delivery seen before)


@SETTINGS
@given(body=ANY_TEXT, sender=st.one_of(ANY_TEXT, st.from_regex(r"\A\+?[0-9 ()\-]{0,20}\Z")))
def test_a_signed_message_with_any_body_and_sender_is_stored_whole_or_refused(webhook, body, sender):
    params = inbound_params(body, sender=sender)
    response = webhook(params)
    assert response.status_code in (200, 400), response.data
    db.session.expire_all()
    kept = db.session.scalar(select(Message).where(Message.provider_id == params["MessageSid"]))
    if response.status_code == 200:
        assert kept is not None and kept.body == body.replace("\x00", "\ufffd")  # her words, whole
    else:
        assert kept is None and response.get_json()["error"]


@SETTINGS
@given(fields=st.dictionaries(FIELD_NAMES, ANY_TEXT, max_size=6))
def test_any_status_callback_is_taken_or_refused_with_a_reason(webhook, fields):
    response = webhook(fields, path="/webhooks/twilio/status")
    assert response.status_code in (204, 400, 415), response.data


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_raw_bytes_at_the_webhook_are_a_4xx(app, client, raw):
    response = client.post("/webhooks/twilio/messages", data=raw,
                           headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"})
    assert 400 <= response.status_code < 500


@SETTINGS
@given(email=ANY_TEXT, password=ANY_TEXT, next_page=ANY_TEXT)
def test_the_sign_in_form_takes_anything_and_names_the_problem(app, client, email, password, next_page):
    page = client.get("/login")
    response = client.post("/login", query_string={"next": next_page},
                           data={"email": email, "password": password, "csrf_token": csrf_token(page.get_data(
                               as_text=True))})
    assert response.status_code in (200, 400, 429), response.status_code


def test_a_nul_character_in_a_form_is_refused_with_its_reason_not_stored(client, app):
    """A NUL in a form field is a 400 that names it, on SQLite as on PostgreSQL (which cannot
    hold one); the sign-in page stays the only thing that happened."""
    from tests.conftest import csrf_token as _token

    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": "ani\x00@example.org", "password": "x", "csrf_token": _token(page)})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
