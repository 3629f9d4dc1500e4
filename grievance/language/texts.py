"""Worker-facing texts: one home for every text a worker receives, by purpose.

They come from the Babel catalogs in translations/ (marked with N_ for extraction) and are
rendered outside any web request, in the worker's language. Each purpose has a segment
budget: what one such SMS may cost in that language (see `flask --app grievance sms-costs`).
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date
from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "translations"
WORKER_LANGUAGES = ("id", "km", "vi", "bn", "ar", "ht", "st", "es", "my", "en")


def N_(text: str) -> str:
    """Marks a text for extraction; it is translated when rendered."""
    return text


WORKER_TEXTS: dict[str, str] = {
    "acknowledgement": N_(
        "We received your complaint. Case %(reference)s. The committee will reply by %(date)s. "
        "Your name and number stay private."
    ),
    "added_to_case": N_("We added your message to case %(reference)s. The committee will see it."),
    "opt_out": N_(
        "You will get no more messages from us. Your cases stay open. To get messages again, reply %(keyword)s."
    ),
    "opt_in": N_("Welcome back. You will get messages about your cases again."),
    "help": N_(
        "Send your complaint in a message. It goes to the factory committee; your name and number stay "
        "private. Reply %(keyword)s to stop messages."
    ),
    "language_menu": N_("To choose your language, reply %(keyword)s and a number: %(choices)s"),
    "language_set": N_("From now on we will write to you in %(language_name)s."),
}

# Most SMS segments each text may take, per purpose; an expensive translation fails a test.
SEGMENT_BUDGET = {"acknowledgement": 3, "added_to_case": 2, "opt_out": 3, "opt_in": 2, "help": 3,
                  "language_menu": 3, "language_set": 2}
# Each language by its own name, as a worker recognises it in a menu.
LANGUAGE_NAMES = {
    "en": "English", "id": "Bahasa Indonesia", "km": "ខ្មែរ", "vi": "Tiếng Việt", "bn": "বাংলা",
    "ar": "العربية", "ht": "Kreyòl", "st": "Sesotho", "es": "Español", "my": "မြန်မာ",
}


@lru_cache(maxsize=32)
def translations(locale: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS_DIR), [locale], domain="messages")


def worker_text(purpose: str, language: str, **params: str) -> str:
    return translations(language).gettext(WORKER_TEXTS[purpose]) % params


@lru_cache(maxsize=32)
def day_pattern(locale: str) -> str:
    """The locale's full date pattern without the year: a deadline is days away, not years."""
    pattern = Locale.parse(locale).date_formats["full"].pattern
    pattern = re.sub(r"[\s,]*(?:'[^']*'\s*)?y+[\s,.]*", " ", pattern).strip(" ,")
    return re.sub(r"\s*'[^']*'\s*$", "", pattern)


def worker_date(moment: datetime, timezone: str, locale: str) -> str:
    """A day as a worker reads it, in her language: 'Senin, 24 November', 'Monday, November 24'."""
    return format_date(moment.astimezone(ZoneInfo(timezone)).date(), day_pattern(locale), locale=locale)
