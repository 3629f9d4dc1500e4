"""Worker-facing texts from the Babel catalogs, outside any web request."""

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


@lru_cache(maxsize=32)
def translations(locale: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS_DIR), [locale], domain="messages")


@lru_cache(maxsize=32)
def day_pattern(locale: str) -> str:
    """The locale's full date pattern without the year: a deadline is days away, not years."""
    pattern = Locale.parse(locale).date_formats["full"].pattern
    pattern = re.sub(r"[\s,]*(?:'[^']*'\s*)?y+[\s,.]*", " ", pattern).strip(" ,")
    return re.sub(r"\s*'[^']*'\s*$", "", pattern)


def worker_date(moment: datetime, timezone: str, locale: str) -> str:
    """A day as a worker reads it, in her language: 'Senin, 24 November', 'Monday, November 24'."""
    return format_date(moment.astimezone(ZoneInfo(timezone)).date(), day_pattern(locale), locale=locale)
