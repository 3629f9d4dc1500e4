"""Logs never carry a phone number, whoever writes them."""

from __future__ import annotations

import logging

from grievance.privacy import redact

_installed = False


def install_redaction() -> None:
    """Wrap the log record factory so every record's message is redacted once, for every handler."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave the record as logging would
            return record
        record.msg, record.args = redact(message), None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
