"""Cases for the summary pages, made with the test builders, and how the pages, their CSV files
and the API read back: what a person would see in each, parsed so that they can be compared."""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from grievance.extensions import db
from grievance.summaries import facts
from tests import factories
from tests.conftest import csrf_token

# The clock the pages read: a few weeks into 2026, so that every month, quarter and the year
# 2025 are closed and offered by the pickers.
NOW = datetime(2026, 1, 20, 5, 0, tzinfo=timezone.utc)
YEAR = "2025"
MANAGER, BUYER, OTHER_BUYER = "mira@example.org", "bea@example.org", "oz@example.org"
CLOCKED = ("grievance.web.buyers.pages", "grievance.web.buyers.followup", "grievance.web.factory.summary",
           "grievance.api.summaries")


@pytest.fixture
def clock(monkeypatch):
    """Every summary page, the follow-up log and the API read NOW as the time."""
    import importlib

    for name in CLOCKED:
        monkeypatch.setattr(importlib.import_module(name), "utcnow", lambda: NOW)
    return NOW


def signed_in(app, email: str):
    http = app.test_client()
    page = http.get("/login").get_data(as_text=True)
    assert http.post("/login", data={"email": email, "password": factories.PASSWORD,
                                     "csrf_token": csrf_token(page)}).status_code == 302
    return http


_workers = iter(range(10_000))


def worker_cases(count: int, month: int, category: str, *, factory_code: str = "IDN-0001",
                 to: str = "+622150000001", late: int = 0, resolved: bool = True) -> None:
    """``count`` workers of one factory, one case each, opened on the 10th of a 2025 month
    (10:00 in Jakarta); the first ``late`` of them acknowledged after the deadline, the others
    before it; resolved in time unless told."""
    for index in range(count):
        number = next(_workers)
        made = factories.case(factory_code=factory_code, to=to, phone=f"+6281300{number:05d}", category=category,
                              now=datetime(2025, month, 10, 3, 0, tzinfo=timezone.utc), body=f"Keluhan {number}")
        made.acknowledged_at = made.acknowledge_by + timedelta(hours=5 if index < late else -2)
        if resolved:
            made.resolved_at, made.status = made.resolve_by - timedelta(hours=1), "resolved"
            made.outcome_code = "remedied"
    db.session.commit()


def quarter_two_cases() -> None:
    """The second quarter of 2025 at IDN-0001: 14 workers about wages (6, 5 and 3 in April, May
    and June, June's acknowledged late), 3 about safety (one a month) and 6 about hours (two a
    month): 9, 8 and 6 workers a month, 23 in the quarter."""
    for month, wages, late in ((4, 6, 0), (5, 5, 0), (6, 3, 3)):
        worker_cases(wages, month, "wages", late=late)
        worker_cases(1, month, "safety_health", resolved=False)
        worker_cases(2, month, "hours_leave")


def refresh() -> None:
    facts.rebuild(db.session, NOW)


# -- reading a page, a CSV file and the API ----------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """One figure as a reader sees it: the words in the cell (a number, or why it is hidden),
    the suppression reason the footnote link names, and the n beside a shown figure."""

    text: str
    reason: str | None
    n: str = ""

    @property
    def shown(self) -> bool:
        return self.reason is None


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _cell(fragment: str) -> Cell | None:
    if "suppressed-figure" in fragment:
        reason = re.search(r'href="#why-(\w+)"', fragment).group(1)
        return Cell(_text(fragment.split("<sup>")[0]), reason)
    shown = re.search(r'<span class="figure">(.*?)</span>', fragment, re.S)
    if shown is None:
        return None
    n = re.search(r'<span class="n">(.*?)</span>', fragment, re.S)
    return Cell(_text(shown.group(1)), None, _text(n.group(1)) if n else "")


@dataclass
class PageTable:
    rows: list[tuple[str, list[Cell | None]]]
    total: tuple[str, list[Cell | None]] | None


def page_tables(page: str) -> dict[str, PageTable]:
    """Every summary table of a page as served: rows (label, cells) and the total row."""
    found = {}
    for key, body in re.findall(r'<section class="summary-table card" id="table-([\w-]+)">(.*?)</section>',
                                page, re.S):
        body, _, foot = body.partition("<tfoot>")

        def rows(part: str):
            return [(_text(label), [_cell(td) for td in re.findall(r"<td>(.*?)</td>", cells, re.S)])
                    for label, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', part, re.S)]

        totals = rows(foot)
        found[key] = PageTable(rows(body), totals[0] if totals else None)
    return found


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv", response.status_code
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def workers_column(table: PageTable) -> tuple[list[Cell], Cell | None]:
    """The first column's cells (the workers a table counts) and its total's."""
    return [cells[0] for _, cells in table.rows], table.total[1][0] if table.total else None
