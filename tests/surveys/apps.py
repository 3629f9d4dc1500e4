"""The app of the survey's pipeline tests: its only channel is the simulator, so every reply is
sent and delivered here. A test module imports it (``from tests.surveys.apps import simulator_app``: a fixture named ``app``) in
place of conftest's."""

from __future__ import annotations

import pytest

from tests.conftest import _clean


@pytest.fixture(name="app")
def simulator_app(make_app):
    made = make_app(CHANNELS=("simulator",))
    _clean(made)
    with made.app_context():
        yield made
