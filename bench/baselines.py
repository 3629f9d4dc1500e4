"""What bench/ingest.py compares the webhook with, served by the same gunicorn settings.

- ``bare()``: a Flask endpoint that answers a POST with nothing, the floor of Flask under gunicorn;
- ``quickstart()``: Twilio's own quickstart for an inbound SMS: the signature checked with the
  SDK's RequestValidator, an empty TwiML answer, nothing stored.
"""

from __future__ import annotations

import os

from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse


def bare() -> Flask:
    app = Flask("bare")

    @app.post("/bare")
    def answer():
        return Response(status=204)

    return app


def quickstart() -> Flask:
    app = Flask("quickstart")
    validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])

    @app.post("/sms")
    def sms_reply():
        if not validator.validate(request.url, request.form, request.headers.get("X-Twilio-Signature", "")):
            abort(403)
        return Response(str(MessagingResponse()), mimetype="text/xml")

    return app
