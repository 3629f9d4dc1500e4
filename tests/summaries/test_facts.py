"""The stored facts, against sums worked out by hand from a small factory's July and August.

PT Contoh Garmen (Jakarta, UTC+7; Sunday off; no public holiday in the days counted), the
clock read on 10 September 2026. A working day runs 08:00 → 08:00 and Sunday's is not counted.

    C1  W1  Tue  7 Jul 10:00  wages          ack Wed 8 10:00 (1.0 d, in time), resolved Tue 14 10:00
                                             (6.0 d: Sunday off, in time) remedied, satisfied, named
    C2  W1  Mon 20 Jul 09:00  hours_leave    ack Thu 23 09:00 (3.0 d, late), open, resolve_by 7 Aug
                                             passed, escalated once
    C3  W2  Fri 31 Jul 23:30  wages          never acknowledged, both deadlines passed
    C4  W3  Tue  4 Aug 10:00  wages          ack 15:00 (5 h: 0.2 d), waited for her Wed 5 10:00 →
                                             Fri 7 10:00, resolved Tue 11 10:00 (6.0 d − 2.0 d = 4.0 d),
                                             not upheld, not satisfied
    C5  W4  Mon 10 Aug 09:00  safety_health  ack 13:00 (4 h: 0.2 d), reopened, resolve_by 30 Sep
                                             (not due yet), named
    C6  W1  Wed 12 Aug 10:00  harassment_violence (advisors) ack 12:00 (2 h: 0.1 d), open,
                                             resolve_by 19 Aug passed
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from grievance.models import Case, SummaryFact
from grievance.models.base import utcnow
from grievance.summaries import facts
from grievance.summaries.periods import Period
from grievance.summaries.sums import Now, Sums
from grievance.workflows.deadlines import schedule, sweep
from grievance.workflows.events import record
from tests import factories

JAKARTA = ZoneInfo("Asia/Jakarta")
MOMENT = datetime(2026, 9, 10, 0, 0, tzinfo=timezone.utc)
JULY, AUGUST = Period.parse("2026-07"), Period.parse("2026-08")
Q3, YEAR = Period.parse("2026-Q3"), Period.parse("2026")


def local(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=JAKARTA).astimezone(timezone.utc)


def _case(session, worker: int, opened: datetime, category: str, *, ack_by: datetime, resolve_by: datetime,
          status: str = "new", to: str = "+622150000001", factory_code: str = "IDN-0001", **values) -> Case:
    made = factories.case(phone=f"+62812000000{worker}", now=opened, category=category, to=to,
                          factory_code=factory_code)
    made.acknowledge_by, made.resolve_by, made.status = ack_by, resolve_by, status
    for name, value in values.items():
        setattr(made, name, value)
    schedule(made)
    session.commit()
    return made


@pytest.fixture
def july_august(session):
    factories.factory()
    made = {
        "C1": _case(session, 1, local(7, 7, 10), "wages", ack_by=local(9, 7, 10), resolve_by=local(24, 7, 10),
                    status="closed", acknowledged_at=local(8, 7, 10), resolved_at=local(14, 7, 10),
                    closed_at=local(15, 7, 10), outcome_code="remedied", satisfied=True, anonymous=False),
        "C2": _case(session, 1, local(20, 7, 9), "hours_leave", ack_by=local(22, 7, 9), resolve_by=local(7, 8, 9),
                    status="acknowledged", acknowledged_at=local(23, 7, 9), escalation_level=1),
        "C3": _case(session, 2, local(31, 7, 23, 30), "wages", ack_by=local(3, 8, 23, 30),
                    resolve_by=local(21, 8, 23, 30)),
        "C4": _case(session, 3, local(4, 8, 10), "wages", ack_by=local(6, 8, 10), resolve_by=local(27, 8, 10),
                    status="resolved", acknowledged_at=local(4, 8, 15), resolved_at=local(11, 8, 10),
                    paused_seconds=2 * 86400, outcome_code="not_upheld", satisfied=False),
        "C5": _case(session, 4, local(10, 8, 9), "safety_health", ack_by=local(12, 8, 9), resolve_by=local(30, 9, 9),
                    status="reopened", acknowledged_at=local(10, 8, 13), reopen_count=1, anonymous=False),
        "C6": _case(session, 1, local(12, 8, 10), "harassment_violence", ack_by=local(13, 8, 10),
                    resolve_by=local(19, 8, 10), status="acknowledged", acknowledged_at=local(12, 8, 12),
                    route="advisor"),
    }
    # The committee waited for her answer on C4 from Wednesday 10:00 to Friday 10:00.
    record(session, made["C4"], "clock_resumed", local(7, 8, 10), paused_seconds=2 * 86400)
    session.commit()
    return made


JULY_PICC = Sums(
    workers=2, cases=3, by_category={"wages": 2, "hours_leave": 1}, by_outcome={"remedied": 1},
    ack_due_workers=2, ack_due_cases=3, ack_in_time_cases=1,
    resolve_due_workers=2, resolve_due_cases=3, resolve_in_time_cases=1,
    ack_days={10: 1, 30: 1}, ack_days_workers=1, resolve_days={60: 1}, resolve_days_workers=1,
    escalated=1, reopened=0, answered=1, satisfied=1, named=1, repeat=1)
AUGUST_PICC = Sums(
    workers=2, cases=2, by_category={"wages": 1, "safety_health": 1}, by_outcome={"not_upheld": 1},
    ack_due_workers=2, ack_due_cases=2, ack_in_time_cases=2,
    resolve_due_workers=1, resolve_due_cases=1, resolve_in_time_cases=1,
    ack_days={2: 2}, ack_days_workers=2, resolve_days={40: 1}, resolve_days_workers=1,
    escalated=0, reopened=1, answered=1, satisfied=0, named=1, repeat=0)
AUGUST_ADVISOR = Sums(
    workers=1, cases=1, by_category={"harassment_violence": 1},
    ack_due_workers=1, ack_due_cases=1, ack_in_time_cases=1,
    resolve_due_workers=1, resolve_due_cases=1, resolve_in_time_cases=0,
    ack_days={1: 1}, ack_days_workers=1, repeat=0)  # W1 wrote to the committee in July, never to the advisors
# Not the months added: W1 wrote in both and counts once.
QUARTER_PICC = Sums(
    workers=4, cases=5, by_category={"wages": 3, "hours_leave": 1, "safety_health": 1},
    by_outcome={"remedied": 1, "not_upheld": 1},
    ack_due_workers=4, ack_due_cases=5, ack_in_time_cases=3,
    resolve_due_workers=3, resolve_due_cases=4, resolve_in_time_cases=2,
    ack_days={10: 1, 30: 1, 2: 2}, ack_days_workers=3, resolve_days={60: 1, 40: 1}, resolve_days_workers=2,
    escalated=1, reopened=1, answered=2, satisfied=1, named=2, repeat=1)


def _factory_id(session, code: str = "IDN-0001") -> int:
    from grievance.models import Factory

    return session.scalar(select(Factory.id).where(Factory.code == code))


def test_the_sums_of_each_month_quarter_and_year_are_the_ones_worked_out_by_hand(session, july_august):
    facts.rebuild(session, MOMENT)
    factory_id = _factory_id(session)
    found = facts.load(session, [factory_id], [JULY, AUGUST, Q3, YEAR])

    assert found[(factory_id, "2026-07", "picc")] == JULY_PICC
    assert found[(factory_id, "2026-08", "picc")] == AUGUST_PICC
    assert found[(factory_id, "2026-08", "advisor")] == AUGUST_ADVISOR
    assert (factory_id, "2026-07", "advisor") not in found  # nothing happened: no row, read as zero
    assert found[(factory_id, "2026-Q3", "picc")] == QUARTER_PICC
    assert found[(factory_id, "2026", "picc")] == QUARTER_PICC
    assert facts.refreshed_at(session) == MOMENT


def test_what_is_open_now_counts_workers_overdue_and_escalated(session, july_august):
    facts.rebuild(session, MOMENT)
    factory_id = _factory_id(session)

    # Open: C2 (W1, overdue, escalated), C3 (W2, overdue), C5 (W4, due 30 September); C6 with the advisors.
    assert facts.now(session, [factory_id]) == {(factory_id, "picc"): Now(open=3, overdue=2, escalated=1),
                                                (factory_id, "advisor"): Now(open=1, overdue=1, escalated=0)}


def _as_if_written_before(session, moment: datetime) -> None:
    """Every case last changed before ``moment`` (the builders wrote them at the real clock)."""
    session.execute(update(Case).values(updated_at=moment - timedelta(hours=1)))
    session.commit()


def test_a_refresh_recomputes_only_the_month_of_the_changed_case_with_its_quarter_and_year(session, july_august):
    _as_if_written_before(session, MOMENT)
    facts.rebuild(session, MOMENT)
    factory_id = _factory_id(session)
    later = MOMENT + timedelta(minutes=1)
    july_august["C4"].satisfied = True  # she changed her mind: the ORM moves updated_at
    session.commit()

    assert facts.refresh(session, later) == 1

    found = facts.load(session, [factory_id], [JULY, AUGUST, Q3, YEAR])
    assert (found[(factory_id, "2026-08", "picc")].answered, found[(factory_id, "2026-08", "picc")].satisfied) == (1, 1)
    assert found[(factory_id, "2026-Q3", "picc")].satisfied == 2
    assert found[(factory_id, "2026", "picc")].satisfied == 2
    assert found[(factory_id, "2026-07", "picc")] == JULY_PICC
    stamps = dict(session.execute(select(SummaryFact.period, SummaryFact.refreshed_at)
                                  .where(SummaryFact.factory_id == factory_id, SummaryFact.route == "picc")).all())
    assert stamps == {"2026-07": MOMENT, "2026-08": later, "2026-Q3": later, "2026": later, "now": later}
    assert facts.refreshed_at(session) == later
    # The ORM stamped C4 with the real clock: once a refresh has read past it and the overlap,
    # nothing is recomputed again.
    past = utcnow() + facts.OVERLAP + timedelta(minutes=1)
    assert facts.refresh(session, past) == 1
    assert facts.refresh(session, past + facts.OVERLAP + timedelta(minutes=1)) == 0


def test_the_first_refresh_builds_everything(session, july_august):
    assert facts.refreshed_at(session) is None
    assert facts.refresh(session, MOMENT) == 12  # the one year that has cases, month by month
    assert facts.load(session, [_factory_id(session)], [JULY])[(_factory_id(session), "2026-07", "picc")] == JULY_PICC


def test_a_case_at_half_past_eleven_on_the_last_evening_of_the_month_is_that_months(session):
    # Port-au-Prince is UTC−4 in July: 23:30 on 31 July there is 03:30 on 1 August in UTC.
    factories.factory(code="HTI-0001", name="Haiti Garment", country="HT", number="+50922000001")
    opened = datetime(2026, 7, 31, 23, 30, tzinfo=ZoneInfo("America/Port-au-Prince"))
    factories.case(phone="+50931000001", to="+50922000001", factory_code="HTI-0001", now=opened, language="ht")
    facts.rebuild(session, MOMENT)
    factory_id = _factory_id(session, "HTI-0001")

    found = facts.load(session, [factory_id], [JULY, AUGUST])
    assert found[(factory_id, "2026-07", "picc")].cases == 1
    assert (factory_id, "2026-08", "picc") not in found


def test_a_case_without_a_factory_is_in_no_factorys_sums(session, july_august):
    factories.factory(code="IDN-COUNTRY", name="Country line", number="+622150000099")
    factories.case(phone="+6281200000099", to="+622150000099", factory_code=None, now=local(8, 7, 10))
    facts.rebuild(session, MOMENT)

    assert facts.load(session, [_factory_id(session)], [JULY])[(_factory_id(session), "2026-07", "picc")] == JULY_PICC
    assert facts.load(session, [_factory_id(session, "IDN-COUNTRY")], [JULY]) == {}


def test_the_sweep_marking_a_case_overdue_moves_updated_at(session, july_august):
    late = july_august["C3"].id
    _as_if_written_before(session, MOMENT)
    before = session.scalar(select(Case.updated_at).where(Case.id == late))

    assert sweep(session, MOMENT).overdue >= 1
    session.expire_all()

    assert session.scalar(select(Case.updated_at).where(Case.id == late)) > before


def test_a_worker_who_wrote_to_the_advisors_before_is_no_repeat_in_the_committees_figures(session):
    factories.factory()
    _case(session, 5, local(6, 7, 10), "forced_labour", ack_by=local(7, 7, 10), resolve_by=local(8, 7, 10),
          route="advisor")
    _case(session, 5, local(5, 8, 10), "wages", ack_by=local(7, 8, 10), resolve_by=local(27, 8, 10))
    facts.rebuild(session, MOMENT)
    loaded = facts.load(session, [_factory_id(session)], [AUGUST])
    assert loaded[(_factory_id(session), AUGUST.key, "picc")].repeat == 0
