"""Settings from the environment, with the embedded defaults of DESIGN.md §2."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet



class ConfigurationError(RuntimeError):
    """A setting is missing or wrong; the message names each one."""


MODES = ("production", "development")
# What a serving process (web, worker, cron) cannot work without in production, beside the keys.
SERVING_NEEDS = {
    "REDIS_URL": "Redis, for the worker and cron processes (deadline sweeps, retries) and rate limits "
                 "shared by every web process",
    "PUBLIC_BASE_URL": "the URL Twilio calls, to check its signatures and build status-callback URLs",
}


def valid_fernet_key(value: str) -> bool:
    try:
        Fernet(value)
    except (ValueError, TypeError):
        return False
    return True


def check_settings(config: dict[str, Any], serving: bool = True) -> None:
    """Refuse to start rather than lose messages later: name everything missing or invalid.

    Every mode needs a valid data key. Production needs both keys set, and, when the process
    serves (web, worker, cron; not the `flask` commands of a release or an operator), Redis,
    PUBLIC_BASE_URL and Twilio credentials (unless the simulator is on instead).
    """
    problems: list[str] = []
    production = config["GRIEVANCE_ENV"] == "production"
    if production:
        for name in ("SECRET_KEY", "GRIEVANCE_DATA_KEY"):
            if not config.get(name):
                problems.append(f"{name} is not set (required in production)")
    data_key = config.get("GRIEVANCE_DATA_KEY")
    if data_key and not valid_fernet_key(data_key):
        problems.append("GRIEVANCE_DATA_KEY is not a valid Fernet key (32 url-safe base64-encoded bytes; "
                        "make one with: python -c 'from cryptography.fernet import Fernet; "
                        "print(Fernet.generate_key().decode())')")
    for name in ("GRIEVANCE_HASH_KEY", "GRIEVANCE_PREVIOUS_DATA_KEYS", "GRIEVANCE_PREVIOUS_HASH_KEYS"):
        keys = [key.strip() for key in (config.get(name) or "").split(",") if key.strip()]
        if any(not valid_fernet_key(key) for key in keys):
            problems.append(f"{name} holds a value that is not a key of the same form as GRIEVANCE_DATA_KEY "
                            "(32 url-safe base64-encoded bytes)")
    profile = config.get("PASSWORD_HASH_PROFILE", "standard")
    if profile not in ("standard", "fast") or (production and profile != "standard"):
        problems.append(f"PASSWORD_HASH_PROFILE {profile!r} is not allowed here (production: standard only)")
    for name, (floor, raises) in DISCLOSURE_FLOORS.items():
        value = config.get(name, floor)
        if not isinstance(value, (int, float)) or (value < floor if raises else value > floor):
            problems.append(f"{name} is {value!r}: it may be made stricter, never looser, than {floor}")
    if production and serving:
        for name, why in SERVING_NEEDS.items():
            if not config.get(name):
                problems.append(f"{name} is not set: production needs {why}")
        if not (config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_AUTH_TOKEN")) \
                and not config.get("SIMULATOR_ENABLED"):
            problems.append("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set (and the simulator is off): "
                            "production has no way to receive or send messages")
    if problems:
        raise ConfigurationError("cannot start in %s mode: %s" % (config["GRIEVANCE_ENV"], "; ".join(problems)))


# The disclosure rule's thresholds (summaries/disclosure.py): the least each may be, and whether
# stricter means higher (a count, a number of factories) or lower (the share one factory may hold).
DISCLOSURE_FLOORS = {
    "DISCLOSURE_MIN_WORKERS": (5, True),
    "DISCLOSURE_MIN_WORKERS_FOR_STATISTICS": (10, True),
    "DISCLOSURE_BENCHMARK_MIN_OTHERS": (3, True),
    "DISCLOSURE_BENCHMARK_MAX_SHARE": (0.85, False),
}


PACKAGE_CATALOGS = Path(__file__).resolve().parent / "translations"  # in an installed package
SOURCE_CATALOGS = Path(__file__).resolve().parent.parent / "translations"  # in a source checkout
# The channel modules a deployment loads unless CHANNELS names others (comma-separated).
DEFAULT_CHANNELS = ("twilio-sms", "twilio-whatsapp", "simulator")


def catalog_dir() -> Path:
    """The compiled Babel catalogs: the installed ones when there are any, else the checkout's."""
    return PACKAGE_CATALOGS if PACKAGE_CATALOGS.is_dir() else SOURCE_CATALOGS


def _names(value: str | list | tuple | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None or value == "":
        return default
    if isinstance(value, str):
        value = value.split(",")
    return tuple(name.strip() for name in value if name.strip())


def _flag(value: str | bool | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _read_or_create(path: Path, make: callable) -> str:
    """A secret generated once into instance/ so development restarts keep sessions and data."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def normalize_database_url(url: str) -> str:
    """psycopg 3 is the driver we install; plain postgres URLs would ask for psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config(instance_path: str, overrides: dict[str, Any] | None = None,
                serving: bool = True) -> dict[str, Any]:
    env = os.environ
    overrides = dict(overrides or {})
    # Production unless told otherwise: a deployment that forgets the setting stays safe.
    mode = (overrides.get("GRIEVANCE_ENV") or env.get("GRIEVANCE_ENV") or "production").strip().lower()
    if mode not in MODES:
        raise ConfigurationError(f"GRIEVANCE_ENV must be 'production' or 'development', not {mode!r}")
    production = mode == "production"
    instance = Path(instance_path)

    def setting(name: str, default: Any = None) -> Any:
        if name in overrides:
            return overrides[name]
        return env.get(name) or default

    secret_key = setting("SECRET_KEY")
    data_key = setting("GRIEVANCE_DATA_KEY")
    if not production and not secret_key:
        secret_key = _read_or_create(instance / "secret_key", lambda: secrets.token_urlsafe(48))
    if not production and not data_key:
        data_key = _read_or_create(instance / "data_key", lambda: Fernet.generate_key().decode())

    database_url = setting("DATABASE_URL") or f"sqlite:///{instance / 'grievance.db'}"
    redis_url = setting("REDIS_URL") or None
    config: dict[str, Any] = {
        "GRIEVANCE_ENV": mode,
        "SECRET_KEY": secret_key,
        "GRIEVANCE_DATA_KEY": data_key,
        # Key rotation (flask keys rotate): keys still read while values move to the current ones,
        # and the lookup hash's own key (derived from the data key when unset).
        "GRIEVANCE_PREVIOUS_DATA_KEYS": setting("GRIEVANCE_PREVIOUS_DATA_KEYS"),
        "GRIEVANCE_HASH_KEY": setting("GRIEVANCE_HASH_KEY"),
        "GRIEVANCE_PREVIOUS_HASH_KEYS": setting("GRIEVANCE_PREVIOUS_HASH_KEYS"),
        "SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url),
        # Error messages must not carry a worker's words or encrypted number.
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        # A pooled connection unused this long is tested before use (one round trip); one in
        # steady use is not, so a busy webhook pays nothing for it (see _init_pool_ping).
        "POOL_PING_IDLE_SECONDS": float(setting("POOL_PING_IDLE_SECONDS", 1)),
        "REDIS_URL": redis_url,
        # How long a process trusts that a number it found is still one of ours (channels/endpoints.py).
        "ENDPOINT_CACHE_SECONDS": float(setting("ENDPOINT_CACHE_SECONDS", 5)),
        "TWILIO_ACCOUNT_SID": setting("TWILIO_ACCOUNT_SID"),
        "TWILIO_AUTH_TOKEN": setting("TWILIO_AUTH_TOKEN"),
        "TWILIO_API_BASE_URL": setting("TWILIO_API_BASE_URL", "https://api.twilio.com"),
        "TWILIO_CONTENT_BASE_URL": setting("TWILIO_CONTENT_BASE_URL", "https://content.twilio.com"),
        # Messages per second each sender number may send (Twilio: about 1 for an SMS long code).
        "SEND_RATE_SMS": float(setting("SEND_RATE_SMS", 1)),
        "SEND_RATE_WHATSAPP": float(setting("SEND_RATE_WHATSAPP", 20)),
        "INBOUND_PER_WORKER_PER_HOUR": int(setting("INBOUND_PER_WORKER_PER_HOUR", 20)),
        # Surveys: at most this many survey and announcement messages to one worker a month;
        # what one SMS segment and one WhatsApp message cost (a run's plan shows the total).
        "SURVEY_MESSAGES_PER_MONTH": int(setting("SURVEY_MESSAGES_PER_MONTH", 30)),
        "SMS_SEGMENT_PRICE": float(setting("SMS_SEGMENT_PRICE", 0.05)),
        "WHATSAPP_MESSAGE_PRICE": float(setting("WHATSAPP_MESSAGE_PRICE", 0.03)),
        "PRICE_CURRENCY": setting("PRICE_CURRENCY", "USD"),
        # A run sends its invitations in batches of this many seconds' worth at the sender's rate.
        "SURVEY_BATCH_SECONDS": float(setting("SURVEY_BATCH_SECONDS", 10)),
        # The requeue round: a message no job finished after this long gets another job; a reply
        # left "sending" this long is asked about at the provider (a job killed mid-send).
        "REQUEUE_STALE_SECONDS": int(setting("REQUEUE_STALE_SECONDS", 60)),
        "REQUEUE_INTERRUPTED_SECONDS": int(setting("REQUEUE_INTERRUPTED_SECONDS", 600)),
        "MEDIA_MAX_BYTES": int(setting("MEDIA_MAX_BYTES", 5 * 1024 * 1024)),
        "PUBLIC_BASE_URL": setting("PUBLIC_BASE_URL"),
        # How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (0: none trusted).
        "PROXY_FIX_X_FOR": int(setting("PROXY_FIX_X_FOR", 0)),
        # The channel modules loaded at start (each registers by name; channels/base.py).
        "CHANNELS": _names(setting("CHANNELS"), DEFAULT_CHANNELS),
        "SIMULATOR_ENABLED": _flag(setting("SIMULATOR_ENABLED"), default=not production),
        "SPOOL_DIR": setting("SPOOL_DIR", str(instance / "spool")),
        # Twilio caps an inbound SMS at 1,600 characters and WhatsApp at 4,096.
        "INBOUND_BODY_MAX_CHARS": int(setting("INBOUND_BODY_MAX_CHARS", 4096)),
        "MAX_CONTENT_LENGTH": 256 * 1024,
        # Mail to people about their cases: "console" prints it, "smtp" sends it.
        "MAIL_BACKEND": setting("MAIL_BACKEND", "smtp" if setting("SMTP_HOST") else "console"),
        "SMTP_HOST": setting("SMTP_HOST"),
        "SMTP_PORT": int(setting("SMTP_PORT", 587)),
        "SMTP_USERNAME": setting("SMTP_USERNAME"),
        "SMTP_PASSWORD": setting("SMTP_PASSWORD"),
        "SMTP_STARTTLS": _flag(setting("SMTP_STARTTLS"), default=True),
        "MAIL_FROM": setting("MAIL_FROM", "grievance@localhost"),
        # Without Redis (no cron process), the web process runs the periodic rounds itself.
        # With Redis, the webhook stores only and the worker processes' dispatcher enqueues
        # (tasks/dispatch.py); off, the webhook enqueues each message itself after its commit.
        "INBOUND_DISPATCHER": _flag(setting("INBOUND_DISPATCHER"), default=bool(redis_url)),
        "DISPATCH_POLL_SECONDS": float(setting("DISPATCH_POLL_SECONDS", 0.05)),
        # The dispatcher hands messages over only while the queue holds fewer jobs than this.
        "DISPATCH_AHEAD": int(setting("DISPATCH_AHEAD", 1)),
        # A job processes up to this many stored messages in one transaction, then sends their
        # replies itself, this many at once (tasks/inbound.py).
        "INBOUND_BATCH": int(setting("INBOUND_BATCH", 20)),
        "REPLY_SEND_THREADS": int(setting("REPLY_SEND_THREADS", 4)),
        "IN_PROCESS_ROUNDS": _flag(setting("IN_PROCESS_ROUNDS"), default=not redis_url and not production),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(catalog_dir()),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,
        # "fast" makes password hashing cheap, for the test suite; production refuses it.
        "PASSWORD_HASH_PROFILE": setting("PASSWORD_HASH_PROFILE", "standard"),
        # A sign-in ends after this many minutes without a request (a PICC member's shared phone).
        "SESSION_IDLE_MINUTES": int(setting("SESSION_IDLE_MINUTES", 30)),
        # Summaries: a count of fewer workers than this shows as "fewer than N"; a share, median
        # or percentile needs this many workers behind it; a country comparison needs this many
        # other factories, none holding more than this share of it. Stricter only (DISCLOSURE_FLOORS).
        "DISCLOSURE_MIN_WORKERS": int(setting("DISCLOSURE_MIN_WORKERS", 5)),
        "DISCLOSURE_MIN_WORKERS_FOR_STATISTICS": int(setting("DISCLOSURE_MIN_WORKERS_FOR_STATISTICS", 10)),
        "DISCLOSURE_BENCHMARK_MIN_OTHERS": int(setting("DISCLOSURE_BENCHMARK_MIN_OTHERS", 3)),
        "DISCLOSURE_BENCHMARK_MAX_SHARE": float(setting("DISCLOSURE_BENCHMARK_MAX_SHARE", 0.85)),
    }
    config.update({k: v for k, v in overrides.items() if k not in {"DATABASE_URL"}})
    if "DATABASE_URL" in overrides:
        config["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(overrides["DATABASE_URL"])
    config["GRIEVANCE_ENV"] = mode
    check_settings(config, serving=serving)
    return config
