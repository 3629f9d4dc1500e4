"""What a reply to a survey question records: a number on a scale, yes or no, one of a numbered
list of choices, or her own words; None when the reply does not fit the question.

Replies are read after normalization, so digits of every script count (Khmer ៤, Bengali ৪,
Arabic-Indic ٤ and ۴, Burmese ၄), and so do the yes/no words of every language, also at the
start of unspaced Khmer and Burmese ("បាទខ្ញុំពេញចិត្ត"), and the number words of each
language when they are the whole reply ("empat", "បួន").
"""

from __future__ import annotations

import re
from functools import lru_cache

from grievance.language.keywords import match_keyword, match_language_request, yields_to_answer
from grievance.language.lexicon import folded, is_new_request, leading_answer, status_request, yes_or_no
from grievance.language.normalize import digits_to_ascii, keyword_form, normalize
from grievance.models.survey import CHOICE, FREE_TEXT, SCALE, YES_NO

# One to ten in each language, for a reply that is only a number written out.
NUMBER_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    "id": ("satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh"),
    "es": ("uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez"),
    "vi": ("một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười"),
    "ht": ("youn", "de", "twa", "kat", "senk", "sis", "sèt", "uit", "nèf", "dis"),
    "st": ("nngwe", "pedi", "tharo", "nne", "hlano", "tshelela", "supa", "robedi", "robong", "leshome"),
    "km": ("មួយ", "ពីរ", "បី", "បួន", "ប្រាំ", "ប្រាំមួយ", "ប្រាំពីរ", "ប្រាំបី", "ប្រាំបួន", "ដប់"),
    "my": ("တစ်", "နှစ်", "သုံး", "လေး", "ငါး", "ခြောက်", "ခုနစ်", "ရှစ်", "ကိုး", "တစ်ဆယ်"),
    "bn": ("এক", "দুই", "তিন", "চার", "পাঁচ", "ছয়", "সাত", "আট", "নয়", "দশ"),
    "ar": ("واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة", "عشرة"),
}
# A number longer than this is no answer to any question (and int() of thousands of digits raises).
_MAX_DIGITS = 6
_NUMBER = re.compile(r"\d+")


@lru_cache(maxsize=1)
def _number_words() -> dict[str, int]:
    """Each number word's folded form; a form two languages give different numbers is left out."""
    found: dict[str, set[int]] = {}
    for words in NUMBER_WORDS.values():
        for number, word in enumerate(words, start=1):
            found.setdefault(keyword_form(word), set()).add(number)
    return {form: numbers.pop() for form, numbers in found.items() if len(numbers) == 1}


def _number(text: str, top: int | None) -> int | None:
    """The number she answered: the only one in her reply ("4", "nilai 4", "4 stars"), the first
    of "4/5" or "4 dari 5" when the second is the top, or a number word as the whole reply."""
    numbers = list(_NUMBER.finditer(text))
    if any(len(found.group(0)) > _MAX_DIGITS for found in numbers):
        return None
    if len(numbers) == 1:
        return int(numbers[0].group(0))
    if len(numbers) == 2 and top is not None and int(numbers[1].group(0)) == top:
        between = text[numbers[0].end():numbers[1].start()].strip()
        if between not in ("", ".", ","):  # "3.5" or "3,5" is no "3 of 5"
            return int(numbers[0].group(0))
    if not numbers:
        return _number_words().get(keyword_form(text))
    return None


def _choice_named(text: str, choices: list[dict]) -> int | None:
    """The choice whose text (in any of its languages) is her whole reply, else the only one
    her reply contains ("naik motor" for "Motor")."""
    whole = keyword_form(text)
    for number, texts in enumerate(choices, start=1):
        if any(keyword_form(label) == whole for label in _labels(texts)):
            return number
    words = folded(text)
    contained = [number for number, texts in enumerate(choices, start=1)
                 if any(_contains(words, folded(label)) for label in _labels(texts))]
    return contained[0] if len(contained) == 1 else None


def _labels(texts: dict | None) -> list[str]:
    return [label for label in (texts or {}).values() if isinstance(label, str) and label.strip()]


def _contains(words: str, label: str) -> bool:
    if not label:
        return False
    if label.isascii():  # Latin script: whole words only ("bus" is not in "busy")
        return re.search(rf"(?<!\w){re.escape(label)}(?!\w)", words) is not None
    return label in words  # Khmer and Burmese are unspaced


def read_answer(text: str, *, kind: str, top: int | None = None, choices: list[dict] | None = None) -> str | None:
    """The value her reply records for a question of ``kind``, or None when it does not fit:
    a scale "1".."top", yes_no "yes"/"no" (1 is yes, 2 is no), a choice "1".."n" (its number,
    or its text in her language), a free text her words themselves (stripped, not empty)."""
    if kind == FREE_TEXT:
        return text.strip() or None
    plain = digits_to_ascii(normalize(text)).strip()
    if kind == YES_NO:
        said, _after = leading_answer(plain)
        return None if said is None else ("yes" if said else "no")
    if kind == SCALE:
        number = _number(plain, top)
        return str(number) if number is not None and top is not None and 1 <= number <= top else None
    if kind == CHOICE:
        choices = choices or []
        number = _number(plain, len(choices))
        if number is None or not 1 <= number <= len(choices):
            number = _choice_named(plain, choices)
        return None if number is None else str(number)
    return None


_LEADING_NUMBER = re.compile(r"(\d+)(?!\d)(.*)", re.S)
_FIRST_WORD = re.compile(r"([^\s,.;:!?]+)(.*)", re.S)
_SEPARATORS = " \t\r\n,.;:!?-\u2013\u2014\u060c\u0964\u104a\u104b\u17d4\u17d5"


def leading_value(text: str, *, kind: str, top: int | None = None,
                  choices: list[dict] | None = None) -> tuple[str | None, str]:
    """The answer her reply starts with and the words after it: "2, upah lembur tidak dibayar"
    → ("2", "upah lembur tidak dibayar"); "ya, tapi mandor memotong gaji kami" → ("yes", "tapi
    mandor memotong gaji kami"); "3 Jalan kaki, jauh" → ("3", "jauh"). A reply that does not
    start with its answer gives (None, the reply): in "upah lembur tidak dibayar 2 bulan" the 2
    counts months, it is no 2 on a scale."""
    plain = digits_to_ascii(normalize(text)).strip()
    if kind == YES_NO:
        said, rest = leading_answer(plain)
        return (None, plain) if said is None else ("yes" if said else "no", rest)
    if kind not in (SCALE, CHOICE):
        return None, plain
    value, rest = _leading_number(plain, kind, top, choices or [])
    if value is None and kind == CHOICE:
        value, rest = _leading_label(plain, choices or [])
    elif value is not None and kind == CHOICE:
        _same, after = _leading_label(rest.strip(_SEPARATORS), [choices[int(value) - 1]])  # "3 jalan kaki, …"
        rest = after if _same is not None else rest
    return (None, plain) if value is None else (value, rest.strip(_SEPARATORS))


def _leading_number(plain: str, kind: str, top: int | None, choices: list[dict]) -> tuple[str | None, str]:
    found = _LEADING_NUMBER.match(plain) or _FIRST_WORD.match(plain)
    if found is None:
        return None, plain
    value = read_answer(found.group(1), kind=kind, top=top if kind == SCALE else None,
                        choices=[{}] * len(choices) if kind == CHOICE else None)
    return (value, found.group(2)) if value is not None else (None, plain)


def _leading_label(plain: str, choices: list[dict]) -> tuple[str | None, str]:
    words = folded(plain)
    for number, texts in enumerate(choices, start=1):
        for label in sorted(_labels(texts), key=len, reverse=True):
            start = folded(label).strip()
            # Latin script: the whole label ("bus" does not start "busy"); Khmer and Burmese are unspaced.
            whole = not start.isascii() or not words[len(start):len(start) + 1].isalnum()
            if start and words.startswith(start) and whole:
                return str(number), words[len(start):]
    return None, plain


def is_bare_answer(text: str) -> bool:
    """A reply that is only a number (in any script or as a word) or a yes or a no: what a
    question asks for, and nothing of her own."""
    plain = digits_to_ascii(normalize(text)).strip()
    form = keyword_form(plain)
    return (form.isdigit() and len(form) <= _MAX_DIGITS) or form in _number_words() or yes_or_no(plain) is not None


def read_as_command(text: str) -> bool:
    """Whether a worker replying ``text`` would be taken to give the service an instruction
    (stop every message, surveys on or off, the language menu, a new complaint, her cases'
    status) rather than to answer the question she was asked."""
    return ((match_keyword(text) is not None and not yields_to_answer(text))
            or match_language_request(text) is not None or is_new_request(text) or status_request(text)[0])
