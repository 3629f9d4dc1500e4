"""Every answer under /api/ is JSON, errors too: a code, its name, a reason, and the fields at fault.

A 500 says nothing of what failed (the log has it, without anything personal: see
logging_setup); a 401 says how to authenticate; a 404 never says whether the thing exists.
"""

from __future__ import annotations

from http import HTTPStatus

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

API_PREFIX = "/api/"
# The reasons given for the codes whose werkzeug description speaks of browsers or servers.
REASONS = {
    400: "The request could not be read; `errors` names what is wrong.",
    401: "A valid bearer token is required (Authorization: Bearer <token>).",
    404: "There is nothing here, or the token's owner may not see it.",
    405: "This address does not take that method.",
    422: "Some parameters are not valid; `errors` names each, by where it was sent (query, json).",
    429: "Too many requests with this token; wait a minute and try again.",
    500: "The answer could not be made; nothing was changed. Try again in a moment.",
}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def json_error(error: Exception) -> Response:
    """The JSON answer for an error raised while answering an API request."""
    if not isinstance(error, HTTPException) or error.code is None or error.code >= 500:
        from grievance.extensions import db

        db.session.rollback()
        error = error if isinstance(error, HTTPException) and error.code else InternalServerError()
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    body = {"code": code, "status": HTTPStatus(code).phrase,
            "message": data.get("message") or _reason(error, code)}
    messages = data.get("messages") or data.get("errors")
    if messages and code < 500:
        body["errors"] = messages
    response = jsonify(body)
    response.status_code = code
    headers = data.get("headers") or {}
    if code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers = {**headers, "Allow": ", ".join(error.valid_methods)}
    response.headers.update(headers)
    return response


def _reason(error: HTTPException, code: int) -> str:
    described = error.description if error.description != type(error).description else None
    if described and code < 500:
        return str(described)
    return REASONS.get(code) or HTTPStatus(code).description or HTTPStatus(code).phrase


def register(app: Flask) -> None:
    """The pages' error handlers hand API requests to ``json_error`` (grievance/web/errors.py
    asks for it by this key, so the web need not import the API); codes the pages do not
    handle (401, 422...) come here directly."""
    app.extensions["grievance.api.json_error"] = json_error

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        return json_error(error) if is_api_request() else error
