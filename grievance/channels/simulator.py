"""The built-in channel for demos and development: a phone on a web page.

Outbound messages are not sent anywhere; marking them delivered is what makes them
appear on the simulated phone, which reads them back from the database.
"""

from __future__ import annotations

import uuid

from flask import current_app

from grievance.channels.base import OutboundMessage, SendResult, register
from grievance.models.message import DELIVERED


class SimulatorChannel:
    name = "simulator"
    provider = "simulator"
    channel = "*"  # the simulated phone takes SMS and WhatsApp alike

    def available(self) -> bool:
        return bool(current_app.config.get("SIMULATOR_ENABLED"))

    def send(self, message: OutboundMessage) -> SendResult:
        return SendResult(provider_id="SIM" + uuid.uuid4().hex, status=DELIVERED)


register(SimulatorChannel())
