"""The access world of tests/access, with an API token for each of its people."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from grievance.access.tokens import create_token
from grievance.extensions import db
from grievance.models import User
from tests.access import world as worlds


@dataclass
class ApiWorld:
    world: worlds.World
    tokens: dict[str, str]

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def user(self, role: str) -> User:
        return db.session.scalar(select(User).where(User.email == self.world.emails[role]))


@pytest.fixture
def api(app) -> ApiWorld:
    world = worlds.build()
    tokens = {}
    for role, email in world.emails.items():
        user = db.session.scalar(select(User).where(User.email == email))
        tokens[role] = create_token(user, "tests")[1]
    db.session.commit()
    return ApiWorld(world, tokens)


@pytest.fixture
def call(client, api):
    """call(role, method, path, **kwargs): the API as one of the world's people calls it."""

    def request(role: str | None, method: str, path: str, **kwargs):
        headers = {**(api.headers(role) if role else {}), **kwargs.pop("headers", {})}
        return client.open(path, method=method, headers=headers, **kwargs)

    return request
