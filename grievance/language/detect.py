"""Which language a worker writes in.

Order: the language she chose (the language keyword); then the script, for languages that
own one (Khmer, Bengali, Arabic, Burmese); then statistical detection (lingua) restricted to
the languages of the country the number belongs to, so Indonesian is never taken for Malay
and Sesotho never for Setswana; then the country's default.
"""

from __future__ import annotations

import re
from functools import lru_cache

from grievance.language.lexicon import status_languages, yes_or_no

SCRIPT_LANGUAGES = (
    ("km", (0x1780, 0x17FF), (0x19E0, 0x19FF)),
    ("bn", (0x0980, 0x09FF)),
    ("ar", (0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    ("my", (0x1000, 0x109F), (0xAA60, 0xAA7F)),
)
# lingua's names for our Latin-script languages. lingua has no Haitian Creole; French, its
# closest relative lingua knows, stands in for it (a Haitian worker writing French is
# answered in Kreyòl, which she reads).
LINGUA_NAMES = {"id": "INDONESIAN", "en": "ENGLISH", "vi": "VIETNAMESE", "es": "SPANISH", "st": "SOTHO",
                "ht": "FRENCH"}


# Vietnamese typed without its diacritics (basic phones, no Vietnamese keyboard) defeats
# statistical models trained on written Vietnamese: common syllables recognise it instead.
UNACCENTED_VIETNAMESE = frozenset(
    "toi chung khong cong ty lam them gio luong tra duoc nghi phep bi cat cua nguoi nhung tien thang "
    "ngay xuong quan ly truong bat ma va cho voi co nay ban anh chi em di den hom nua roi chua het moi "
    "sang chieu ca dem tang bao hiem xa hoi om dau benh mat viec thai bi nhan vien chu giam doc phat "
    "bo ho tro xin loi can giup ngu an com nuoc nha ve sinh an toan lao dong".split()
)
_WORDS = re.compile(r"[^\W\d_]+")


def _unaccented_vietnamese(text: str) -> bool:
    words = [word.lower() for word in _WORDS.findall(text)]
    if len(words) < 3 or not all(word.isascii() for word in words):
        return False
    return sum(word in UNACCENTED_VIETNAMESE for word in words) * 2 >= len(words)


def script_language(text: str) -> str | None:
    counts: dict[str, int] = {}
    for char in text:
        point = ord(char)
        for language, *ranges in SCRIPT_LANGUAGES:
            if any(low <= point <= high for low, high in ranges):
                counts[language] = counts.get(language, 0) + 1
    return max(counts, key=counts.get) if counts else None


@lru_cache(maxsize=16)
def _detector(languages: tuple[str, ...]):
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        *(getattr(Language, LINGUA_NAMES[code]) for code in languages)
    ).build()


def detect_language(text: str, country_languages: list[str], chosen: str | None = None,
                    current: str | None = None) -> str:
    """Her language: the one she chose, else the one this text is written in; a text that says
    too little to tell keeps ``current``, the language of what she wrote before, where there is
    one: no letters (a digit answering a question, a photo), a bare yes or no ("no": English and
    Spanish), a status word of several languages ("STATUS": English and Indonesian)."""
    if chosen:
        return chosen
    by_script = script_language(text)
    if by_script:
        return by_script
    if current and (not any(char.isalpha() for char in text) or yes_or_no(text) is not None
                    or current in status_languages(text)):
        return current
    candidates = tuple(dict.fromkeys(code for code in [*country_languages, "en"] if code in LINGUA_NAMES))
    if len(candidates) < 2 or not any(char.isalpha() for char in text):
        return candidates[0] if candidates else country_languages[0]
    if "vi" in candidates and _unaccented_vietnamese(text):
        return "vi"
    found = _detector(candidates).detect_language_of(text)
    if found is None:
        return country_languages[0]
    by_name = {name: code for code, name in LINGUA_NAMES.items()}
    return by_name.get(found.name, country_languages[0])
