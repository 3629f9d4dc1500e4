"""Photos and documents a worker sent, fetched from Twilio for those who may see her case."""

from __future__ import annotations

from dataclasses import dataclass

import requests
from flask import current_app

from grievance.channels.twilio.sender import TWILIO_HOSTS

SAFE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", "audio/", "video/")


class MediaUnavailable(Exception):
    def __init__(self, reason: str, status: int = 502) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


@dataclass(frozen=True)
class Media:
    content: bytes
    content_type: str


def fetch_media(url: str) -> Media:
    """Fetch with the account's credentials, only from Twilio, at most MEDIA_MAX_BYTES."""
    config = current_app.config
    api = "https://api.twilio.com/"
    if not url.startswith(api):  # never let a stored URL make us fetch from elsewhere
        raise MediaUnavailable("not a Twilio media URL", 400)
    base = (config.get(TWILIO_HOSTS["https://api.twilio.com"]) or "https://api.twilio.com").rstrip("/")
    limit = config["MEDIA_MAX_BYTES"]
    try:
        with requests.get(base + "/" + url[len(api):], auth=(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"]),
                          stream=True, timeout=10) as response:
            if response.status_code != 200:
                raise MediaUnavailable(f"Twilio answered {response.status_code}")
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > limit:
                raise MediaUnavailable(f"larger than {limit} bytes", 413)
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise MediaUnavailable(f"larger than {limit} bytes", 413)
                chunks.append(chunk)
            content_type = response.headers.get("Content-Type", "application/octet-stream").split(";")[0]
    except requests.RequestException as error:
        raise MediaUnavailable(f"could not reach Twilio ({type(error).__name__})") from None
    return Media(b"".join(chunks), content_type)


def is_safe_inline(content_type: str) -> bool:
    return content_type.startswith(SAFE_TYPES)
