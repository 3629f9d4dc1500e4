"""The raw sums behind every figure, for one factory, one period and one route (or several of
them added together). Counts are of distinct workers unless the name says cases. These never
leave the server as they are: report.py turns them into figures through disclosure.py.

Distinct workers add up across factories and routes as if nobody were in two of them (a worker
who wrote to two factories counts twice), and across categories or outcomes the same worker
counts in each she wrote about; suppression treats such sums as exact, which only hides more.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields

# Histograms of durations count cases per tenth of a working day.
TENTHS = 10


@dataclass
class Sums:
    # Cases opened in the period (in the factory's time zone), and who sent them.
    workers: int = 0
    cases: int = 0
    by_category: Counter = field(default_factory=Counter)  # category → workers
    by_outcome: Counter = field(default_factory=Counter)   # outcome code → workers (cases resolved)
    # Of those cases, the ones whose acknowledgement is due (acknowledged, or its deadline passed),
    # how many were acknowledged in time, and by how many workers they were sent.
    ack_due_workers: int = 0
    ack_due_cases: int = 0
    ack_in_time_cases: int = 0
    resolve_due_workers: int = 0
    resolve_due_cases: int = 0
    resolve_in_time_cases: int = 0
    # Working days from opening to acknowledgement and to resolution (the time the committee
    # waited for her answers left out): cases per tenth of a day, and their distinct workers.
    ack_days: Counter = field(default_factory=Counter)
    ack_days_workers: int = 0
    resolve_days: Counter = field(default_factory=Counter)
    resolve_days_workers: int = 0
    escalated: int = 0   # workers with a case that went up a level
    reopened: int = 0    # workers with a case reopened
    answered: int = 0    # workers who answered whether they were satisfied
    satisfied: int = 0   # of those, workers who said yes
    named: int = 0       # workers who chose to give their name
    repeat: int = 0      # workers who had written to this factory before, or wrote twice in the period

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, dict) and not isinstance(value, Counter):
                setattr(self, item.name, Counter(value))

    def __add__(self, other: "Sums") -> "Sums":
        added = Sums()
        for item in fields(self):
            mine, theirs = getattr(self, item.name), getattr(other, item.name)
            setattr(added, item.name, (Counter(mine) + Counter(theirs)) if isinstance(mine, dict) else mine + theirs)
        return added

    def as_dict(self) -> dict:
        return {item.name: (dict(getattr(self, item.name)) if isinstance(getattr(self, item.name), Counter)
                            else getattr(self, item.name)) for item in fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> "Sums":
        made = cls()
        for item in fields(cls):
            if item.name in data:
                value = data[item.name]
                if isinstance(getattr(made, item.name), Counter):
                    # JSON keys are strings; durations are kept as whole tenths.
                    value = Counter({(int(k) if item.name.endswith("_days") else k): v for k, v in value.items()})
                setattr(made, item.name, value)
        return made


@dataclass
class Now:
    """What is open at this moment (not a period's): workers with an open case, with one
    overdue, with one escalated."""

    open: int = 0
    overdue: int = 0
    escalated: int = 0

    def __add__(self, other: "Now") -> "Now":
        return Now(self.open + other.open, self.overdue + other.overdue, self.escalated + other.escalated)
