"""Whole-message keywords in every language: opt out, opt back in, help, and yes or no to
surveys (her consent to be sent a factory's surveys, given by texting its number).

A keyword counts only when it is the whole message (after normalization), so a complaint
"they cancel our leave" or a survey answer "END" is never taken for an opt-out. END, CANCEL
and QUIT are not opt-out words here for that reason.

Some keywords are also everyday words a survey's choices use (Spanish "1 alta 2 media 3 baja":
ALTA opts in, BAJA opts out). While a closed survey question is asked, a keyword that answers
it is her answer (``yields_to_answer``), except the opt-out word each language tells workers
to use (ALTO, STOP, BERHENTI …), which always opts out, and the survey keywords, which carry
the word "survey" and are never an answer (the editor refuses such choices).

Twilio itself intercepts STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT (opt-out), START, YES,
UNSTOP (opt-in) and HELP, INFO on the numbers where its default opt-out handling applies
(US and Canadian long codes and toll-free numbers), blocking further messages at its side.
The service stays consistent with that in two ways: the words it shares with Twilio (STOP,
STOPALL, UNSUBSCRIBE, START, UNSTOP, HELP, INFO) mean the same here, and when Twilio refuses
a message with error 21610 (the recipient opted out at Twilio), the worker is marked opted out
on that channel (see channels/twilio/status.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from grievance.language.normalize import keyword_form

OPT_OUT, OPT_IN, HELP, LANGUAGE = "opt_out", "opt_in", "help", "language"
SURVEYS_ON, SURVEYS_OFF = "surveys_on", "surveys_off"

# First word of each list is the one we tell workers to use.
KEYWORDS: dict[str, dict[str, list[str]]] = {
    OPT_OUT: {
        "en": ["STOP", "STOPALL", "UNSUBSCRIBE"],
        "id": ["BERHENTI", "STOP"],
        "km": ["ឈប់"],
        "vi": ["DỪNG", "NGỪNG"],
        "bn": ["বন্ধ"],
        "ar": ["توقف", "إيقاف"],
        "ht": ["SISPANN", "KANPE"],
        "st": ["EMISA", "EMA"],
        "es": ["ALTO", "PARAR", "BAJA"],
        "my": ["ရပ်", "ရပ်ပါ"],
    },
    OPT_IN: {
        "en": ["START", "UNSTOP"],
        "id": ["MULAI"],
        "km": ["ចាប់ផ្តើម", "ចាប់ផ្ដើម"],
        "vi": ["BẮT ĐẦU"],
        "bn": ["শুরু"],
        "ar": ["ابدأ", "ابدا"],
        "ht": ["KÒMANSE"],
        "st": ["QALA"],
        "es": ["INICIAR", "ALTA"],
        "my": ["စတင်"],
    },
    HELP: {
        "en": ["HELP", "INFO"],
        "id": ["BANTUAN", "TOLONG"],
        "km": ["ជំនួយ"],
        "vi": ["TRỢ GIÚP", "GIÚP"],
        "bn": ["সাহায্য"],
        "ar": ["مساعدة"],
        "ht": ["ÈD"],
        "st": ["THUSO"],
        "es": ["AYUDA"],
        "my": ["အကူအညီ"],
    },
    # Surveys only; STOP still stops every message. Words of another kind with "survey" added,
    # so "STOP SURVEY" is never read as STOP.
    SURVEYS_ON: {
        "en": ["SURVEY", "SURVEYS"],
        "id": ["SURVEI", "SURVEY"],
        "km": ["ស្ទង់មតិ"],
        "vi": ["KHẢO SÁT"],
        "bn": ["জরিপ"],
        "ar": ["استطلاع"],
        "ht": ["SONDAJ"],
        "st": ["PATLISISO"],
        "es": ["ENCUESTA", "ENCUESTAS"],
        "my": ["စစ်တမ်း"],
    },
    SURVEYS_OFF: {
        "en": ["STOP SURVEY", "STOP SURVEYS", "NO SURVEYS", "NO SURVEY"],
        "id": ["BERHENTI SURVEI", "STOP SURVEI"],
        "km": ["ឈប់ស្ទង់មតិ"],
        "vi": ["DỪNG KHẢO SÁT", "NGỪNG KHẢO SÁT"],
        "bn": ["জরিপ বন্ধ"],
        "ar": ["توقف استطلاع", "توقف الاستطلاع", "إيقاف الاستطلاع"],
        "ht": ["SISPANN SONDAJ"],
        "st": ["EMISA PATLISISO"],
        "es": ["ALTO ENCUESTA", "NO ENCUESTA", "BAJA ENCUESTA"],
        "my": ["စစ်တမ်းရပ်", "စစ်တမ်းရပ်ပါ"],
    },
}

# "LANG", or "LANG 2" / "BAHASA en" / "ភាសា ២": the language menu, or a choice from it.
LANGUAGE_WORDS: dict[str, list[str]] = {
    "en": ["LANG", "LANGUAGE"], "id": ["BAHASA"], "km": ["ភាសា"], "vi": ["NGÔN NGỮ"], "bn": ["ভাষা"],
    "ar": ["لغة", "اللغة"], "ht": ["LANG"], "st": ["PUO"], "es": ["IDIOMA"], "my": ["ဘာသာစကား", "ဘာသာ"],
}

_INDEX: dict[str, list[tuple[str, str]]] = {}
for _kind, _by_language in KEYWORDS.items():
    for _language, _words in _by_language.items():
        for _word in _words:
            _INDEX.setdefault(keyword_form(_word), []).append((_kind, _language))


@dataclass(frozen=True)
class Keyword:
    kind: str
    languages: tuple[str, ...]  # languages the word belongs to (STOP: English and Indonesian)


def match_keyword(text: str) -> Keyword | None:
    found = _INDEX.get(keyword_form(text))
    if not found:
        return None
    return Keyword(found[0][0], tuple(language for _, language in found))


def keyword_for(kind: str, language: str) -> str:
    return KEYWORDS[kind].get(language, KEYWORDS[kind]["en"])[0]


# Whatever question is asked, these stay what workers are told they are.
_TOLD_OPT_OUT = frozenset(keyword_form(words[0]) for words in KEYWORDS[OPT_OUT].values())
_YIELDING_KINDS = (OPT_OUT, OPT_IN, HELP)


def yields_to_answer(text: str) -> bool:
    """Whether this whole-message keyword gives way to a survey answer it also is (see the
    module's note); True for a text that is no keyword at all."""
    keyword = match_keyword(text)
    if keyword is None:
        return True
    return keyword.kind in _YIELDING_KINDS and keyword_form(text) not in _TOLD_OPT_OUT


@dataclass(frozen=True)
class LanguageRequest:
    language: str  # the language the keyword is in
    choice: str  # what follows the keyword: "", "2", "km" …


_LANGUAGE_FORMS = sorted(
    ((keyword_form(word), language) for language, words in LANGUAGE_WORDS.items() for word in words),
    key=lambda item: -len(item[0]),
)


def match_language_request(text: str) -> LanguageRequest | None:
    form = keyword_form(text)
    for word, language in _LANGUAGE_FORMS:
        if form.startswith(word):
            rest = form[len(word):]
            if rest == "" or rest.isdigit() or (rest.isalpha() and len(rest) == 2 and rest.isascii()):
                return LanguageRequest(language, rest)
    return None


def language_keyword(language: str) -> str:
    return LANGUAGE_WORDS.get(language, LANGUAGE_WORDS["en"])[0]
