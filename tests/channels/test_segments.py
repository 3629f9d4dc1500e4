"""SMS encoding and segments by the GSM 03.38 rules; splitting that never breaks a character.

Expected values are worked out from the rules: GSM-7 is 160 septets in one segment and 153
per part when concatenated, extension characters count two; anything else makes the message
UCS-2 at 70 UTF-16 units, 67 per part, with characters beyond the BMP counting two.
"""

from __future__ import annotations

import unicodedata

import pytest

from grievance.channels.segments import segment_info, split_message

SAMPLES = [
    # language, text, encoding, units, segments
    ("en", "We received your complaint. Case ID-7Q4K2M.", "GSM-7", 43, 1),
    ("id", "Pengaduan Anda sudah kami terima. Nomor kasus ID-7Q4K2M.", "GSM-7", 56, 1),
    ("ht", "Mèsi. Nou resevwa plent ou.", "GSM-7", 27, 1),  # è is in the GSM-7 alphabet
    ("st", "Re amohetse tletlebo ea hao.", "GSM-7", 28, 1),
    ("es", "Su queja está registrada.", "UCS-2", 25, 1),  # á is not (only à is)
    ("vi", "Chúng tôi đã nhận khiếu nại của bạn.", "UCS-2", 36, 1),
    ("km", "យើងបានទទួលបណ្តឹងរបស់អ្នកហើយ។", "UCS-2", 28, 1),
    ("bn", "আমরা আপনার অভিযোগ পেয়েছি।", "UCS-2", 26, 1),
    ("ar", "لقد استلمنا شكواك.", "UCS-2", 18, 1),
    ("my", "သင့်တိုင်ကြားချက်ကို လက်ခံရရှိပါပြီ။", "UCS-2", 36, 1),
]


@pytest.mark.parametrize("language, text, encoding, units, segments", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_each_language_sample(language, text, encoding, units, segments):
    info = segment_info(unicodedata.normalize("NFC", text))
    assert (info.encoding, info.units, info.segments) == (encoding, units, segments)


@pytest.mark.parametrize(
    "text, encoding, units, segments",
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("Total: 10€ [net]", "GSM-7", 19, 1),  # €, [ and ] take two septets each
        ("a" * 159 + "€", "GSM-7", 161, 2),
        # 152 + € (2) + 152 = 306 septets, but the escape pair cannot straddle parts: 3 parts.
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),
        ("ក" * 70, "UCS-2", 70, 1),
        ("ក" * 71, "UCS-2", 71, 2),
        ("ក" * 134, "UCS-2", 134, 2),
        ("ក" * 135, "UCS-2", 135, 3),
        ("a" * 69 + "🙂", "UCS-2", 71, 2),  # the emoji forces UCS-2 and takes two units
        # 66 + emoji (2) + 66 = 134 units; the surrogate pair cannot straddle parts: 3 parts.
        ("ក" * 66 + "🙂" + "ក" * 66, "UCS-2", 134, 3),
    ],
)
def test_boundaries(text, encoding, units, segments):
    info = segment_info(text)
    assert (info.encoding, info.units, info.segments) == (encoding, units, segments)


def test_unspaced_khmer_of_2400_characters_splits_within_twilios_limit_without_breaking_a_cluster():
    words = ["ក្រុមហ៊ុន", "កម្មករ", "ប្រាក់ខែ", "ថែមម៉ោង", "សុវត្ថិភាព", "ស្ត្រី"]
    text = ""
    i = 0
    while len(text) < 2400:
        text += words[i % len(words)]
        i += 1
    text = text[:2400]
    while unicodedata.category(text[-1]).startswith("M") or text[-1] == "\u17d2":
        text = text[:-1]

    parts = split_message(text)

    assert "".join(parts) == text
    assert len(parts) == 2
    for part in parts:
        assert len(part) <= 1600
        assert not unicodedata.category(part[0]).startswith("M"), "a part starts with a combining mark"
        assert not part.endswith("\u17d2"), "a part ends in a coeng, cutting a subscript consonant"
    assert not parts[1].startswith(("ា", "ុ", "ើ", "ៃ", "់"))


def test_spaced_text_is_cut_at_a_space():
    text = " ".join(["kata"] * 500)  # 2,499 characters
    parts = split_message(text, limit=1600)
    assert all(len(p) <= 1600 for p in parts)
    assert parts[0].endswith(" ") and not parts[1].startswith(" ")
    assert "".join(parts) == text
