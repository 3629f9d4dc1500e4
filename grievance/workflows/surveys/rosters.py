"""A roster: workers a factory or the programme met in person who agreed to be sent surveys.

A CSV file with a header row naming the columns ``phone``, ``language``, ``consent_where`` and
``consent_at``, and, if it likes, ``channel`` (``sms`` or ``whatsapp``: how she is to be reached;
SMS when empty), in any order, separated by commas or semicolons, with or without a byte-order
mark. Every row is checked first; then the good ones are written together, or none is (an
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
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from grievance.i18n.pages import LANGUAGE_NAMES
from grievance.language.normalize import digits_to_ascii
from grievance.models import Factory, SurveySubscriber, User, Worker
from grievance.models.base import insert_ignoring_conflicts
from grievance.models.survey import ROSTER
from grievance.privacy import PhoneVault, new_pseudonym
from grievance.workflows.workers import find_or_create_worker

COLUMNS = ("phone", "language", "consent_where", "consent_at")
# How she asked to be reached (an optional column; SMS when it is missing or empty). A factory
# without a WhatsApp number sends hers by SMS (``audience``).
CHANNELS = ("sms", "whatsapp")
# A roster larger than this is refused whole: a factory's workforce, not a phone book.
MAX_ROWS = 20_000
WHERE_MAX = 120
# Longer than any good value (a phone number, a language code, where she agreed): a field is
# cut to this before it is checked, so a hostile file costs no more than a good one.
FIELD_MAX = 200
CHUNK = 1000  # rows looked up and written per statement


@dataclass(frozen=True)
class RosterError:
    row: int  # as a spreadsheet numbers it: the header is row 1 (0: the file itself)
    reason: str  # translated when shown, in the reader's language


@dataclass
class RosterResult:
    imported: int = 0
    updated: int = 0
    # Rows of workers who said no to the factory's surveys by text: her no stands, and only her
    # own text says yes again.
    withdrawn: int = 0
    errors: list[RosterError] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        """Every good row, as a factory's uploader is told: added, known or not re-added alike,
        so the upload does not tell her which numbers had texted the service."""
        return self.imported + self.updated + self.withdrawn


@dataclass(frozen=True)
class _Good:
    row: int
    e164: str
    language: str
    where: str
    at: datetime
    channel: str | None = None  # None: the file has no channel column (a row updated keeps hers)


def import_roster(session: Session, *, factory: Factory, data: bytes | str, vault: PhoneVault, now: datetime,
                  actor: User | None) -> RosterResult:
    """Check every row, then subscribe the workers of the good ones to the factory's surveys in
    one go (a savepoint: an error while writing leaves nothing of the file written), a thousand
    rows a statement. A consent she gave or withdrew by text is left as she gave it."""
    rows, problem = _read(data)
    if problem is not None:
        return RosterResult(errors=[RosterError(0, problem)])
    good, errors = _check(rows, factory, now)
    result = RosterResult(errors=errors)
    if not good:
        return result
    with session.begin_nested():
        for start in range(0, len(good), CHUNK):
            _write(session, factory, good[start:start + CHUNK], vault, now, result)
    return result


def _write(session: Session, factory: Factory, chunk: list[_Good], vault: PhoneVault, now: datetime,
           result: RosterResult) -> None:
    workers = _worker_ids(session, chunk, vault, factory.country_code, now)
    existing = {row.worker_id: row for row in session.scalars(select(SurveySubscriber).where(
        SurveySubscriber.factory_id == factory.id, SurveySubscriber.worker_id.in_(list(workers.values()))))}
    new, changed = [], []
    for row in chunk:
        worker_id = workers[row.e164]
        current = existing.get(worker_id)
        if current is None:
            new.append({"worker_id": worker_id, "factory_id": factory.id, "source": ROSTER,
                        "channel": row.channel or "sms", "language": row.language, "consent_where": row.where,
                        "consent_at": row.at, "created_at": now})
            result.imported += 1
        elif current.withdrawn_at is not None:
            result.withdrawn += 1
        else:
            if current.source == ROSTER and current.id is not None:
                changed.append({"id": current.id, "language": row.language, "consent_where": row.where,
                                "consent_at": row.at, **({"channel": row.channel} if row.channel else {})})
            result.updated += 1
    _subscribe_rows(session, new, changed)
    for row in existing.values():
        if row.id is not None:
            session.expire(row)


def _subscribe_rows(session: Session, new: list[dict], changed: list[dict]) -> None:
    if new:
        session.execute(insert(SurveySubscriber), new)
    if changed:
        session.execute(update(SurveySubscriber), changed)


def _worker_ids(session: Session, chunk: list[_Good], vault: PhoneVault, country_code: str,
                now: datetime) -> dict[str, int]:
    """Each row's worker, found by the hash of her number, created when she is new (one INSERT)."""
    hashes = {row.e164: vault.lookup_hashes(row.e164) for row in chunk}
    current = {found[0]: e164 for e164, found in hashes.items()}
    ids = {current[phone_hash]: worker_id for worker_id, phone_hash in session.execute(
        select(Worker.id, Worker.phone_hash).where(Worker.phone_hash.in_(list(current))))}
    missing = [e164 for e164 in hashes if e164 not in ids]
    rotating = [e164 for e164 in missing if len(hashes[e164]) > 1]
    for e164 in rotating:  # keys are rotating: she may be stored under a previous hash key
        ids[e164] = find_or_create_worker(session, e164, vault, country_code, now).id
    new = [e164 for e164 in missing if e164 not in ids]
    insert_ignoring_conflicts(session, Worker, [
        {"phone_hash": hashes[e164][0], "phone_encrypted": vault.encrypt(e164), "pseudonym": pseudonym,
         "country_code": country_code, "opted_out_channels": [], "created_at": now}
        for e164, pseudonym in zip(new, _pseudonyms(session, len(new)))], conflict=["phone_hash"])
    wanted = [hashes[e164][0] for e164 in new]
    if wanted:
        ids.update((current[phone_hash], worker_id) for worker_id, phone_hash in session.execute(
            select(Worker.id, Worker.phone_hash).where(Worker.phone_hash.in_(wanted))))
    return ids


def _pseudonyms(session: Session, count: int) -> list[str]:
    """``count`` pseudonyms no worker has (drawn at random, a thousand at once could meet one)."""
    chosen: set[str] = set()
    while len(chosen) < count:
        drawn = {new_pseudonym() for _ in range(count - len(chosen))} - chosen
        chosen |= drawn - set(session.scalars(select(Worker.pseudonym).where(Worker.pseudonym.in_(list(drawn)))))
    return list(chosen)


def _read(data: bytes | str) -> tuple[list[dict[str, str]], str | None]:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], _l("The file is not text in UTF-8: save it as CSV UTF-8 and upload it again.")
    text = data.lstrip("\ufeff")
    first = next(iter(text.splitlines()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    # newline="": line ends inside quotes stay in their field, and a file saved with CR alone
    # (Excel's "CSV (Macintosh)") reads as lines.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _rows(reader)
    except csv.Error:
        return [], _l("Row %(row)s cannot be read as CSV (a quote left open, a NUL character or a field over "
                      "%(count)s characters); save the file again as CSV UTF-8.", row=reader.line_num,
                      count=csv.field_size_limit())


def _rows(reader) -> tuple[list[dict[str, str]], str | None]:
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
        rows.append({name: (values[i].strip()[:FIELD_MAX] if i < len(values) else "")
                     for i, name in enumerate(header)})
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
    channel = values.get("channel")
    channel = None if channel is None else channel.strip().lower() or "sms"  # the column there, empty: SMS
    if channel is not None and channel not in CHANNELS:
        return _l("Write sms or whatsapp as the channel, or leave it empty (sms)."), None
    return None, _Good(number, e164, language, where, at, channel)


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
