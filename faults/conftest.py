"""Fault runs: `make faults`. Each test builds the production configuration on private parts
(faults/stack.py), breaks one of them under load and prints what came through."""

from __future__ import annotations

import os
import shutil

import pytest

from faults.stack import Stack

OUTAGE_SECONDS = float(os.environ.get("FAULT_OUTAGE_SECONDS", "30"))


def _missing() -> list[str]:
    needed = ["redis-server", "runuser"] if os.geteuid() == 0 else ["redis-server"]
    return [tool for tool in needed if shutil.which(tool) is None]


@pytest.fixture
def make_stack(tmp_path):
    if _missing():
        pytest.fail(f"the fault runs need {', '.join(_missing())}")
    made = []

    def make(**options) -> Stack:
        stack = Stack(tmp_path / f"stack{len(made)}", **options)
        made.append(stack)
        return stack

    yield make
    for stack in made:
        stack.close()
