"""The disclosure rule, in one place: every figure a page, CSV file, chart or API answer shows
has been through here.

- Count distinct workers, not cases: one worker with five cases must not make a cell look safe.
- A count of 1 to ``min_workers - 1`` workers is shown as "fewer than ``min_workers``"; 0 is 0.
- A share, median or percentile needs ``min_workers_for_statistics`` workers behind it.
- Where shown figures add up to a shown total, a hidden cell is never alone: the next smallest
  is hidden too, until no hidden value can be recovered by subtraction.
- A comparison with the country's average needs ``benchmark_min_others`` other factories,
  none of them holding more than ``benchmark_max_share`` of it.

The thresholds are settings (config.DISCLOSURE_FLOORS): a deployment may make them stricter,
never looser.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import Hashable, Mapping

from flask import current_app, has_app_context

from grievance.config import DISCLOSURE_FLOORS
from grievance.summaries.sums import TENTHS
from grievance.summaries.tables import (BENCHMARK, COMPLEMENTARY, COUNT, DAYS, NO_DATA, RATE, SHARE, SMALL, TOO_FEW,
                                        Figure)


@dataclass(frozen=True)
class Thresholds:
    min_workers: int = 5
    min_workers_for_statistics: int = 10
    benchmark_min_others: int = 3
    benchmark_max_share: float = 0.85


def thresholds() -> Thresholds:
    """The thresholds in force: the app's settings, never looser than the floors."""
    if not has_app_context():
        return Thresholds()
    config = current_app.config

    def value(name: str):
        floor, raises = DISCLOSURE_FLOORS[name]
        configured = config.get(name, floor)
        return max(configured, floor) if raises else min(configured, floor)

    return Thresholds(min_workers=value("DISCLOSURE_MIN_WORKERS"),
                      min_workers_for_statistics=value("DISCLOSURE_MIN_WORKERS_FOR_STATISTICS"),
                      benchmark_min_others=value("DISCLOSURE_BENCHMARK_MIN_OTHERS"),
                      benchmark_max_share=value("DISCLOSURE_BENCHMARK_MAX_SHARE"))


# -- one figure of each kind -------------------------------------------------------------------

def count_figure(workers: int, limits: Thresholds | None = None) -> Figure:
    """Distinct workers: 0 is shown as 0, 1 to min_workers - 1 as "fewer than 5"."""
    limits = limits or thresholds()
    if workers <= 0:
        return Figure(COUNT, 0, 0)
    if workers < limits.min_workers:
        return Figure(COUNT, None, None, SMALL)
    return Figure(COUNT, workers, workers)


def statistic_n(workers: int, limits: Thresholds) -> int:
    """The n a share, median or percentile carries: the workers behind it rounded down to a
    multiple of min_workers ("n ≥ 10"). An exact n would be a count of its own, beside counts
    the grid hides: 12 workers behind a share next to a hidden count of 12 gives the count back."""
    return workers - workers % limits.min_workers


def share_figure(part: int, whole: int, workers: int, limits: Thresholds | None = None, *,
                 of_workers: bool = False) -> Figure:
    """``part`` of ``whole`` (cases or workers) as 0.00–1.00, rounded once here so that page,
    CSV and API agree, with the distinct workers behind it (as ``statistic_n``).

    A share of workers (who gave their name, who were satisfied) is a count in disguise: with
    25 % of 12, three did. It is hidden when the part or the rest is 1 to min_workers - 1
    workers, as a count of them would be."""
    limits = limits or thresholds()
    if whole <= 0:
        return Figure(SHARE, None, None, NO_DATA)
    if workers < limits.min_workers_for_statistics:
        return Figure(SHARE, None, None, TOO_FEW)
    if of_workers and (0 < part < limits.min_workers or 0 < whole - part < limits.min_workers):
        return Figure(SHARE, None, None, TOO_FEW)
    return Figure(SHARE, round(part / whole, 2), statistic_n(workers, limits))


def percentile(histogram: Mapping[int, int], fraction: float) -> float | None:
    """The nearest-rank percentile, in days, of a histogram of cases per tenth of a day."""
    total = sum(count for count in histogram.values() if count > 0)
    if total == 0:
        return None
    rank, seen = max(1, math.ceil(fraction * total)), 0
    for tenths in sorted(histogram):
        seen += max(histogram[tenths], 0)
        if seen >= rank:
            return tenths / TENTHS
    return None  # pragma: no cover - the ranks always end inside the histogram


def days_figure(histogram: Mapping[int, int], workers: int, fraction: float,
                limits: Thresholds | None = None) -> Figure:
    """A median (0.5) or 90th percentile (0.9) of working days, with its distinct workers."""
    limits = limits or thresholds()
    value = percentile(histogram, fraction)
    if value is None:
        return Figure(DAYS, None, None, NO_DATA)
    if workers < limits.min_workers_for_statistics:
        return Figure(DAYS, None, None, TOO_FEW)
    return Figure(DAYS, value, statistic_n(workers, limits))


def rate_figure(count: Figure, headcount: int | None) -> Figure:
    """Per 1,000 of the headcount, from an already suppressed count: the headcount is known, so
    a rate would give back any count that is hidden."""
    if not headcount:
        return Figure(RATE, None, None, NO_DATA)
    if not count.shown:
        return Figure(RATE, None, None, count.suppressed)
    return Figure(RATE, round(count.value * 1000 / headcount, 1), count.n)


def benchmark_figure(figure: Figure, contributions: list[int], limits: Thresholds | None = None) -> Figure:
    """A figure about the country's other factories, given the workers behind it in each of
    them: hidden unless enough of them contribute and none dominates."""
    limits = limits or thresholds()
    contributing = [workers for workers in contributions if workers > 0]
    total = sum(contributing)
    if (len(contributing) < limits.benchmark_min_others
            or max(contributing) > limits.benchmark_max_share * total):
        return Figure(figure.kind, None, None, BENCHMARK)
    return figure


# -- complementary suppression -----------------------------------------------------------------

Key = Hashable


@dataclass(frozen=True)
class Relation:
    """``total`` is the sum of ``parts`` (at most: distinct workers only hide more)."""

    total: Key
    parts: tuple[Key, ...]


def suppress(values: Mapping[Key, int], relations: list[Relation],
             limits: Thresholds | None = None) -> dict[Key, Figure]:
    """Counts through the primary rule, then complementary suppression: while some relation has
    exactly one hidden cell, or hidden cells a reader could pin down (``_pinned``), hide its
    smallest shown non-zero part (a hidden 0 protects nothing: a reader who knows the others
    are 0 or at least 5 would still recover the small one), else its total; until every
    relation has no hidden cell or at least two that cannot be worked out.

    Relations are visited in their order, pass after pass, as a plain loop over all of them
    would; only those with a cell hidden since they were last looked at are looked at again
    (a grid of 200 factories has thousands of relations)."""
    limits = limits or thresholds()
    figures = {key: count_figure(value, limits) for key, value in values.items()}
    order = {key: index for index, key in enumerate(values)}
    touching: dict[Key, list[int]] = {}
    for index, relation in enumerate(relations):
        for key in (relation.total, *relation.parts):
            touching.setdefault(key, []).append(index)
    this_pass, next_pass = list(range(len(relations))), []
    queued = set(this_pass)
    while this_pass:
        while this_pass:
            index = heapq.heappop(this_pass)
            queued.discard(index)
            chosen = _to_hide(relations[index], values, figures, order, limits)
            if chosen is None:
                continue
            figures[chosen] = Figure(COUNT, None, None, COMPLEMENTARY)
            for other in touching[chosen]:
                if other not in queued:
                    queued.add(other)
                    heapq.heappush(this_pass if other > index else next_pass, other)
        this_pass, next_pass = next_pass, []
        heapq.heapify(this_pass)
    return figures


def _to_hide(relation: Relation, values: Mapping[Key, int], figures: dict[Key, Figure], order: dict,
             limits: Thresholds) -> Key | None:
    """The cell this relation needs hidden next, if any."""
    hidden = sum(not figures[key].shown for key in (relation.total, *relation.parts))
    if hidden == 0 or (hidden > 1 and not _pinned(relation, values, figures, limits)):
        return None
    candidates = [key for key in relation.parts if figures[key].shown and values[key] > 0]
    if candidates:
        return min(candidates, key=lambda key: (values[key], order[key]))
    if figures[relation.total].shown:
        return relation.total
    return None  # the one hidden cell is the total and every part is 0: nothing to recover


def _pinned(relation: Relation, values: Mapping[Key, int], figures: dict[Key, Figure], limits: Thresholds) -> bool:
    """Whether the hidden parts of a relation whose total is shown can still be worked out
    from what a reader knows: the shown cells, and that a "fewer than" cell holds 1 to
    min_workers - 1 and a cell hidden to protect it holds at least min_workers (a shown cell is
    0 or at least min_workers, and a hidden 0 is never chosen). Hidden cells worth 6 in all,
    one "fewer than 5" and one hidden beside it, can only be 1 and 5."""
    if not figures[relation.total].shown:
        return False
    hidden = [key for key in relation.parts if not figures[key].shown]
    left = values[relation.total] - sum(values[key] for key in relation.parts if figures[key].shown)
    bounds = [(1, limits.min_workers - 1) if figures[key].suppressed == SMALL else (limits.min_workers, left)
              for key in hidden]
    lows, highs = sum(low for low, _ in bounds), sum(high for _, high in bounds)
    for low, high in bounds:
        # What the others leave this one: at least what their most leaves, at most what their least does.
        if max(low, left - (highs - high)) >= min(high, left - (lows - low)):
            return True
    return False
