"""Text as a worker typed it, made comparable: Unicode NFC, digits of every script, folded forms."""

from __future__ import annotations

import unicodedata

# Khmer ០-៩, Bengali ০-৯, Arabic-Indic ٠-٩, Extended Arabic-Indic ۰-۹, Burmese ၀-၉.
_DIGIT_ZEROS = (0x17E0, 0x09E6, 0x0660, 0x06F0, 0x1040)
DIGITS = {chr(zero + n): str(n) for zero in _DIGIT_ZEROS for n in range(10)}
_DIGIT_TABLE = str.maketrans(DIGITS)
# Invisible characters that phones insert and keyboards leave behind.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def normalize(text: str) -> str:
    """NFC, with digits of every script read as ASCII digits. The original is kept elsewhere."""
    return unicodedata.normalize("NFC", text).translate(_DIGIT_TABLE)


def _strip_latin_marks(text: str) -> str:
    """Drop accents from Latin letters only ("DỪNG" → "DUNG"); Khmer or Bengali vowel signs stay."""
    out: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and out and "LATIN" in unicodedata.name(out[-1], ""):
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out)).replace("đ", "d").replace("Đ", "D")


def keyword_form(text: str) -> str:
    """The form a whole-message keyword is compared in: folded, unaccented, no spaces or punctuation."""
    text = normalize(text).translate(_INVISIBLE).casefold()
    text = _strip_latin_marks(text)
    return "".join(c for c in text if not (c.isspace() or unicodedata.category(c).startswith("P")))
