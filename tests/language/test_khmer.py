"""Khmer normalization puts marks typed in another order into the canonical one, and never
moves anything in text that is already well formed."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from grievance.language.khmer import normalize_khmer
from grievance.language.normalize import normalize

# Written the way a Khmer keyboard with a correct font produces them.
SENTENCES = [
    "ខ្ញុំធ្វើការដល់ម៉ោងដប់យប់។",  # I work until ten at night. (bantoc, then khan)
    "ក្រុមហ៊ុនមិនទាន់បើកប្រាក់ខែឲ្យយើងទេ។",  # The company has not paid our wages yet.
    "គេទះកំផ្លៀងខ្ញុំ។",  # He slapped me. (reahmuk, nikahit)
    "ពួកយើងត្រូវធ្វើការថែមម៉ោងរាល់ថ្ងៃៗ ដោយគ្មានប្រាក់ឈ្នួល៕",  # Overtime every day, unpaid. (lek too, bariyoosan)
    "ស្ត្រីមានផ្ទៃពោះត្រូវគេបណ្តេញចេញ។",  # A pregnant woman was dismissed. (coeng TA then coeng RO)
    "ប្រាក់ខែ ១៥០០០០០៛ មិនគ្រប់ទេ។",  # Wages of 1,500,000 riel are not enough. (digits, riel sign)
    "កម្មករចង់ដឹងពីលក្ខណ៍នៃកិច្ចសន្យា និងធម៌។",  # (toandakhiat, robat)
]


def test_well_formed_khmer_sentences_are_left_exactly_as_written():
    for sentence in SENTENCES:
        assert normalize_khmer(sentence) == sentence
        assert normalize(sentence) == unicodedata.normalize("NFC", sentence)


def test_the_bantoc_stays_before_the_khan():
    assert normalize_khmer("យប់។") == "យប់។"
    assert normalize("ខ្ញុំធ្វើការដល់ម៉ោងដប់យប់។").endswith("យប់។")


def test_punctuation_after_a_vowel_or_reahmuk_does_not_move():
    for text in ("ថ្ងៃៗ", "ទះ។", "ទេ៕", "ខែ៛", "ម៉ោង៖"):
        assert normalize_khmer(text) == text


def test_the_known_misorderings_are_still_put_right_next_to_punctuation():
    assert normalize_khmer("ស\u17b6\u17d2\u179a។") == "ស\u17d2\u179a\u17b6។"  # vowel typed before the subscript
    assert normalize_khmer("ស\u17d2\u179a\u17d2\u178f\u17b8។") == "ស\u17d2\u178f\u17d2\u179a\u17b8។"  # ស្ត្រី
    assert normalize_khmer("ម\u17c4\u17c9ង។") == "ម\u17c9\u17c4ង។"  # shifter typed after the vowel: ម៉ោង


# Well-formed syllables in canonical order: base, subscript (coeng RO last), register
# shifter, vowel, sign above, reahmuk; at most one mark of each kind.
CONSONANTS = [chr(c) for c in range(0x1780, 0x17A3) if c != 0x179A]
VOWELS = [chr(c) for c in range(0x17B6, 0x17C6)]
SIGNS_ABOVE = list("\u17c6\u17cb\u17cd\u17ce\u17cf\u17d0\u17d1\u17dd")
BETWEEN = list("។៕ៗ៖៛ ០១២៣៤៥៦៧៨៩,.!?")


@st.composite
def syllable_parts(draw):
    base = draw(st.sampled_from(CONSONANTS + ["\u179a"]))
    marks = []
    if draw(st.booleans()):
        marks.append("\u17d2" + draw(st.sampled_from(CONSONANTS)))
    if draw(st.booleans()):
        marks.append("\u17d2\u179a")
    for kind in (list("\u17c9\u17ca"), VOWELS, SIGNS_ABOVE, list("\u17c7\u17c8")):
        if draw(st.booleans()):
            marks.append(draw(st.sampled_from(kind)))
    return base, marks


@st.composite
def well_formed_text(draw):
    pieces = []
    for base, marks in draw(st.lists(syllable_parts(), min_size=1, max_size=6)):
        pieces.append(base + "".join(marks))
        pieces.append(draw(st.sampled_from([""] * 3 + BETWEEN)))
    return "".join(pieces)


@given(well_formed_text())
def test_well_formed_text_is_a_fixed_point(text):
    assert normalize_khmer(text) == text


@given(st.lists(st.tuples(syllable_parts(), st.randoms(use_true_random=False), st.sampled_from(BETWEEN)),
                min_size=1, max_size=4))
def test_marks_typed_in_any_order_come_out_in_the_canonical_one(syllables):
    canonical, typed = [], []
    for (base, marks), rng, after in syllables:
        shuffled = list(marks)
        rng.shuffle(shuffled)
        canonical.append(base + "".join(marks) + after)
        typed.append(base + "".join(shuffled) + after)
    assert normalize_khmer("".join(typed)) == "".join(canonical)


@given(st.text(alphabet=st.characters(min_codepoint=0x1780, max_codepoint=0x17FF), max_size=30))
def test_normalizing_twice_changes_nothing_more(text):
    once = normalize_khmer(text)
    assert normalize_khmer(once) == once
