"""A roster: workers a factory or the programme met in person who agreed to be sent surveys.

A CSV file with a header row naming the columns ``phone``, ``language``, ``consent_where`` and
``consent_at`` (in any order, separated by commas or semicolons, with or without a byte-order
mark). Every row is checked first; then the good ones are written together, or none is (an
error while writing undoes the rows written before it). A bad row is named by its row number
as a spreadsheet shows it (the header is row 1), with its reason, never with the number it
holds.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import phonenumbers
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.i18n.pages import LANGUAGE_NAMES
from grievance.language.normalize import digits_to_ascii
from grievance.models import Factory, SurveySubscriber, User
from grievance.models.survey import ROSTER
from grievance.privacy import PhoneVault
from grievance.workflows.workers import find_or_create_worker
from grievance.workflows.surveys.consent import subscribe

COLUMNS = ("phone", "language", "consent_where", "consent_at")
# A roster larger than this is refused whole: a factory's workforce, not a phone book.
MAX_ROWS = 20_000
WHERE_MAX = 120


@dataclass(frozen=True)
class RosterError:
    row: int  # as a spreadsheet numbers it: the header is row 1 (0: the file itself)
    reason: str  # translated when shown, in the reader's language


@dataclass
class RosterResult:
    imported: int = 0
    updated: int = 0
    errors: list[RosterError] = field(default_factory=list)


@dataclass(frozen=True)
class _Good:
    row: int
    e164: str
    language: str
    where: str
    at: datetime


def import_roster(session: Session, *, factory: Factory, data: bytes | str, vault: PhoneVault, now: datetime,
                  actor: User | None) -> RosterResult:
    """Check every row, then subscribe the workers of the good ones to the factory's surveys in
    one go (a savepoint: an error while writing leaves nothing of the file written)."""
    rows, problem = _read(data)
    if problem is not None:
        return RosterResult(errors=[RosterError(0, problem)])
    good, errors = _check(rows, factory, now)
    result = RosterResult(errors=errors)
    if not good:
        return result
    known = set(session.scalars(select(SurveySubscriber.worker_id).where(SurveySubscriber.factory_id == factory.id)))
    with session.begin_nested():
        for row in good:
            worker = find_or_create_worker(session, row.e164, vault, factory.country_code, now)
            if worker.id in known:
                result.updated += 1
            else:
                result.imported += 1
                known.add(worker.id)
            subscribe(session, worker=worker, factory_id=factory.id, source=ROSTER, channel="sms",
                      language=row.language, consent_where=row.where, consent_at=row.at, now=now)
    return result


def _read(data: bytes | str) -> tuple[list[dict[str, str]], str | None]:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], _l("The file is not text in UTF-8: save it as CSV UTF-8 and upload it again.")
    text = data.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        return [], _l("The first row must name the columns %(columns)s; missing: %(missing)s.",
                     columns=", ".join(COLUMNS), missing=", ".join(missing))
    rows = []
    for values in reader:
        if not any(value.strip() for value in values):
            rows.append({})  # an empty line keeps its row number
            continue
        rows.append({name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)})
        if len(rows) > MAX_ROWS:
            return [], _l("The file has more than %(count)s rows; split it.", count=MAX_ROWS)
    return rows, None


def _check(rows: list[dict[str, str]], factory: Factory, now: datetime) -> tuple[list[_Good], list[RosterError]]:
    good: list[_Good] = []
    errors: list[RosterError] = []
    seen: dict[str, int] = {}
    for number, values in enumerate(rows, start=2):
        if not values:
            continue
        reason, row = _check_row(number, values, factory, now)
        if reason is None and row.e164 in seen:
            reason = _l("The same number as row %(row)s.", row=seen[row.e164])
        if reason is not None:
            errors.append(RosterError(number, reason))
            continue
        seen[row.e164] = number
        good.append(row)
    return good, errors


def _check_row(number: int, values: dict[str, str], factory: Factory, now: datetime) -> tuple[str | None, _Good | None]:
    e164 = _phone(values.get("phone", ""), factory.country_code)
    if e164 is None:
        return _l("Not a valid phone number for %(country)s.", country=factory.country.name), None
    language, languages = values.get("language", "").strip().lower(), factory.country.languages
    if language not in languages:
        named = ", ".join(f"{code} ({LANGUAGE_NAMES.get(code, code)})" for code in languages)
        if language in LANGUAGE_NAMES:
            return _l("Language %(language)s is not one of %(country)s's: %(languages)s.", language=language,
                     country=factory.country.name, languages=named), None
        return _l("Unknown language; write one of %(languages)s.", languages=named), None
    where = values.get("consent_where", "").strip()
    if not where or len(where) > WHERE_MAX:
        return _l("Say where consent was given (at most %(count)s characters).", count=WHERE_MAX), None
    at = _moment(values.get("consent_at", ""), factory.timezone)
    if at is None:
        return _l("The consent date is not a date in ISO form (2026-08-14, or 2026-08-14T09:30)."), None
    if at > now:
        return _l("The consent date is in the future."), None
    return None, _Good(number, e164, language, where, at)


def _phone(raw: str, region: str) -> str | None:
    text = digits_to_ascii(raw).strip()
    if not text:
        return None
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _moment(raw: str, zone: str) -> datetime | None:
    """An ISO date (midnight in the factory's zone) or date and time (the factory's zone unless
    it names its own offset), in UTC."""
    text = digits_to_ascii(raw).strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), ZoneInfo(zone)).astimezone(timezone.utc)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(timezone.utc)
