"""A reply to a survey question, read in every language and script."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grievance.language.answers import NUMBER_WORDS, is_bare_answer, leading_value, read_answer, read_as_command
from grievance.language.normalize import DIGITS

# Zero of each script the workers write digits in (ASCII, Khmer, Bengali, Arabic-Indic,
# Extended Arabic-Indic, Burmese).
ZEROS = ("0", "\u17e0", "\u09e6", "\u0660", "\u06f0", "\u1040")
CHOICES = [{"id": "Bus", "km": "ឡានក្រុង", "en": "Bus"},
           {"id": "Motor", "km": "ម៉ូតូ", "en": "Motorbike"},
           {"id": "Jalan kaki", "km": "ដើរ", "en": "Walk"}]


def in_script(number: int, zero: str) -> str:
    return "".join(chr(ord(zero) + int(digit)) for digit in str(number))


@pytest.mark.parametrize("reply, top, value", [
    ("4", 5, "4"), ("៤", 5, "4"), ("৪", 5, "4"), ("٤", 5, "4"), ("۴", 5, "4"), ("၄", 5, "4"),
    (" 4/5 ", 5, "4"), ("4 dari 5", 5, "4"), ("nilai saya 4", 5, "4"), ("4 stars", 5, "4"), ("១០", 10, "10"),
    ("empat", 5, "4"), ("Four", 5, "4"), ("បួន", 5, "4"), ("চার", 5, "4"), ("bốn", 5, "4"), ("လေး", 5, "4"),
    ("6", 5, None), ("0", 5, None), ("3.5", 5, None), ("1 atau 2", 5, None), ("banyak", 5, None), ("", 5, None),
])
def test_a_scale_reads_the_number_she_means_in_any_script(reply, top, value):
    assert read_answer(reply, kind="scale", top=top) == value


@pytest.mark.parametrize("reply, value", [
    ("1", "yes"), ("២", "no"), ("٢", "no"), ("၁", "yes"), ("Ya", "yes"), ("tidak", "no"), ("yes please", "yes"),
    ("có", "yes"), ("không", "no"), ("kò m fè mal", None), ("wi", "yes"), ("non", "no"), ("e", "yes"), ("tjhe", "no"),
    ("হ্যাঁ", "yes"), ("না", "no"), ("نعم", "yes"), ("لا", "no"), ("sí", "yes"),
    ("បាទខ្ញុំពេញចិត្ត", "yes"), ("អត់ទេ", "no"), ("ဟုတ်ကဲ့", "yes"), ("မဟုတ်ပါဘူး", "no"),
    ("END", None), ("CANCEL", None), ("3", None), ("maybe", None),
])
def test_yes_or_no_in_every_language_also_inside_unspaced_khmer_and_burmese(reply, value):
    assert read_answer(reply, kind="yes_no") == value


@pytest.mark.parametrize("reply, value", [
    ("2", "2"), ("៣", "3"), ("motor", "2"), ("Jalan Kaki!", "3"), ("naik motor", "2"), ("ខ្ញុំដើរ", "3"),
    ("walk", "3"), ("4", None), ("busy", None), ("bus atau motor", None),
])
def test_a_choice_is_its_number_or_its_text_in_her_language(reply, value):
    assert read_answer(reply, kind="choice", choices=CHOICES) == value


def test_a_free_text_is_her_words_and_an_empty_one_is_no_answer():
    assert read_answer("  END  ", kind="text") == "END"
    assert read_answer("ទ្វារត្រូវបានចាក់សោ", kind="text") == "ទ្វារត្រូវបានចាក់សោ"
    assert read_answer(" \n", kind="text") is None


def test_the_number_words_say_one_to_ten_in_every_language():
    assert all(len(words) == 10 for words in NUMBER_WORDS.values())
    for language, words in NUMBER_WORDS.items():
        for number, word in enumerate(words, start=1):
            found = read_answer(word, kind="scale", top=10)
            # A word two languages give different numbers ("de", "ba") reads as no number.
            assert found in (str(number), None), (language, word)
    assert read_answer("sepuluh", kind="scale", top=10) == "10"


@given(text=st.text(), top=st.integers(min_value=2, max_value=10),
       kind=st.sampled_from(["scale", "yes_no", "choice", "text"]))
def test_no_reply_at_all_raises(text, top, kind):
    value = read_answer(text, kind=kind, top=top, choices=CHOICES)
    assert value is None or isinstance(value, str)
    if kind == "scale" and value is not None:
        assert 1 <= int(value) <= top
    if kind == "choice" and value is not None:
        assert 1 <= int(value) <= len(CHOICES)


@given(top=st.integers(min_value=2, max_value=10), data=st.data(), zero=st.sampled_from(ZEROS),
       padding=st.sampled_from(["", " ", "\n", "  "]))
def test_any_scripts_digits_for_a_number_in_range_read_as_that_number(top, data, zero, padding):
    number = data.draw(st.integers(min_value=1, max_value=top))
    written = padding + in_script(number, zero) + padding
    assert read_answer(written, kind="scale", top=top) == str(number)
    assert read_answer(written, kind="choice", choices=[{"en": "x"}] * top) == str(number)
    if number in (1, 2):
        assert read_answer(written, kind="yes_no") == ("yes" if number == 1 else "no")


def test_every_script_the_normalizer_knows_is_covered():
    assert {chr(ord(zero)) for zero in ZEROS[1:]} == {char for char, digit in DIGITS.items() if digit == "0"}


@pytest.mark.parametrize("reply, kind, value, rest", [
    ("2, upah lembur tidak dibayar", "scale", "2", "upah lembur tidak dibayar"),
    ("upah lembur tidak dibayar 2 bulan", "scale", None, "upah lembur tidak dibayar 2 bulan"),  # months
    ("dua. gaji dipotong", "scale", "2", "gaji dipotong"),
    ("9 orang sakit", "scale", None, "9 orang sakit"),  # over the top: no answer
    ("ya, tapi mandor memotong gaji kami", "yes_no", "yes", "tapi mandor memotong gaji kami"),
    ("២ ប្រាក់ខែមិនទាន់", "yes_no", "no", "ប្រាក់ខែមិនទាន់"),
    ("3 jalan kaki, jauh sekali", "choice", "3", "jauh sekali"),
    ("Jalan kaki karena gaji kecil", "choice", "3", "karena gaji kecil"),
    ("ដើរ ឈឺជើង", "choice", "3", "ឈឺជើង"),
    ("busy hari ini", "choice", None, "busy hari ini"),  # "bus" is no start of "busy"
])
def test_the_answer_a_reply_leads_with_and_the_words_after_it(reply, kind, value, rest):
    said, after = leading_value(reply, kind=kind, top=5, choices=CHOICES)
    assert (said, after.casefold()) == (value, rest.casefold())


@pytest.mark.parametrize("reply, bare", [
    ("1", True), ("៤", True), ("empat", True), ("ya", True), ("tidak.", True), ("Ya!", True),
    ("1 gaji dipotong", False), ("BARU", False), ("", False), ("1234567", False),
])
def test_a_bare_answer_is_a_number_or_a_yes_or_no_alone(reply, bare):
    assert is_bare_answer(reply) == bare


@pytest.mark.parametrize("label, command", [
    ("Alto", True), ("STOP", True), ("Berhenti", True), ("Encuesta", True), ("Idioma", True), ("Nuevo", True),
    ("Estado", True), ("Baja", False), ("Alta", False), ("Ayuda", False), ("Media", False), ("Bajo", False),
])
def test_choices_a_worker_could_not_answer_with(label, command):
    """Her reply would be an instruction whatever she was asked; BAJA, ALTA, AYUDA give way to
    an answer of the question asked (language.keywords)."""
    assert read_as_command(label) == command
