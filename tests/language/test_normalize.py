"""Normalization before any keyword or number is read."""

import pytest

from grievance.language.keywords import OPT_OUT, match_keyword
from grievance.language.khmer import normalize_khmer
from grievance.language.normalize import normalize, read_number


@pytest.mark.parametrize("text", ["១២", "১২", "١٢", "۱۲", "၁၂", "12", " 12 ", "nomor 12"])
def test_twelve_in_every_script_is_read_as_12(text):
    assert read_number(text) == 12


def test_no_number_or_two_numbers_is_not_an_answer():
    assert read_number("tidak tahu") is None
    assert read_number("1 atau 2") is None


def test_khmer_vowel_typed_before_the_subscript_is_put_after_it():
    typed = "\u179f\u17b6\u17d2\u179a"  # ស + ា + ្រ: vowel typed first
    assert normalize_khmer(typed) == "\u179f\u17d2\u179a\u17b6"  # ស្រា


def test_khmer_coeng_ro_goes_after_the_other_subscript():
    assert normalize_khmer("\u179f\u17d2\u179a\u17d2\u178f\u17b8") == "\u179f\u17d2\u178f\u17d2\u179a\u17b8"  # ស្ត្រី


def test_khmer_invisible_and_split_vowels_are_fixed():
    assert normalize_khmer("\u1780\u17b4\u17c1\u17b8") == "\u1780\u17be"  # invisible AQ dropped, e + ii → oe


def test_a_khmer_keyword_typed_in_another_order_or_with_a_zero_width_space_still_matches():
    assert match_keyword("ឈ\u200bប់").kind == OPT_OUT
    assert match_keyword(normalize("ឈប\u17cb")).kind == OPT_OUT


def test_nfc():
    assert normalize("Công ty") == "Công ty" and len(normalize("Công ty")) == 7
