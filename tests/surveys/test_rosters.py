"""A roster upload: the good rows imported, each bad one named with its reason, never half of it."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from grievance.models import SurveySubscriber, Worker
from grievance.privacy import vault
from grievance.workflows.surveys import rosters
from grievance.workflows.surveys.rosters import import_roster
from tests import factories

KHMER_MOBILE = "០១២ ៣៤៥ ៦៧៨"  # 012 345 678, as a Cambodian phone shows it
ROSTER = (
    "\ufeffphone;language;consent_where;consent_at\n"
    f"{KHMER_MOBILE};km;Factory canteen;2026-08-01\n"  # 2
    "12345;km;Factory canteen;2026-08-01\n"  # 3: no number
    "+855 12 999 888;id;Factory canteen;2026-08-01\n"  # 4: not a language of Cambodia
    "+855 12 999 887;km;Factory canteen;01/08/2026\n"  # 5: not an ISO date
    "+85512345678;km;Union office;2026-08-02\n"  # 6: row 2 again
    "+855 12 999 886;xx;Factory canteen;2026-08-01\n"  # 7: no such language
    "\n"
    "+855 12 999 885;en;Union office;2026-08-03T10:30\n"  # 9
)


# Reasons and refusals are read in English, as an English page shows them.
pytestmark = pytest.mark.usefixtures("page_language")

@pytest.fixture
def factory(session):
    return factories.factory(code="KHM-0001", name="Angkor Garments", country="KH", number="+85523900001")


def subscribers(session) -> list[SurveySubscriber]:
    return session.scalars(select(SurveySubscriber).order_by(SurveySubscriber.id)).all()


def test_the_good_rows_are_imported_and_each_bad_one_is_named_with_its_reason(session, factory, now):
    result = import_roster(session, factory=factory, data=ROSTER.encode(), vault=vault(), now=now, actor=None)
    session.commit()
    assert (result.imported, result.updated) == (2, 0)
    assert [error.row for error in result.errors] == [3, 4, 5, 6, 7]
    reasons = {error.row: error.reason for error in result.errors}
    assert "phone number" in reasons[3]
    assert "not one of Cambodia's" in reasons[4] and "km" in reasons[4]
    assert "ISO" in reasons[5]
    assert reasons[6] == "The same number as row 2."
    assert "Unknown language" in reasons[7]
    for reason in reasons.values():  # never the number itself
        assert not any(digits in reason for digits in ("12345", "999", "855"))
    rows = subscribers(session)
    assert [(row.source, row.language, row.consent_where) for row in rows] == [
        ("roster", "km", "Factory canteen"), ("roster", "en", "Union office")]
    # The consent's date is the factory's midnight; a time without an offset is the factory's too.
    assert rows[0].consent_at == datetime(2026, 7, 31, 17, 0, tzinfo=timezone.utc)
    assert rows[1].consent_at == datetime(2026, 8, 3, 3, 30, tzinfo=timezone.utc)
    workers = {row.worker_id: session.get(Worker, row.worker_id) for row in rows}
    numbers = sorted(vault().decrypt(worker.phone_encrypted) for worker in workers.values())
    assert numbers == ["+85512345678", "+85512999885"]  # the Khmer digits read as the number they are
    assert all(worker.phone_hash == vault().hash(vault().decrypt(worker.phone_encrypted))
               for worker in workers.values())


def test_the_same_roster_again_updates_and_adds_nobody(session, factory, now):
    import_roster(session, factory=factory, data=ROSTER, vault=vault(), now=now, actor=None)
    again = import_roster(session, factory=factory, data=ROSTER.replace(";", ","), vault=vault(), now=now, actor=None)
    assert (again.imported, again.updated, len(again.errors)) == (0, 2, 5)
    assert len(subscribers(session)) == 2


def test_nothing_is_half_imported_when_writing_fails(session, factory, now, monkeypatch):
    def failing(*args, **kwargs):  # the workers are written; their subscriptions fail
        raise RuntimeError("the database went away")

    monkeypatch.setattr(rosters, "_subscribe_rows", failing)
    with pytest.raises(RuntimeError):
        import_roster(session, factory=factory, data=ROSTER, vault=vault(), now=now, actor=None)
    assert subscribers(session) == []
    assert session.scalar(select(func.count()).select_from(Worker)) == 0


def test_a_file_without_the_columns_is_refused_whole_naming_them(session, factory, now):
    result = import_roster(session, factory=factory, data="number,lang\n+85512345678,km\n", vault=vault(), now=now,
                           actor=None)
    assert (result.imported, [error.row for error in result.errors]) == (0, [0])
    assert "phone, language, consent_where, consent_at" in result.errors[0].reason
    assert "missing: phone, language, consent_where, consent_at" in result.errors[0].reason
    assert subscribers(session) == []


def test_a_consent_in_the_future_is_a_bad_row(session, factory, now):
    data = "phone,language,consent_where,consent_at\n+85512345678,km,Canteen,2027-01-01\n"
    result = import_roster(session, factory=factory, data=data, vault=vault(), now=now, actor=None)
    assert [(error.row, error.reason) for error in result.errors] == [(2, "The consent date is in the future.")]


def _subscription(session, phone: str) -> SurveySubscriber:
    worker = session.scalar(select(Worker).where(Worker.phone_hash == vault().hash(phone)))
    return session.scalar(select(SurveySubscriber).where(SurveySubscriber.worker_id == worker.id))


def test_a_roster_leaves_her_no_to_surveys_and_her_own_yes_as_she_texted_them(session, factory, now, receive):
    said_no, said_yes = "+85512345678", "+85512999885"
    receive("ស្ទង់មតិ", sender=said_no, to="+85523900001")
    receive("ឈប់ស្ទង់មតិ", sender=said_no, to="+85523900001", at=now + timedelta(minutes=1))
    receive("ស្ទង់មតិ", sender=said_yes, to="+85523900001")
    texted = _subscription(session, said_yes)
    before = (texted.source, texted.consent_where, texted.consent_at)
    data = ("phone,language,consent_where,consent_at\n"
            f"{said_no},km,Canteen,2026-01-01\n{said_yes},en,Canteen,2026-01-01\n+85512999884,km,Canteen,2026-01-01\n")
    result = import_roster(session, factory=factory, data=data, vault=vault(), now=now + timedelta(hours=1),
                           actor=None)
    session.commit()
    assert (result.imported, result.updated, result.withdrawn, result.accepted) == (1, 1, 1, 3)
    assert _subscription(session, said_no).withdrawn_at is not None  # still no
    texted = _subscription(session, said_yes)
    assert (texted.source, texted.consent_where, texted.consent_at) == before
    # Only her own text says yes again.
    receive("ស្ទង់មតិ", sender=said_no, to="+85523900001", at=now + timedelta(hours=2))
    assert _subscription(session, said_no).withdrawn_at is None


@pytest.mark.parametrize("data, reason", [
    (b"phone,language,consent_where,consent_at\r+85512345678,km,Canteen,2026-08-01\r+85512999885,km,Hall,2026-08-01\r",
     None),
    (b"phone,language,consent_where,consent_at\n+85512345678,km,\"" + b"a" * 200_000 + b"\",2026-08-01\n",
     "Row 2 cannot be read as CSV"),
])
def test_a_file_saved_with_cr_line_ends_reads_and_an_overlong_field_is_refused_whole(session, factory, now, data,
                                                                                        reason):
    result = import_roster(session, factory=factory, data=data, vault=vault(), now=now, actor=None)
    if reason is None:
        assert (result.imported, result.errors) == (2, [])
    else:
        assert result.imported == 0 and [error.row for error in result.errors] == [0]
        assert result.errors[0].reason.startswith(reason)


def test_a_roster_of_the_largest_size_is_written_within_a_web_requests_time(session, factory, now):
    lines = ["phone,language,consent_where,consent_at"] + [f"+855 12 {i:06d},km,Canteen,2026-08-01"
                                                           for i in range(rosters.MAX_ROWS)]
    began = time.monotonic()
    result = import_roster(session, factory=factory, data="\n".join(lines), vault=vault(), now=now, actor=None)
    took = time.monotonic() - began
    assert (result.imported, result.errors) == (rosters.MAX_ROWS, [])
    assert session.scalar(select(func.count()).select_from(SurveySubscriber)) == rosters.MAX_ROWS
    assert took < 20, f"{took:.1f} s: gunicorn gives a request 30"


def test_a_roster_may_say_whatsapp_and_her_run_goes_by_whatsapp(session, now):
    """The optional ``channel`` column: whatsapp is planned on the factory's WhatsApp number,
    empty is SMS, anything else is a bad row named with what to write."""
    from grievance.workflows.surveys.planning import plan_run
    from tests.surveys import builders
    from tests.surveys.test_dispatch import SETTINGS

    factory = factories.factory(numbers=["+622150000001", "whatsapp:+622150000001"])
    result = import_roster(session, factory=factory, vault=vault(), now=now, actor=None, data=(
        "phone,language,consent_where,consent_at,channel\n"
        "081234567801,id,Kantin pabrik,2026-08-01,WhatsApp\n"  # 2
        "081234567802,id,Kantin pabrik,2026-08-01,\n"  # 3: SMS
        "081234567803,id,Kantin pabrik,2026-08-01,telegram\n"))  # 4
    session.commit()
    assert result.imported == 2
    assert [(error.row, error.reason) for error in result.errors] == [
        (4, "Write sms or whatsapp as the channel, or leave it empty (sms).")]
    assert [row.channel for row in subscribers(session)] == ["whatsapp", "sms"]
    # The same rows again from a file of the four columns: each keeps the channel she had.
    import_roster(session, factory=factory, vault=vault(), now=now, actor=None, data=(
        "phone,language,consent_where,consent_at\n081234567801,id,Kantin pabrik,2026-08-02\n"))
    session.commit()
    session.expire_all()
    assert [row.channel for row in subscribers(session)] == ["whatsapp", "sms"]
    run = plan_run(session, survey=builders.survey(now=now), factory=factory, actor=None, now=now, settings=SETTINGS)
    assert {key: run.plan["languages"]["id"][key] for key in ("sms", "whatsapp")} == {"sms": 1, "whatsapp": 1}
