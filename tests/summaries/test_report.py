"""Summaries built from hand-made sums: what each audience reads, and that no hidden figure can
be recovered from the figures shown beside it on the pages one viewer can open."""

from __future__ import annotations

import sys
import types
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

import grievance.summaries
from grievance.access import Viewer
from grievance.extensions import db
from grievance.models import User
from grievance.summaries import report
from grievance.summaries.grids import ALL, quarters_of, year_periods
from grievance.summaries.periods import Period
from grievance.summaries.sums import Now, Sums
from grievance.summaries.tables import BENCHMARK, COMPLEMENTARY, SMALL, TOO_FEW
from tests.access import world as worlds

YEAR = Period.parse("2026")
PICC, ADVISOR = "picc", "advisor"


def with_longer_periods(monthly: dict[tuple[int, str, str], Sums]) -> dict[tuple[int, str, str], Sums]:
    """Quarters and the year as the sums of their months (as if nobody wrote in two months)."""
    facts = dict(monthly)
    for period in year_periods(YEAR):
        if period.kind == "month":
            continue
        for factory_id, route in {(f, r) for f, _, r in monthly}:
            total = sum((monthly.get((factory_id, month.key, route), Sums()) for month in period.months()), Sums())
            facts[(factory_id, period.key, route)] = total
    return facts


def received(summary) -> dict[str, object]:
    table = summary.table("received")
    return {row.key: row.cells["workers"] for row in table.rows + [table.total]}


def value(figure):
    return figure.value if figure.shown else figure.suppressed


# -- one factory, its own people -------------------------------------------------------------

FACTORY_FACTS = with_longer_periods({
    (1, "2026-01", PICC): Sums(workers=12, by_category={"wages": 8, "safety_health": 4}),
    (1, "2026-02", PICC): Sums(workers=6, by_category={"wages": 6}),
    (1, "2026-03", PICC): Sums(workers=7, by_category={"wages": 3, "hours_leave": 4}),
    (1, "2026-03", ADVISOR): Sums(workers=6, by_category={"harassment_violence": 6}),
})


def factory_page(key: str, audience: str = "factory"):
    return report.build_factory_summary(audience, 1, "PT Contoh Garmen", Period.parse(key), FACTORY_FACTS, {})


def test_a_factory_reads_small_counts_as_small_and_zero_as_zero():
    march = {code: value(figure) for code, figure in received(factory_page("2026-03")).items()}
    assert march["wages"] == SMALL and march["hours_leave"] == SMALL
    assert march["all"] == 7 and march["safety_health"] == 0 and march["other"] == 0
    january = {code: value(figure) for code, figure in received(factory_page("2026-01")).items()}
    # Safety alone would be 12 - 8: wages goes too.
    assert january["safety_health"] == SMALL and january["wages"] == COMPLEMENTARY and january["all"] == 12
    quarter = {code: value(figure) for code, figure in received(factory_page("2026-Q1")).items()}
    # Safety and hours are both "fewer than 5" and 25 - 17 = 8 leaves them 4 each: wages goes too.
    assert quarter["safety_health"] == SMALL and quarter["hours_leave"] == SMALL
    assert quarter["wages"] == COMPLEMENTARY and quarter["all"] == 25
    trend = factory_page("2026-Q1").table("trend")
    assert [value(row.cells["workers"]) for row in trend.rows] == [12, 6, 7] and value(trend.total.cells["workers"]) == 25


def test_the_factory_audience_never_sees_the_advisors_cases():
    for key in ("2026-03", "2026-Q1", "2026"):
        page = factory_page(key)
        assert page.table("zero_tolerance") is None
        assert "harassment_violence" not in received(page)
    assert value(received(factory_page("2026-03"))["all"]) == 7  # the advisor case's worker is not counted
    programme = factory_page("2026-03", "programme")
    assert value(received(programme)["all"]) == 13
    # In the quarter, wages 17 and harassment 6 of 31 would leave safety and hours 4 each:
    # harassment is hidden there, and so in March, its only month.
    assert value(received(programme)["harassment_violence"]) == COMPLEMENTARY


def test_shares_need_ten_workers():
    nine = Sums(workers=9, ack_due_workers=9, ack_due_cases=9, ack_in_time_cases=6)
    ten = Sums(workers=10, ack_due_workers=10, ack_due_cases=12, ack_in_time_cases=9)
    for sums, expected in ((nine, TOO_FEW), (ten, 0.75)):
        page = report.build_factory_summary("factory", 1, "A", Period.parse("2026-03"),
                                            {(1, "2026-03", PICC): sums}, {})
        assert value(page.table("timeliness").cell("acknowledged_in_time", "value")) == expected


def _benchmark(others: dict[int, int]):
    """Factory 1 and others with this many workers behind their acknowledgement shares."""
    facts = {(f, "2026-03", PICC): Sums(workers=n, ack_due_workers=n, ack_due_cases=n, ack_in_time_cases=n // 2)
             for f, n in {1: 12, **others}.items()}
    page = report.build_factory_summary("factory", 1, "A", Period.parse("2026-03"), facts, {},
                                        others=[1, *others])
    return page.table("benchmark").cell("acknowledged_in_time", "country")


def test_the_benchmark_needs_three_others_none_dominating():
    assert _benchmark({2: 20, 3: 20}).suppressed == BENCHMARK
    shown = _benchmark({2: 20, 3: 20, 4: 20})
    assert shown.shown and shown.value == 0.5 and shown.n == 60
    assert _benchmark({2: 90, 3: 4, 4: 3, 5: 3}).suppressed == BENCHMARK


# -- a buyer ---------------------------------------------------------------------------------

BUYER_FACTS = with_longer_periods({
    (f, month.key, route): Sums(workers=w, by_category={"wages": w - w // 3, "safety_health": w // 3},
                                escalated=w % 6, by_outcome={"remedied": w % 7})
    for f in (1, 2, 3) for i, month in enumerate(YEAR.months())
    for route, w in ((PICC, (f * 5 + i * 3) % 11), (ADVISOR, (f + i) % 4))
})
NAMES = {1: "A", 2: "B", 3: "C"}


def test_zero_tolerance_reaches_a_buyer_only_as_one_count_per_quarter():
    quarter = report.build_buyer_summary(NAMES, "Acme", Period.parse("2026-Q2"), BUYER_FACTS)
    table = quarter.table("zero_tolerance")
    assert [row.key for row in table.rows] == ["2026-Q2"] and table.total is None
    # Factories' advisor workers in April-June: A 0+1+2, B 1+2+3, C 2+3+0 → 14.
    assert value(table.rows[0].cells["workers"]) == 14
    year = report.build_buyer_summary(NAMES, "Acme", YEAR, BUYER_FACTS).table("zero_tolerance")
    assert [row.key for row in year.rows] == [q.key for q in quarters_of(YEAR)]
    assert report.build_buyer_summary(NAMES, "Acme", Period.parse("2026-05"), BUYER_FACTS).table("zero_tolerance") is None
    assert "harassment_violence" not in received(quarter)


def _buyer_pages():
    """Every page a buyer of factories 1-3 can open for 2026: combined, and each factory."""
    for period in year_periods(YEAR):
        yield ALL, report.build_buyer_summary(NAMES, "Acme", period, BUYER_FACTS)
        for factory_id in NAMES:
            yield factory_id, report.build_factory_summary("buyer", factory_id, NAMES[factory_id], period,
                                                           BUYER_FACTS, {}, members=list(NAMES))


def _cells_read(pages) -> dict[tuple, object]:
    """(member, line, period key) → figure, from every table that shows counts; one cell read
    on two pages must show the same."""
    cells: dict[tuple, object] = {}

    def read(key, figure):
        assert cells.setdefault(key, figure) == figure, key

    for member, page in pages:
        for row in page.table("received").rows + [page.table("received").total]:
            read((member, row.key, page.period.key), row.cells["workers"])
        trend = page.table("trend")
        for row in trend.rows + ([trend.total] if trend.total else []):
            read((member, ALL, row.key), row.cells["workers"])
        for code in ("escalated", "reopened"):
            read((member, code, page.period.key), page.table("follow_through").cell(code, "value"))
        if member == ALL:
            for row in page.table("factories").rows:
                read((int(row.key), ALL, page.period.key), row.cells["workers"])
    return cells


def _recoverable(cells, total, parts) -> bool:
    figures = [cells[key] for key in (total, *parts)]
    return sum(not figure.shown for figure in figures) == 1


def test_no_hidden_cell_a_buyer_reads_can_be_recovered_by_subtraction():
    cells = _cells_read(_buyer_pages())
    hidden = [key for key, figure in cells.items() if not figure.shown]
    assert any(cells[key].suppressed == SMALL for key in hidden)
    assert any(cells[key].suppressed == COMPLEMENTARY for key in hidden)  # the test has something to check
    categories = ["wages", "safety_health"]
    quarters, months = quarters_of(YEAR), YEAR.months()
    for member in [ALL, *NAMES]:
        for period in year_periods(YEAR):
            assert not _recoverable(cells, (member, ALL, period.key),
                                    [(member, c, period.key) for c in categories]), (member, period)
        for line in [ALL, *categories, "escalated"]:
            for quarter in quarters:
                assert not _recoverable(cells, (member, line, quarter.key),
                                        [(member, line, m.key) for m in quarter.months()]), (member, line, quarter)
            assert not _recoverable(cells, (member, line, YEAR.key), [(member, line, q.key) for q in quarters])
            assert not _recoverable(cells, (member, line, YEAR.key), [(member, line, m.key) for m in months])
    for period in year_periods(YEAR):
        for line in [ALL, *categories, "escalated"]:
            assert not _recoverable(cells, (ALL, line, period.key), [(f, line, period.key) for f in NAMES])


# -- the country view ------------------------------------------------------------------------

def test_the_country_ranks_by_responsiveness_never_by_volume():
    facts = with_longer_periods({
        (f, "2026-03", PICC): Sums(workers=w, by_category={"wages": w}, resolve_due_workers=w, resolve_due_cases=w,
                                   resolve_in_time_cases=done, ack_due_workers=w, ack_due_cases=w,
                                   ack_in_time_cases=w)
        for f, w, done in ((1, 40, 20), (2, 10, 9), (3, 12, 6), (4, 3, 3))})
    names = {1: "Big", 2: "Quick", 3: "Slow", 4: "Small"}
    page = report.build_country_summary(names, {1: 2000, 2: 500, 3: None, 4: 100}, "Indonesia",
                                        Period.parse("2026-03"), facts, {(2, PICC): Now(open=6, overdue=5)})
    # Quick 90 %, Big 50 %, Slow 50 % (Big before Slow by name), Small's share hidden: last.
    assert [row.label for row in page.table("ranking").rows] == ["Quick", "Big", "Slow", "Small"]
    # Small's 3 workers are hidden, so Quick's 10 are too (the country's total is shown), and
    # their rates with them: a known headcount would give the counts back.
    rates = {row.label: value(row.cells["per_1000"]) for row in page.table("rates").rows}
    assert rates == {"Big": 20.0, "Quick": COMPLEMENTARY, "Slow": "no_data", "Small": SMALL}
    assert value(received(page)["all"]) == 65


# -- who may read what -----------------------------------------------------------------------

@pytest.fixture
def world(app):
    return worlds.build()


def viewer_of(world, role: str) -> Viewer:
    return Viewer.for_user(db.session.scalar(select(User).where(User.email == world.emails[role])))


@pytest.fixture
def fake_facts(monkeypatch):
    """Facts as the loader would give them, without cases: one picc worker per factory-month."""
    loaded = types.SimpleNamespace(
        load=lambda session, ids, periods: {(f, p.key, PICC): Sums(workers=7, by_category={"wages": 7})
                                            for f in ids for p in periods},
        now=lambda session, ids: {}, refreshed_at=lambda session: None)
    monkeypatch.setattr(grievance.summaries, "facts", loaded, raising=False)
    monkeypatch.setitem(sys.modules, "grievance.summaries.facts", loaded)
    return loaded


def test_a_buyer_reads_closed_periods_of_granting_factories_only(world, fake_facts):
    buyer = viewer_of(world, "buyer")
    now = datetime(2026, 4, 10, tzinfo=timezone.utc)
    assert report.buyer_summary(db.session, buyer, Period.parse("2026-04"), now) is None
    assert report.buyer_summary(db.session, buyer, Period.parse("2026-Q2"), now) is None
    assert report.factory_summary(db.session, buyer, world.factories["A"], Period.parse("2026-04"), now) is None
    assert report.factory_summary(db.session, buyer, world.factories["B"], Period.parse("2026-03"), now) is None
    march = report.buyer_summary(db.session, buyer, Period.parse("2026-03"), now)
    assert march.subject == "Acme Brands" and [row.label for row in march.table("factories").rows] == ["PT Contoh Garmen"]
    assert report.buyer_summary(db.session, viewer_of(world, "picc"), Period.parse("2026-03"), now) is None


def test_the_factory_people_read_their_factory_and_the_programme_its_countries(app, world, fake_facts):
    now, period = datetime(2026, 5, 10, tzinfo=timezone.utc), Period.parse("2026-04")
    manager = viewer_of(world, "factory_manager")
    # A period still running is no one's to read, not even the factory's own people's.
    assert report.factory_summary(db.session, manager, world.factories["A"], Period.parse("2026-05"), now) is None
    own = report.factory_summary(db.session, manager, world.factories["A"], period, now)
    assert own is not None and own.table("benchmark") is not None and own.table("zero_tolerance") is None
    assert report.factory_summary(db.session, manager, world.factories["B"], period, now) is None
    assert report.country_summary(db.session, manager, "ID", period, now) is None
    assert report.countries_summary(db.session, manager, period, now) is None
    advisor = viewer_of(world, "advisor_country")
    assert report.country_summary(db.session, advisor, "KH", period, now) is None
    country = report.country_summary(db.session, advisor, "ID", period, now)
    assert {row.label for row in country.table("ranking").rows} == {"PT Contoh Garmen", "PT Lain Tekstil"}
    compared = report.countries_summary(db.session, advisor, period, now).table("countries")
    admin = report.countries_summary(db.session, viewer_of(world, "admin"), period, now).table("countries")
    with app.test_request_context():  # labels are read in the page's language
        assert [str(row.label) for row in compared.rows[:1]] == ["Indonesia"]
        assert len(compared.rows) > 1 and all(str(row.label).startswith("Another country")
                                              for row in compared.rows[1:])
        assert {"Cambodia", "Indonesia"} <= {str(row.label) for row in admin.rows}


def test_offered_periods_are_closed_and_newest_first():
    offered = report.offered_periods(datetime(2026, 4, 10, tzinfo=timezone.utc), "Asia/Jakarta")
    assert [period.key for period in offered[:4]] == ["2026-03", "2026-Q1", "2026-02", "2026-01"]
    assert "2025" in [period.key for period in offered] and "2026-04" not in [period.key for period in offered]


def test_the_n_beside_a_share_never_gives_a_hidden_count_back():
    # A has 3 workers ("fewer than 5"), B 12, C 20: B's count is hidden to protect A's. An exact
    # n of 12 beside B's share would give it back, and A's with it (35 - 20 - 12 = 3).
    def wrote(workers: int) -> Sums:
        return Sums(workers=workers, by_category={"wages": workers}, ack_due_workers=workers, ack_due_cases=workers,
                    ack_in_time_cases=workers - 1, named=workers // 2)

    facts = with_longer_periods({(1, "2026-03", PICC): wrote(3), (2, "2026-03", PICC): wrote(12),
                                 (3, "2026-03", PICC): wrote(20)})
    page = report.build_buyer_summary({1: "A", 2: "B", 3: "C"}, "Acme", Period.parse("2026-03"), facts)
    side = {row.label: row.cells for row in page.table("factories").rows}
    assert value(side["A"]["workers"]) == SMALL and value(side["B"]["workers"]) == COMPLEMENTARY
    assert side["B"]["acknowledged_in_time"].n == 10 and side["C"]["acknowledged_in_time"].n == 20
    assert side["B"]["acknowledged_in_time"].value == 0.92  # 11 of 12, rounded once for page, CSV and API
    # Who gave her name is a count in disguise: 6 of 12 shows, but 3 of 35 - 3 or 17 of 20 would not.
    named = page.table("follow_through").cell("named", "value")
    assert named.shown and named.n == 35 and named.value == 0.49  # 17 of 35
