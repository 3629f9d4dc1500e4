"""The JSON API, /api/v1: bearer tokens only, scoped by the Viewer, documented at
/api/v1/openapi.json (generated from grievance/schemas/api.py; no browsable UI is served)."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from grievance.api import errors

DESCRIPTION = (
    "Grievance cases, follow-up summaries and survey results, scoped to what the token's owner may "
    "see: anything else answers 404, whether or not it exists. Cases never carry a phone number, a name, a "
    "pseudonym, what a worker wrote, internal notes or attachments, at any grade. Create a token "
    "with `flask --app grievance tokens create EMAIL` and send it as `Authorization: Bearer <token>`."
)


class _Api(Api):
    def _register_error_handlers(self):
        """grievance.api.errors answers API errors; the pages keep their own error pages."""


def init_app(app: Flask) -> None:
    from grievance.api import cases, factories, summaries, surveys

    app.config.setdefault("API_TITLE", "grievance")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_RATE_LIMIT", "120 per minute")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": DESCRIPTION},
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    })
    api = _Api(app)
    errors.register(app)
    for blueprint in (cases.bp, factories.bp, summaries.bp, surveys.bp):
        api.register_blueprint(blueprint)
    app.after_request(_no_store)


def _no_store(response):
    if errors.is_api_request():
        response.headers["Cache-Control"] = "no-store"
    return response
