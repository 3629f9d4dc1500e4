"""The summaries end to end, as people call them: cases made with the builders, the facts
rebuilt, then the pages, their CSV files and the API read back and compared with each other,
with the consent a factory gives, and across every page of a year a buyer can open."""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent
from sqlalchemy import select

from grievance.access.grants import grant, organisation_for
from grievance.access.tokens import create_token
from grievance.extensions import db
from grievance.models import ConsentGrant, Factory, User
from grievance.summaries.grids import quarters_of
from grievance.summaries.periods import Period
from tests import factories
from tests.conftest import csrf_token
from tests.web.summary_world import (BUYER, MANAGER, OTHER_BUYER, YEAR, Cell, clock, csv_rows, page_tables,  # noqa: F401
                                     quarter_two_cases, refresh, signed_in, worker_cases, workers_column)

QUARTER = "2025-Q2"


def _factory(code: str) -> Factory:
    return db.session.scalar(select(Factory).where(Factory.code == code))


def _people(*, granted: bool = True) -> dict[str, str]:
    """IDN-0001 with its manager and a buyer (granted access unless told); API tokens for both."""
    factories.factory()
    factories.user(email=MANAGER, role="factory_manager", name="Mira", factory_code="IDN-0001", language="en")
    factories.user(email=BUYER, role="buyer", name="Bea", buyer="Acme Brands", language="en")
    if granted:
        grant(_factory("IDN-0001"), organisation_for("Acme Brands"), by=None)
    tokens = {email: create_token(db.session.scalar(select(User).where(User.email == email)), "tests")[1]
              for email in (MANAGER, BUYER)}
    db.session.commit()
    return tokens


def _api(http, token: str, path: str):
    return http.get(path, headers={"Authorization": f"Bearer {token}"})


def _written(figure: dict) -> str:
    """How an English page writes a shown figure of the API."""
    if figure["kind"] == "share":
        return format_percent(figure["value"], locale="en")
    if figure["kind"] == "days":
        return f"{format_decimal(figure['value'], format='#,##0.#', locale='en')} working days"
    return format_decimal(figure["value"], locale="en")


def _csv_written(figure: dict) -> str:
    if figure["kind"] == "count":
        return str(figure["value"])
    return f"{figure['value']:.2f}" if figure["kind"] == "share" else f"{figure['value']:.1f}"


def _assert_agree(page: str, csv_of, answer: dict) -> int:
    """Every figure of the page, of each table's CSV file and of the API answer is the same:
    shown ones with the same value and n, hidden ones hidden with the same reason. Returns how
    many figures were compared."""
    tables, compared = page_tables(page), 0
    assert list(tables) == [table["key"] for table in answer["tables"]]
    for table in answer["tables"]:
        shown = tables[table["key"]]
        lines = csv_rows(csv_of(table["key"]))
        assert lines[0][0] == table["title"]
        api_rows = table["rows"] + ([table["total"]] if table["total"] else [])
        page_rows = shown.rows + ([shown.total] if shown.total else [])
        assert len(api_rows) == len(page_rows) == len(lines) - 1, table["key"]
        for api_row, (label, cells), line in zip(api_rows, page_rows, lines[1:]):
            assert api_row["label"] == label == line[0]
            for index, column in enumerate(table["columns"]):
                figure, cell = api_row["cells"][column["key"]], cells[index]
                value, n = line[1 + 2 * index], line[2 + 2 * index]
                where = (table["key"], label, column["key"])
                if figure["suppressed"]:
                    assert figure["value"] is None and figure["n"] is None, where
                    assert cell.reason == figure["suppressed"] and value == cell.text and n == "", where
                else:
                    assert cell.shown and cell.text == _written(figure), (where, cell, figure)
                    assert value == _csv_written(figure) and n == str(figure["n"]), (where, line, figure)
                    sign = "=" if figure["kind"] == "count" else "≥"  # a statistic's n is a lower bound
                    assert cell.n == f"n {sign} {figure['n']} worker{'s' if figure['n'] != 1 else ''}", where
                compared += 1
    return compared


def _by_label(table) -> dict[str, str]:
    return {label: cells[0].text if cells[0].shown else cells[0].reason
            for label, cells in table.rows + ([table.total] if table.total else [])}


RECEIVED_Q2 = {"Wages and benefits": "14", "Working hours and leave": "complementary", "Safety and health": "small",
               "Contracts and dismissal": "0", "Discrimination": "0",
               "Other": "0", "All grievances": "23"}


def test_the_page_its_csv_files_and_the_api_show_the_same_figures_for_a_buyer_and_a_manager(app, clock):
    tokens = _people()
    quarter_two_cases()
    refresh()
    buyer, manager = signed_in(app, BUYER), signed_in(app, MANAGER)

    seen = {}
    for name, http, token, page_url, csv_url, api_url in [
            ("buyer", buyer, tokens[BUYER], "/buyers/factories/IDN-0001", "/buyers/factories/IDN-0001/summary.csv",
             "/api/v1/summaries/factories/IDN-0001"),
            ("combined", buyer, tokens[BUYER], "/buyers", "/buyers/summary.csv", "/api/v1/summaries/buyer"),
            ("manager", manager, tokens[MANAGER], "/factory/summary", "/factory/summary.csv",
             "/api/v1/summaries/factories/IDN-0001")]:
        page = http.get(f"{page_url}?period={QUARTER}")
        answer = _api(http, token, f"{api_url}?period={QUARTER}")
        assert page.status_code == 200 and answer.status_code == 200, name
        html = page.get_data(as_text=True)
        compared = _assert_agree(html, lambda key: http.get(f"{csv_url}?table={key}&period={QUARTER}"), answer.json)
        assert compared > 20, name
        seen[name] = page_tables(html)

    # Written by hand from the cases: 14 + 3 + 6 workers; safety's 3 is "fewer than 5", and hours'
    # 6 is hidden beside it, else 23 - 14 - 0 would give safety away.
    for name in ("buyer", "combined", "manager"):
        assert _by_label(seen[name]["received"]) == RECEIVED_Q2, name
        assert _by_label(seen[name]["trend"]) == {"April 2025": "9", "May 2025": "8", "June 2025": "6", "Q2 2025": "23"}
        # June's three wage cases were acknowledged late: 20 of 23 in time.
        assert _by_label(seen[name]["timeliness"])["Acknowledged in time"] == "87%"
    assert "now" in seen["manager"] and "now" not in seen["buyer"]  # a moving figure: never for buyers
    assert "zero_tolerance" in seen["buyer"] and "benchmark" not in seen["buyer"]


def _buyer_calls(http, token: str) -> dict[str, int]:
    return {"page": http.get(f"/buyers/factories/IDN-0001?period={QUARTER}").status_code,
            "csv": http.get(f"/buyers/factories/IDN-0001/summary.csv?table=received&period={QUARTER}").status_code,
            "log": http.get(f"/buyers/factories/IDN-0001/followup?period={QUARTER}").status_code,
            "api": _api(http, token, f"/api/v1/summaries/factories/IDN-0001?period={QUARTER}").status_code}


def _listed(http, token: str) -> tuple[bool, list[str]]:
    page = http.get(f"/buyers?period={QUARTER}").get_data(as_text=True)
    codes = [item["code"] for item in _api(http, token, "/api/v1/factories").json["items"]]
    return "PT Contoh Garmen" in page, codes


def test_a_buyer_reads_a_factory_only_while_its_manager_grants_access(app, clock):
    tokens = _people(granted=False)
    quarter_two_cases()
    refresh()
    buyer, manager = signed_in(app, BUYER), signed_in(app, MANAGER)
    token = tokens[BUYER]
    closed = {"page": 404, "csv": 404, "log": 404, "api": 404}
    assert _buyer_calls(buyer, token) == closed
    assert _listed(buyer, token) == (False, [])

    acme = organisation_for("Acme Brands").id
    form = csrf_token(manager.get("/factory").get_data(as_text=True))
    assert manager.post("/factory/IDN-0001/access",
                        data={"access-organisation": str(acme), "csrf_token": form}).status_code == 302
    assert _buyer_calls(buyer, token) == {"page": 200, "csv": 200, "log": 200, "api": 200}
    assert _listed(buyer, token) == (True, ["IDN-0001"])
    page = page_tables(buyer.get(f"/buyers/factories/IDN-0001?period={QUARTER}").get_data(as_text=True))
    assert _by_label(page["received"]) == RECEIVED_Q2

    [made] = db.session.scalars(select(ConsentGrant)).all()
    form = csrf_token(manager.get("/factory").get_data(as_text=True))
    assert manager.post(f"/factory/IDN-0001/access/{made.id}/revoke",
                        data={"csrf_token": form, "confirm": "yes"}).status_code == 302
    assert _buyer_calls(buyer, token) == closed  # the very next calls
    assert _listed(buyer, token) == (False, [])


# -- differencing across every page of a year ------------------------------------------------------

def _year_of_cases() -> None:
    """Two factories through 2025, both granted to the buyer."""
    factories.factory(code="IDN-0002", name="PT Lain Tekstil", number="+622150000002")
    grant(_factory("IDN-0002"), organisation_for("Acme Brands"), by=None)
    db.session.commit()
    quarter_two_cases()
    worker_cases(5, 1, "wages")
    worker_cases(7, 10, "wages")
    worker_cases(2, 10, "safety_health")
    other = {"factory_code": "IDN-0002", "to": "+622150000002"}
    worker_cases(7, 3, "wages", **other)
    worker_cases(2, 3, "hours_leave", **other)
    worker_cases(3, 8, "wages", **other)
    worker_cases(6, 11, "wages", **other)
    worker_cases(1, 11, "other", **other)
    worker_cases(4, 5, "wages", **other)


def _assert_nothing_recoverable(parts: list[Cell], total: Cell, where) -> None:
    """No relation leaves one hidden cell alone, and none lets a hidden cell be worked out from
    the total, the shown parts and what a reader knows of the hidden ones (a "fewer than 5"
    holds 1 to 4; a cell hidden beside it holds at least 5, or it would have been small)."""
    cells = parts + [total]
    hidden = [cell for cell in cells if not cell.shown]
    assert len(hidden) != 1, where
    if not hidden or not total.shown:
        return
    left = int(total.text) - sum(int(cell.text) for cell in parts if cell.shown)
    bounds = [(1, 4) if cell.reason == "small" else (5, left) for cell in parts if not cell.shown]
    for index, (low, high) in enumerate(bounds):
        others = bounds[:index] + bounds[index + 1:]
        low, high = max(low, left - sum(b[1] for b in others)), min(high, left - sum(b[0] for b in others))
        assert low < high, (where, parts, total)


def test_no_hidden_figure_can_be_worked_out_across_a_buyers_pages_of_a_year(app, clock):
    _people()
    _year_of_cases()
    refresh()
    buyer = signed_in(app, BUYER)
    year = Period.parse(YEAR)
    periods = year.months() + quarters_of(year) + [year]
    names = {"PT Contoh Garmen": "IDN-0001", "PT Lain Tekstil": "IDN-0002"}
    read: dict[tuple, set] = {}  # (whose, line, period) -> every way a page wrote it

    def note(key: tuple, cell: Cell) -> None:
        read.setdefault(key, set()).add((cell.text, cell.reason))

    pages = 0
    for period in periods:
        for whose, url in [("all", "/buyers"), ("IDN-0001", "/buyers/factories/IDN-0001"),
                           ("IDN-0002", "/buyers/factories/IDN-0002")]:
            response = buyer.get(f"{url}?period={period.key}")
            assert response.status_code == 200, (url, period.key)
            tables, pages = page_tables(response.get_data(as_text=True)), pages + 1
            for key in ("received", "trend", "factories"):
                if key not in tables or tables[key].total is None:
                    continue
                parts, total = workers_column(tables[key])
                _assert_nothing_recoverable(parts, total, (whose, period.key, key))
            for label, cells in tables["received"].rows:
                note((whose, label, period.key), cells[0])
            note((whose, "all", period.key), tables["received"].total[1][0])
            for label, cells in tables["trend"].rows:
                note((whose, "all", label), cells[0])
            if tables["trend"].total:
                note((whose, "all", period.key), tables["trend"].total[1][0])
            if "factories" in tables:
                for label, cells in tables["factories"].rows:
                    note((names[label], "all", period.key), cells[0])
                note(("all", "all", period.key), tables["factories"].total[1][0])
    assert pages == 51
    differing = {key: ways for key, ways in read.items() if len(ways) > 1}
    assert differing == {}
    # Some figures are hidden and some shown, so the checks above had something to check.
    kinds = {reason for ways in read.values() for _, reason in ways}
    assert {None, "small", "complementary"} <= kinds
    # March's total, read on the March page and in the first quarter's trend, and the factory's own.
    assert read[("all", "all", "2025-03")] == {("9", None)}
    assert read[("IDN-0002", "all", "2025-03")] == {("9", None)}


# -- the country benchmark ---------------------------------------------------------------------

def _benchmark_row(http) -> Cell:
    page = http.get(f"/factory/summary?period={QUARTER}").get_data(as_text=True)
    return dict(page_tables(page)["benchmark"].rows)["Acknowledged in time"], page


def test_the_country_benchmark_needs_three_other_factories_with_cases(app, clock):
    _people()
    quarter_two_cases()
    for index in (2, 3):
        factories.factory(code=f"IDN-000{index}", name=f"PT Lain {index}", number=f"+62215000000{index}")
        worker_cases(4, 5, "wages", factory_code=f"IDN-000{index}", to=f"+62215000000{index}")
    factories.factory(code="IDN-0004", name="PT Lain 4", number="+622150000004")  # no cases yet
    refresh()
    manager = signed_in(app, MANAGER)

    (mine, country), page = _benchmark_row(manager)
    assert mine.text == "87%" and mine.n == "n ≥ 20 workers"  # 23 workers, as a lower bound
    assert country.reason == "benchmark" and country.text == "not enough factories to compare"
    assert "A comparison needs at least 3 other factories" in page

    worker_cases(4, 5, "wages", factory_code="IDN-0004", to="+622150000004")
    refresh()
    (mine, country), page = _benchmark_row(manager)
    assert country.shown and country.text == "100%" and country.n == "n ≥ 10 workers"
