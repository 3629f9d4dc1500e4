"""How a Figure reads on a page and in a CSV file, in the page's language.

A shown figure is its number and the count of workers behind it ("n = 12 workers"); a
suppressed one is a few words saying why it is not shown, with a longer explanation for a
title or footnote. The hidden value is never written anywhere: ``Figure.value`` is None once
suppressed, and nothing here would print it if it were not.
"""

from __future__ import annotations

from flask_babel import format_date, format_decimal, format_percent, gettext, ngettext

from grievance.summaries.disclosure import thresholds
from grievance.summaries.periods import Period
from grievance.summaries.tables import (BENCHMARK, COMPLEMENTARY, COUNT, DAYS, NO_DATA, RATE, SHARE, SMALL,
                                        TOO_FEW, Figure)


def reason_text(reason: str) -> str:
    """The few words that stand where a suppressed figure would be."""
    if reason == SMALL:
        return gettext("fewer than %(num)s", num=thresholds().min_workers)
    if reason == TOO_FEW:
        return gettext("too few to say")
    if reason == COMPLEMENTARY:
        return gettext("hidden so that a hidden figure cannot be worked out")
    if reason == BENCHMARK:
        return gettext("not enough factories to compare")
    return gettext("no data")


def reason_explanation(reason: str) -> str:
    """Why it is not shown, for a title attribute or a footnote."""
    limits = thresholds()
    if reason == SMALL:
        return gettext("Between 1 and %(last)s workers: so few that they could be recognised.",
                       last=limits.min_workers - 1)
    if reason == TOO_FEW:
        return gettext("A share, median or percentile is only shown with at least %(num)s workers behind it.",
                       num=limits.min_workers_for_statistics)
    if reason == COMPLEMENTARY:
        return gettext("Shown on its own, it could be worked out from the total and the other figures.")
    if reason == BENCHMARK:
        return gettext("A comparison needs at least %(num)s other factories, none of them more than "
                       "%(share)s of the total.", num=limits.benchmark_min_others,
                       share=format_percent(limits.benchmark_max_share))
    if reason == NO_DATA:
        return gettext("Nothing to compute it from in this period.")
    return ""


def number_text(figure: Figure) -> str:
    """A shown figure's number alone, in the page's language ("12", "83%", "4.5 working days")."""
    value = figure.value
    if figure.kind == SHARE:
        return format_percent(value)
    if figure.kind == DAYS:
        return gettext("%(days)s working days", days=format_decimal(value, format="#,##0.#"))
    if figure.kind == RATE:
        return gettext("%(rate)s per 1,000 workers", rate=format_decimal(value, format="#,##0.0"))
    return format_decimal(value)


def figure_text(figure: Figure | None) -> str:
    """What the cell shows: the number, or why it is not shown."""
    if figure is None:
        return ""
    if not figure.shown:
        return reason_text(figure.suppressed)
    return number_text(figure)


def n_text(figure: Figure | None) -> str:
    """The workers behind a shown figure ("n = 12 workers"); nothing for a suppressed one."""
    if figure is None or not figure.shown or figure.n is None:
        return ""
    if figure.kind == COUNT:
        return ngettext("n = %(num)s worker", "n = %(num)s workers", figure.n)
    # A statistic's n is a lower bound (disclosure.statistic_n).
    return ngettext("n ≥ %(num)s worker", "n ≥ %(num)s workers", figure.n)


def figure_csv(figure: Figure | None) -> str:
    """The CSV form: the number as a plain value a spreadsheet reads (a share as 0.83), or
    the same words as the page for a suppressed one."""
    if figure is None:
        return ""
    if not figure.shown:
        return reason_text(figure.suppressed)
    if figure.kind == COUNT or isinstance(figure.value, int):
        return str(int(figure.value))
    digits = 2 if figure.kind == SHARE else 1
    return f"{round(float(figure.value), digits):.{digits}f}"


def n_csv(figure: Figure | None) -> str:
    return str(figure.n) if figure is not None and figure.shown and figure.n is not None else ""


def period_label(period: Period) -> str:
    """"March 2026", "Q1 2026", "2026" in the page's language."""
    return period.label()


def short_month(period: Period) -> str:
    """A month as a chart's axis names it ("Mar")."""
    return format_date(period.start, "LLL")
