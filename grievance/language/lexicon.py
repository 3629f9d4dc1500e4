"""Words that answer the intake's questions, in every language: categories, yes and no,
'new complaint' and 'status'. Latin-script words match at the start of a word, without
accents; words of other scripts match anywhere (Khmer and Burmese are written unspaced)."""

from __future__ import annotations

import re
from functools import lru_cache

from grievance.language.normalize import digits_to_ascii, keyword_form, normalize, strip_latin_marks

# Dangerous categories first: when a message names several, the gravest decides the route.
CATEGORIES = ("forced_labour", "child_labour", "harassment_violence", "union_representatives",
              "safety_health", "wages", "hours_leave", "contracts_dismissal", "discrimination", "other")
# The number a worker types for each, in the order of the menu she is sent.
CATEGORY_MENU = ("wages", "hours_leave", "safety_health", "contracts_dismissal", "discrimination",
                 "union_representatives", "harassment_violence", "child_labour", "forced_labour", "other")

CATEGORY_WORDS: dict[str, list[str]] = {
    "forced_labour": ["passport", "forced to", "not allowed to leave", "debt bondage", "paspor", "dipaksa",
                      "tidak boleh pulang", "បង្ខំ", "លិខិតឆ្លងដែន", "cuong buc", "ho chieu", "পাসপোর্ট",
                      "জোর করে", "جواز", "بالقوة", "إجبار", "paspo", "fose", "qobella", "phasepoto",
                      "pasaporte", "forzad", "obligad", "အတင်းအကျပ်", "ပတ်စ်ပို့"],
    "child_labour": ["child", "underage", "under age", "pekerja anak", "di bawah umur", "កុមារ", "ក្មេង",
                     "tre em", "vi thanh nien", "শিশু", "طفل", "أطفال", "timoun", "ngoana", "bana ba",
                     "nino", "menor de edad", "ကလေး"],
    "harassment_violence": ["harass", "sexual", "touch", "hit ", "beat", "violen", "abuse", "pelecehan",
                            "dilecehkan", "melecehkan", "diraba", "dipukul", "memukul", "kekerasan", "bentak", "បៀតបៀន",
                            "វាយ", "ហិង្សា", "quay roi", "danh dap", "bao luc", "হয়রানি", "মারধর", "যৌন",
                            "تحرش", "ضرب", "عنف", "arasman", "vyolans", "bat nou", "hlekefetsa", "otla",
                            "pefo", "acoso", "golpe", "violencia", "grita", "နှောင့်ယှက်", "ရိုက်", "အကြမ်းဖက်"],
    "union_representatives": ["union", "representative", "serikat", "perwakilan", "សហជីព", "cong doan",
                              "ইউনিয়ন", "نقابة", "sendika", "mokhatlo", "sindicato", "သမဂ္ဂ"],
    "safety_health": ["fire", "exit", "locked", "injur", "sick", "dust", "chemical", "safety", "faint",
                      "pintu darurat", "kebakaran", "kecelakaan", "sakit", "keselamatan", "dikunci", "pingsan",
                      "សុវត្ថិភាព", "ភ្លើង", "ឈឺ", "សន្លប់", "an toan", "chay", "benh", "ngat", "আগুন",
                      "নিরাপত্তা", "অসুস্থ", "حريق", "سلامة", "مرض", "إصابة", "dife", "danje", "malad",
                      "mollo", "kotsi", "kula", "incendio", "seguridad", "accidente", "enferm", "မီး",
                      "ဘေးကင်း", "နေမကောင်း"],
    "wages": ["wage", "salary", "pay", "paid", "upah", "gaji", "thr", "dipotong", "ប្រាក់ខែ", "ប្រាក់ឈ្នួល",
              "ប្រាក់ថែមម៉ោង", "luong", "tra tien", "বেতন", "মজুরি", "টাকা", "راتب", "أجر", "أجور", "lajan",
              "sale", "peye", "moputso", "chelete", "lefuoe", "salario", "sueldo", "pago", "pagad", "လစာ",
              "လုပ်ခ"],
    "hours_leave": ["hours", "leave", "holiday", "day off", "overtime", "jam kerja", "cuti", "libur", "lembur",
                    "ម៉ោងធ្វើការ", "ច្បាប់", "ថែមម៉ោង", "gio lam", "nghi phep", "tang ca", "ছুটি", "কর্মঘণ্টা",
                    "ওভারটাইম", "ساعات", "إجازة", "ore", "konje", "lihora", "phomolo", "horas", "vacaciones",
                    "permiso", "ခွင့်", "အချိန်ပို"],
    "contracts_dismissal": ["fired", "dismiss", "contract", "sacked", "pecat", "phk", "kontrak", "diberhentikan",
                            "បញ្ឈប់", "កិច្ចសន្យា", "sa thai", "hop dong", "চাকরিচ্যুত", "চুক্তি", "ছাঁটাই", "فصل",
                            "عقد", "revoke", "kontra", "leleka", "konteraka", "despid", "contrato", "အလုပ်ဖြုတ်",
                            "စာချုပ်"],
    "discrimination": ["discriminat", "pregnan", "diskriminasi", "hamil", "រើសអើង", "មានផ្ទៃពោះ", "phan biet",
                       "co thai", "বৈষম্য", "গর্ভবতী", "تمييز", "حامل", "diskriminasyon", "ansent", "khethollo",
                       "moimana", "discrimin", "embarazada", "ခွဲခြား", "ကိုယ်ဝန်"],
}

YES_WORDS = ["yes", "y", "ya", "iya", "boleh", "បាទ", "ចាស", "co", "vang", "duoc", "হ্যাঁ", "হ্যা", "হা", "জি", "জ্বি",
             "نعم", "ايوه", "أيوه", "أجل", "wi", "e", "ee", "si", "ဟုတ်", "ဟုတ်ကဲ့", "ဟုတ်ပါတယ်"]
NO_WORDS = ["no", "n", "tidak", "tdk", "nggak", "enggak", "gak", "tak", "bukan", "jangan", "ទេ", "មិន", "អត់",
            "khong", "না", "لا", "كلا", "non", "che", "tjhe", "မဟုတ်", "မဟုတ်ပါ", "ဟင့်အင်း"]
NEW_WORDS = {"en": "NEW", "id": "BARU", "km": "ថ្មី", "vi": "MỚI", "bn": "নতুন", "ar": "جديد", "ht": "NOUVO",
             "st": "NCHA", "es": "NUEVO", "my": "အသစ်"}
STATUS_WORDS = {"en": ["STATUS"], "id": ["CEK", "STATUS"], "km": ["ស្ថានភាព"], "vi": ["TRẠNG THÁI", "TÌNH TRẠNG"],
                "bn": ["অবস্থা"], "ar": ["حالة", "الحالة"], "ht": ["ESTATI"], "st": ["BOEMO"], "es": ["ESTADO"],
                "my": ["အခြေအနေ"]}
REFERENCE = re.compile(r"\b([A-Z]{2})[-\s]?([0-9A-HJKMNP-TV-Z]{6})\b")


def folded(text: str) -> str:
    return strip_latin_marks(digits_to_ascii(normalize(text))).casefold()


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    patterns = {}
    for category, words in CATEGORY_WORDS.items():
        parts = []
        for word in words:
            word = strip_latin_marks(word).casefold()
            parts.append(rf"(?<!\w){re.escape(word)}" if word.isascii() else re.escape(word))
        patterns[category] = re.compile("|".join(parts))
    return patterns


def categories_named(text: str) -> list[str]:
    """Categories whose words the text uses, gravest first."""
    text = folded(text)
    return [category for category in CATEGORIES if category in _patterns() and _patterns()[category].search(text)]


def yes_or_no(text: str) -> bool | None:
    form = keyword_form(text)
    if form == "1":
        return True
    if form == "2":
        return False
    if form in {keyword_form(w) for w in YES_WORDS}:
        return True
    if form in {keyword_form(w) for w in NO_WORDS}:
        return False
    return None


# What may follow a leading answer before her own words: "Ya, terima kasih", "2. no, the door…".
_SEPARATORS = " \t\r\n,.;:!?-\u2013\u2014\u060c\u0964\u104a\u104b\u17d4\u17d5"
_TOKEN = re.compile(r"[^\s,.;:!?\u060c\u0964\u104a\u104b\u17d4\u17d5]+")


def _unspaced(char: str) -> bool:
    """Khmer and Burmese are written without spaces between words."""
    return "\u1780" <= char <= "\u17ff" or "\u1000" <= char <= "\u109f"


@lru_cache(maxsize=1)
def _unspaced_answers() -> list[tuple[str, bool]]:
    words = [(w, True) for w in YES_WORDS] + [(w, False) for w in NO_WORDS]
    return sorted(((w, said) for w, said in words if _unspaced(w[0])), key=lambda pair: -len(pair[0]))


def _leading_word(text: str) -> tuple[bool, str] | None:
    """The yes/no (or 1/2) that ``text`` starts with, and what follows it."""
    text = text.lstrip(_SEPARATORS)
    token = _TOKEN.match(text)
    if token is None:
        return None
    word, after = token.group(0), text[token.end():]
    said = yes_or_no(word)
    if said is not None:
        # "y", "e", "n" are answers on their own or before a comma, and words ("and") otherwise.
        if len(word) == 1 and not word.isdigit() and after[:1].isspace():
            return None
        return said, after
    if _unspaced(word[0]):
        for answer, said in _unspaced_answers():
            if word.startswith(answer):
                return said, text[len(answer):]
    return None


def leading_answer(text: str) -> tuple[bool | None, str]:
    """A 1/2 (yes/no) answer and the words she wrote after it, in any language and script:
    "Ya, terima kasih" → (True, "terima kasih"); "2 no the door is still locked" → (False, "the
    door is still locked"). The first answer decides; answers that agree with it are dropped."""
    if (said := yes_or_no(text)) is not None:
        return said, ""
    rest = digits_to_ascii(normalize(text)).strip()
    said = None
    while (found := _leading_word(rest)) is not None and (said is None or found[0] == said):
        said, rest = found
    return said, rest.strip(_SEPARATORS) if said is not None else ""


def is_new_request(text: str) -> bool:
    return keyword_form(text) in {keyword_form(word) for word in NEW_WORDS.values()}


def status_request(text: str) -> tuple[bool, str | None]:
    """('STATUS' or 'CEK ID-7Q4K2M' …) → (True, reference or None)."""
    asked = _status_words(text)
    return (True, asked[1]) if asked else (False, None)


def status_languages(text: str) -> tuple[str, ...]:
    """The languages whose status word the request is written with ("STATUS": English and
    Indonesian), none when it is no status request."""
    asked = _status_words(text)
    return asked[0] if asked else ()


def _status_words(text: str) -> tuple[tuple[str, ...], str | None] | None:
    form = keyword_form(text)
    for word_form, languages in _status_forms():
        if form.startswith(word_form):
            rest = form[len(word_form):]
            if rest == "":
                return languages, None
            found = find_reference(rest)
            if found:
                return languages, found
    return None


@lru_cache(maxsize=1)
def _status_forms() -> list[tuple[str, tuple[str, ...]]]:
    """Each status word's keyword form with the languages it belongs to, in the order of
    ``STATUS_WORDS``."""
    forms: dict[str, list[str]] = {}
    for language, words in STATUS_WORDS.items():
        for word in words:
            forms.setdefault(keyword_form(word), []).append(language)
    return [(form, tuple(languages)) for form, languages in forms.items()]


def find_reference(text: str) -> str | None:
    found = REFERENCE.search(digits_to_ascii(normalize(text)).upper())
    return f"{found.group(1)}-{found.group(2)}" if found else None
