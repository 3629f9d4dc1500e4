"""One summary table as a CSV file: the same figures as the page, suppressed ones as the same
words, never a hidden value; nothing about a person (the table holds none)."""

from __future__ import annotations

import csv
import io
import re

from flask import Response
from flask_babel import gettext

from grievance.summaries.tables import Row, Summary, Table
from grievance.web.figures import figure_csv, n_csv


def table_rows(table: Table) -> list[list[str]]:
    """The header (the rows' heading, then each column and its n), one line per row, the total."""
    header = [str(table.title)]
    for column in table.columns:
        header += [str(column.label), gettext("%(column)s: workers (n)", column=str(column.label))]

    def line(row: Row) -> list[str]:
        cells = [str(row.label)]
        for column in table.columns:
            figure = row.cells.get(column.key)
            cells += [figure_csv(figure), n_csv(figure)]
        return cells

    return [header] + [line(row) for row in table.rows] + ([line(table.total)] if table.total else [])


def _cell(value: str) -> str:
    # A spreadsheet runs a cell beginning with = + - @ as a formula; labels come from names
    # people typed (a factory's), so they are quoted off. Plain numbers stay numbers.
    if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"-?\d+(\.\d+)?", value):
        return "'" + value
    return value


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in table_rows(table):
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def filename(subject: str, summary: Summary, table: Table) -> str:
    """ASCII letters, digits and dashes only: safe in a header and on any file system."""
    def safe(part: str) -> str:
        return re.sub(r"[^A-Za-z0-9]+", "-", part).strip("-").lower()[:40] or "summary"

    middle = f"-{safe(summary.period.key)}" if summary.period else ""
    return f"{safe(subject)}{middle}-{safe(table.key)}.csv"


def csv_response(summary: Summary, table: Table, subject: str) -> Response:
    # A byte-order mark, so that a spreadsheet opens Arabic or Khmer words as UTF-8.
    response = Response("\ufeff" + table_csv(table), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(subject, summary, table)}"'
    return response
