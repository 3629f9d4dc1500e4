"""What `pip install .` installs answers every worker in her language, wherever it runs from."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from cryptography.fernet import Fernet

from grievance.i18n.worker import WORKER_TEXTS

ROOT = Path(__file__).resolve().parent.parent

# Run by a fresh interpreter, outside the checkout, with the installed package first on its path.
PIPELINE = textwrap.dedent("""
    import json, sys
    import grievance
    from flask_migrate import upgrade
    from sqlalchemy import select
    from grievance import create_app
    from grievance.channels.base import InboundMessage
    from grievance.channels.ingest import accept_inbound
    from grievance.cli import add_factory
    from grievance.extensions import db
    from grievance.tasks.inbound import process_inbound
    from grievance.models import Message

    app = create_app()
    with app.app_context():
        upgrade()
        add_factory("IDN-0001", "PT Contoh Garmen", "ID", None, ["+622150000001"])
        add_factory("KHM-0001", "Angkor Apparel", "KH", None, ["+85523900001"])
        db.session.commit()
        texts = [("+6281298765432", "+622150000001", "Saya belum menerima upah lembur bulan ini"),
                 ("+85512345678", "+85523900001", "ខ្ញុំមិនទាន់បានទទួលប្រាក់ខែទេ")]
        replies = {}
        for number, (sender, to, body) in enumerate(texts):
            message_id = accept_inbound(InboundMessage("twilio", f"SM{number:032x}", "sms", sender, to, body))
            process_inbound(message_id)  # as the worker process would (Redis is not here)
            reply = db.session.scalars(select(Message).where(Message.direction == "outbound")
                                       .order_by(Message.id.desc())).first()
            replies[reply.language] = {"purpose": reply.purpose, "body": reply.body}
        ready = app.test_client().get("/readyz").get_json()
    print(json.dumps({"package": grievance.__file__, "mode": app.config["GRIEVANCE_ENV"],
                      "replies": replies, "readyz": ready}))
""")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The project installed non-editably, as a deployment installs it (dependencies are already here)."""
    target = tmp_path_factory.mktemp("install") / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-compile", "--target", str(target), str(ROOT)],
                   check=True, cwd=ROOT, capture_output=True, timeout=300)
    return target


def production_env(site: Path, scratch: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("GRIEVANCE_", "TWILIO_", "DATABASE_", "REDIS_", "SECRET_", "PUBLIC_"))}
    return {**keep, "PYTHONPATH": str(site),  # GRIEVANCE_ENV unset: production, the default
            "SECRET_KEY": "install-test", "GRIEVANCE_DATA_KEY": Fernet.generate_key().decode(),
            "DATABASE_URL": f"sqlite:///{scratch / 'grievance.db'}",
            "REDIS_URL": "redis://127.0.0.1:1/0",  # required in production; unreachable is fine here
            "PUBLIC_BASE_URL": "https://grievance.example.org",
            "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "token",
            "TWILIO_API_BASE_URL": "http://127.0.0.1:9", "SPOOL_DIR": str(scratch / "spool")}


def translated(language: str, purpose: str) -> str:
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale=language)
    return catalog[WORKER_TEXTS[purpose]].string


def test_an_installed_service_acknowledges_in_indonesian_and_khmer(installed, tmp_path):
    run = subprocess.run([sys.executable, "-c", PIPELINE], cwd=tmp_path, env=production_env(installed, tmp_path),
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["package"].startswith(str(installed))  # not the checkout
    assert result["mode"] == "production"
    english = WORKER_TEXTS["acknowledgement"].split("%(")[0]
    for language in ("id", "km"):
        reply = result["replies"][language]
        assert reply["purpose"] == "acknowledgement"
        assert not reply["body"].startswith(english), reply["body"]
        assert reply["body"].startswith(translated(language, "acknowledgement").split("%(")[0]), reply["body"]
    assert any("\u1780" <= char <= "\u17ff" for char in result["replies"]["km"]["body"])
    assert result["readyz"]["checks"]["translations"] == "ok"


def test_an_install_without_a_compiled_catalog_stops_the_release_and_the_start(installed, tmp_path):
    khmer = installed / "grievance" / "translations" / "km" / "LC_MESSAGES" / "messages.mo"
    saved = khmer.read_bytes()
    khmer.unlink()
    try:
        env = production_env(installed, tmp_path)
        check = subprocess.run([sys.executable, "-m", "flask", "--app", "grievance", "translations", "check"],
                               cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        web = subprocess.run([sys.executable, "-c", "import grievance; grievance.create_app()"],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    finally:
        khmer.write_bytes(saved)
    assert check.returncode != 0 and "km: no compiled catalog" in check.stderr
    assert web.returncode != 0 and "ConfigurationError" in web.stderr and "km: no compiled catalog" in web.stderr
