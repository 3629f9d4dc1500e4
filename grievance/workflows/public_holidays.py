"""Every country's public holidays for every year, from the ``holidays`` package (movable ones
included: Eid al-Fitr and Eid al-Adha, Lunar New Year and Tết, Khmer New Year, Pchum Ben,
Easter, …). An admin's closure days and working days go on top of these (policies.py)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays

# Indonesia's cuti bersama (the joint leave days around Lebaran, Christmas, …) are set by
# the government each year, and factories close with them; the package lists them apart.
CATEGORIES = {"ID": ("public", "government")}


@lru_cache(maxsize=512)
def package_holidays(country_code: str, year: int) -> dict[date, str]:
    """The country's public holidays in ``year``, by date, named in English where the package can."""
    try:
        cls = holidays.country_holidays(country_code).__class__
    except NotImplementedError:
        return {}
    language = "en_US" if "en_US" in (getattr(cls, "supported_languages", ()) or ()) else None
    found = holidays.country_holidays(country_code, years=year, language=language,
                                      categories=CATEGORIES.get(country_code, ("public",)))
    return dict(sorted(found.items()))


@lru_cache(maxsize=512)
def package_dates(country_code: str, year: int) -> frozenset[date]:
    return frozenset(package_holidays(country_code, year))
