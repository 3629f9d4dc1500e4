"""Which language a worker writes in.

Order: the worker's saved choice; then the script, for languages that own one
(Khmer, Bengali, Arabic, Burmese); then the words, restricted to the languages of the
country the number belongs to (so Indonesian is never taken for Malay); then the
country's default.
"""

from __future__ import annotations

import re
import unicodedata

SCRIPT_LANGUAGES = (
    ("km", (0x1780, 0x17FF), (0x19E0, 0x19FF)),
    ("bn", (0x0980, 0x09FF)),
    ("ar", (0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    ("my", (0x1000, 0x109F), (0xAA60, 0xAA7F)),
)

# Frequent short words that tell the Latin-script languages of our countries apart.
MARKER_WORDS = {
    "id": "saya kami tidak belum sudah yang dan di ini itu ada dengan untuk kerja upah lembur bulan gaji "
          "pabrik tolong mohon kenapa bisa juga karena kalau atau jam hari minggu buruh pekerja".split(),
    "en": "i we my our the and is are not to of in for with this that have has was were "
          "pay paid wages overtime work factory please why can help boss".split(),
    "vi": "tôi chúng không của và là có được lương làm việc công ty nhà máy giờ tăng ca".split(),
    "es": "yo no el la los las de que y en por para con mi nos salario trabajo fábrica horas".split(),
    "ht": "mwen nou pa ak nan pou sou li yo travay lajan faktori lè patwon".split(),
    "st": "ke rona ha le ho ka ea oa sa hore mosebetsi chelete feme".split(),
}

_WORD = re.compile(r"\w+", re.UNICODE)


def _script_language(text: str) -> str | None:
    counts: dict[str, int] = {}
    for char in text:
        point = ord(char)
        for language, *ranges in SCRIPT_LANGUAGES:
            if any(low <= point <= high for low, high in ranges):
                counts[language] = counts.get(language, 0) + 1
    if not counts:
        return None
    return max(counts, key=counts.get)


def _word_language(text: str, candidates: list[str]) -> str | None:
    words = [unicodedata.normalize("NFC", w.lower()) for w in _WORD.findall(text)]
    scores = {
        language: sum(1 for word in words if word in MARKER_WORDS.get(language, ()))
        for language in candidates
    }
    best = max(scores.values(), default=0)
    if best == 0:
        return None
    winners = [language for language in candidates if scores[language] == best]
    return winners[0]  # ties go to the country's more common language


def detect_language(text: str, country_languages: list[str], saved: str | None = None) -> str:
    if saved:
        return saved
    by_script = _script_language(text)
    if by_script:
        return by_script
    latin = [language for language in country_languages + ["en"] if language in MARKER_WORDS]
    return _word_language(text, list(dict.fromkeys(latin))) or country_languages[0]
