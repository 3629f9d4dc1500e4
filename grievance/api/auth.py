"""Bearer tokens only: a signed-in browser's session cookie never authenticates an API call
(a page on another site could otherwise make her browser call the API), so the API needs no CSRF
token, and what it answers is never cached."""

from __future__ import annotations

import hashlib

from flask import current_app, g, request
from flask_smorest import Blueprint, abort
from flask_limiter.util import get_remote_address

from grievance.access.viewer import Viewer
from grievance.extensions import csrf, db, limiter

_CHALLENGE = 'Bearer realm="grievance"'


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def api_viewer() -> Viewer:
    """This request's Viewer, from its bearer token (set by ``authenticate``)."""
    return g.api_viewer


def authenticate() -> None:
    """Before every API view: the token's owner, or a 401 that says how to authenticate."""
    token = bearer_token()
    if token is None:
        abort(401, message="A bearer token is required (Authorization: Bearer <token>).",
              headers={"WWW-Authenticate": _CHALLENGE})
    viewer = Viewer.for_token(token)
    if not viewer.is_authenticated:
        db.session.rollback()
        abort(401, message="The token is unknown, revoked, or its owner's account is deactivated.",
              headers={"WWW-Authenticate": f'{_CHALLENGE}, error="invalid_token"'})
    db.session.commit()  # when the token was last used (tokens list shows it)
    g.api_viewer = g.viewer = viewer


def rate_limit_key() -> str:
    """Per token (its hash: the token itself is kept out of Redis), else per address."""
    token = bearer_token()
    if token:
        return "api-token:" + hashlib.sha256(token.encode()).hexdigest()
    return "api-address:" + get_remote_address()


def protected(blueprint: Blueprint) -> Blueprint:
    """Bearer tokens, no CSRF token (no cookie is ever read, so none can be forged) and a
    per-token rate limit, for every view of the blueprint."""
    blueprint.before_request(authenticate)
    csrf.exempt(blueprint)
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(blueprint)
    return blueprint
