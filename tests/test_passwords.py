"""Password hashing: argon2 loaded only when used; a fast profile for tests, refused in production."""

from __future__ import annotations

import subprocess
import sys

import pytest

from grievance.config import ConfigurationError, check_settings
from grievance.passwords import _hasher_for, verify_password


def test_importing_the_app_does_not_import_argon2():
    code = "import sys, grievance, grievance.passwords, grievance.web.auth; print('argon2' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_either_profile_verifies_the_others_hashes(app):
    fast = _hasher_for("fast").hash("a long enough password")
    standard = _hasher_for("standard").hash("a long enough password")
    assert "m=8," in fast and "m=8," not in standard
    assert verify_password(fast, "a long enough password") and verify_password(standard, "a long enough password")
    assert not verify_password(fast, "another password") and not verify_password(None, "a long enough password")


def test_production_refuses_the_fast_profile():
    config = {"GRIEVANCE_ENV": "production", "SECRET_KEY": "k", "PASSWORD_HASH_PROFILE": "fast",
              "GRIEVANCE_DATA_KEY": "mPZWK5rZhNQs0n2UZFlyvPl0uuWVf2yG6LBcK1ONqHs="}
    with pytest.raises(ConfigurationError, match="PASSWORD_HASH_PROFILE"):
        check_settings(config, serving=False)
