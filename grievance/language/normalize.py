"""Text as a worker typed it, made comparable: Unicode NFC, digits of every script, folded forms."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from grievance.language.khmer import normalize_khmer
from grievance.language.zawgyi import zawgyi_to_unicode as convert_zawgyi

# Khmer ០-៩, Bengali ০-৯, Arabic-Indic ٠-٩, Extended Arabic-Indic ۰-۹, Burmese ၀-၉.
_DIGIT_ZEROS = (0x17E0, 0x09E6, 0x0660, 0x06F0, 0x1040)
DIGITS = {chr(zero + n): str(n) for zero in _DIGIT_ZEROS for n in range(10)}
_DIGIT_TABLE = str.maketrans(DIGITS)
# Invisible characters that phones insert and keyboards leave behind.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def normalize(text: str) -> str:
    """What keywords, numbers and language are read from (the original is kept beside it):
    Zawgyi-encoded Burmese turned into Unicode, Khmer in canonical order, Unicode NFC."""
    text = readable(text)
    if any("\u1780" <= char <= "\u17ff" for char in text):
        text = normalize_khmer(text)
    return unicodedata.normalize("NFC", text)


def readable(text: str) -> str:
    """What a person is shown of a worker's message: her words as she wrote them, only in the
    encoding a phone or browser renders (Zawgyi Burmese in Unicode), Unicode NFC."""
    text = unicodedata.normalize("NFC", text)
    if _has_myanmar(text):
        text = unicodedata.normalize("NFC", zawgyi_to_unicode(text))
    return text


def _has_myanmar(text: str) -> bool:
    return any("\u1000" <= char <= "\u109f" for char in text)


@lru_cache(maxsize=1)
def _zawgyi_detector():
    from myanmartools import ZawgyiDetector

    return ZawgyiDetector()


def zawgyi_to_unicode(text: str) -> str:
    """Burmese typed with the Zawgyi font encoding (still common on older phones) → Unicode;
    text the detector finds to be Unicode already is left alone."""
    if _zawgyi_detector().get_zawgyi_probability(text) < 0.95:
        return text
    return convert_zawgyi(text)


def digits_to_ascii(text: str) -> str:
    """Khmer ១២, Bengali ১২, Arabic ١٢ and ۱۲, Burmese ၁၂ → 12."""
    return text.translate(_DIGIT_TABLE)


_NUMBER = re.compile(r"\d+")


def read_number(text: str) -> int | None:
    """The number a worker answered with, in any script; None if there is none or more than one."""
    found = _NUMBER.findall(digits_to_ascii(normalize(text)))
    return int(found[0]) if len(found) == 1 else None


def strip_latin_marks(text: str) -> str:
    """Drop accents from Latin letters only ("DỪNG" → "DUNG"); Khmer or Bengali vowel signs stay."""
    out: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and out and "LATIN" in unicodedata.name(out[-1], ""):
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out)).replace("đ", "d").replace("Đ", "D")


def keyword_form(text: str) -> str:
    """The form a whole-message keyword is compared in: folded, unaccented, no spaces or punctuation."""
    text = digits_to_ascii(normalize(text)).translate(_INVISIBLE).casefold()
    text = strip_latin_marks(text)
    return "".join(c for c in text if not (c.isspace() or unicodedata.category(c).startswith("P")))
