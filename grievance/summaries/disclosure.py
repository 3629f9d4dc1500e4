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

from dataclasses import dataclass

from flask import current_app, has_app_context

from grievance.config import DISCLOSURE_FLOORS


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
