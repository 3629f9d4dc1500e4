"""Worker-facing texts from the Babel catalogs, outside any web request."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date
from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "translations"


@lru_cache(maxsize=32)
def translations(locale: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS_DIR), [locale], domain="messages")


def worker_date(moment: datetime, timezone: str, locale: str) -> str:
    """A day as a worker reads it, in her language: 'Senin, 24 November'."""
    from zoneinfo import ZoneInfo

    return format_date(moment.astimezone(ZoneInfo(timezone)).date(), "EEEE d MMMM", locale=locale)
