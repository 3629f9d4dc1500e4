"""The catalogs: complete, placeholders intact, compiled, and in step with the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LOCALES = sorted(p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES" / "messages.po").exists())
PLACEHOLDER = re.compile(r"%\((\w+)\)s|\{(\w+)\}")


def catalog(locale: str):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


def frozen(value):
    """Plural messages come as lists from .mo files and as tuples from .po files."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def placeholders(text: str | tuple) -> list[str]:
    """The placeholders of a message; a plural message must keep them in every form."""
    if isinstance(text, (tuple, list)):
        forms = {tuple(placeholders(form)) for form in text}
        return list(forms.pop()) if len(forms) == 1 else ["<forms differ>"]
    return sorted(a or b for a, b in PLACEHOLDER.findall(text))


def test_the_template_holds_every_message_of_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "N_",
         "-o", str(fresh), "--no-location", "--sort-output", "grievance"],
        check=True, cwd=ROOT,
    )
    with open(fresh, "rb") as handle:
        in_code = {m.id for m in read_po(handle) if m.id}
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        in_template = {m.id for m in read_po(handle) if m.id}
    assert in_code - in_template == set(), "run: flask --app grievance translations extract && … update"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_with_its_placeholders(locale):
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    translated = {m.id: m.string for m in catalog(locale) if m.id and m.string and not m.fuzzy}
    assert wanted - set(translated) == set(), f"{locale} misses messages"
    broken = {msgid: text for msgid, text in translated.items() if placeholders(msgid) != placeholders(text)}
    assert broken == {}


@pytest.mark.parametrize("locale", LOCALES)
def test_the_compiled_catalog_matches_its_source(locale):
    mo = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo"
    assert mo.exists(), "run: flask --app grievance translations compile"
    with open(mo, "rb") as handle:
        compiled = {frozen(m.id): frozen(m.string) for m in read_mo(handle) if m.id}
    source = {frozen(m.id): frozen(m.string) for m in catalog(locale) if m.id and m.string and not m.fuzzy}
    assert compiled == source, "stale: run flask --app grievance translations compile"


def test_every_worker_text_in_every_language_fits_its_sms_budget(app):
    result = app.test_cli_runner().invoke(args=["sms-costs", "--over-budget"])
    assert result.exit_code == 0, "over budget:\n" + result.output


def test_the_cost_report_lists_every_text_in_every_language(app):
    from grievance.i18n.worker import WORKER_LANGUAGES, WORKER_TEXTS

    lines = app.test_cli_runner().invoke(args=["sms-costs"]).output.splitlines()[1:]
    assert len(lines) == len(WORKER_TEXTS) * len(WORKER_LANGUAGES)
    khmer_ack = next(line.split() for line in lines if line.startswith("acknowledgement  km"))
    assert khmer_ack[2:5] == ["UCS-2", "120", "2"]  # 120 UTF-16 units: two segments, not four
