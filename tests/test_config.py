"""Production is the default, and it refuses to start without what it cannot work without."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from grievance import create_app
from grievance.config import ConfigurationError, load_config

SETTINGS = ("GRIEVANCE_ENV", "SECRET_KEY", "GRIEVANCE_DATA_KEY", "REDIS_URL", "PUBLIC_BASE_URL",
            "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "SIMULATOR_ENABLED", "DATABASE_URL")


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    return tmp_path


def production_settings(**changes) -> dict:
    settings = {
        "SECRET_KEY": "a-secret", "GRIEVANCE_DATA_KEY": Fernet.generate_key().decode(),
        "REDIS_URL": "redis://127.0.0.1:6379/11", "PUBLIC_BASE_URL": "https://grievance.example.org",
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "token",
    }
    settings.update(changes)
    return {name: value for name, value in settings.items() if value is not None}


def test_without_grievance_env_it_is_production_and_names_everything_missing(clean_env):
    with pytest.raises(ConfigurationError) as refused:
        create_app()
    message = str(refused.value)
    assert "production" in message
    for name in ("SECRET_KEY", "GRIEVANCE_DATA_KEY", "REDIS_URL", "PUBLIC_BASE_URL", "TWILIO_ACCOUNT_SID"):
        assert name in message
    assert not (clean_env / "instance").exists()  # no key was generated for it


def test_production_with_everything_starts_with_the_simulator_off(clean_env, monkeypatch):
    for name, value in production_settings().items():
        monkeypatch.setenv(name, value)
    app = create_app()
    assert app.config["GRIEVANCE_ENV"] == "production" and not app.config["SIMULATOR_ENABLED"]
    assert app.test_client().get("/simulator").status_code == 404


@pytest.mark.parametrize("missing", ["REDIS_URL", "PUBLIC_BASE_URL", "SECRET_KEY", "TWILIO_AUTH_TOKEN"])
def test_production_names_the_one_thing_missing(clean_env, missing):
    with pytest.raises(ConfigurationError, match=missing):
        load_config(str(clean_env), production_settings(**{missing: None}))


def test_production_with_the_simulator_instead_of_twilio_starts(clean_env):
    config = load_config(str(clean_env), production_settings(
        TWILIO_ACCOUNT_SID=None, TWILIO_AUTH_TOKEN=None, SIMULATOR_ENABLED=True))
    assert config["GRIEVANCE_ENV"] == "production"


@pytest.mark.parametrize("mode", ["production", "development"])
def test_a_malformed_data_key_stops_the_start_in_every_mode(clean_env, mode):
    key = Fernet.generate_key().decode()[:-4] + "!!!="
    with pytest.raises(ConfigurationError, match="GRIEVANCE_DATA_KEY is not a valid Fernet key"):
        load_config(str(clean_env), production_settings(GRIEVANCE_ENV=mode, GRIEVANCE_DATA_KEY=key))


@pytest.mark.parametrize("name", ["GRIEVANCE_HASH_KEY", "GRIEVANCE_PREVIOUS_DATA_KEYS", "GRIEVANCE_PREVIOUS_HASH_KEYS"])
def test_a_malformed_rotation_key_stops_the_start(clean_env, name):
    listed = Fernet.generate_key().decode() + ",not-a-key"
    with pytest.raises(ConfigurationError, match=name):
        load_config(str(clean_env), production_settings(**{name: listed}))


def test_a_misspelt_mode_is_refused(clean_env):
    with pytest.raises(ConfigurationError, match="GRIEVANCE_ENV must be"):
        load_config(str(clean_env), {"GRIEVANCE_ENV": "prod"})


def test_the_release_commands_need_the_keys_but_not_redis_or_twilio(clean_env, monkeypatch):
    """The release's `flask db upgrade` runs where the web's settings may not all be present."""
    env_settings = production_settings(REDIS_URL=None, PUBLIC_BASE_URL=None, TWILIO_ACCOUNT_SID=None,
                                       TWILIO_AUTH_TOKEN=None)
    env = {**{k: v for k, v in os.environ.items() if k not in SETTINGS}, **env_settings,
           "DATABASE_URL": f"sqlite:///{clean_env / 'release.db'}"}
    flask = [sys.executable, "-m", "flask", "--app", "grievance"]
    upgraded = subprocess.run([*flask, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120)
    assert upgraded.returncode == 0, upgraded.stderr
    assert (clean_env / "release.db").exists()

    without_keys = {k: v for k, v in env.items() if k != "GRIEVANCE_DATA_KEY"}
    refused = subprocess.run([*flask, "db", "upgrade"], env=without_keys, capture_output=True, text=True,
                             timeout=120)
    assert refused.returncode != 0 and "GRIEVANCE_DATA_KEY is not set" in refused.stderr


def test_the_procfile_worker_refuses_to_start_without_its_settings(clean_env, require_redis):
    """`rq worker` with the Procfile's worker class builds the app first: a missing setting
    stops it at once, named, rather than failing every job it takes."""
    from pathlib import Path

    procfile = (Path(__file__).resolve().parent.parent / "Procfile").read_text()
    worker_line = next(line for line in procfile.splitlines() if line.startswith("worker:"))
    assert "--worker-class grievance.tasks.worker.AppWorker" in worker_line
    env = {**{k: v for k, v in os.environ.items() if k not in SETTINGS},
           **production_settings(PUBLIC_BASE_URL=None), "DATABASE_URL": f"sqlite:///{clean_env / 'w.db'}"}
    from tests.conftest import REDIS_URL

    rq = Path(sys.executable).parent / "rq"
    started = subprocess.run([str(rq), "worker", "--url", REDIS_URL, "--worker-class",
                              "grievance.tasks.worker.AppWorker", "--burst", "default"],
                             env=env, capture_output=True, text=True, timeout=120, cwd=clean_env)
    assert started.returncode != 0
    assert "PUBLIC_BASE_URL is not set" in started.stderr
