"""Where the compiled Babel catalogs are, and whether they can be trusted.

`translations/` at the top of a source checkout holds the `.po` files (and, after `make` or
`flask translations compile`, the `.mo` files). Building the package (`pip install .`, a
wheel) compiles them into `grievance/translations/`, beside a copy of each `.po`, so an
installed service answers in the worker's language wherever it runs from.

Babel quietly falls back to English when a catalog is missing, so the release and `/readyz`
ask `catalog_problems()` first: every language has a compiled catalog, it says what its `.po`
says, and it translates every worker text.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from grievance.config import catalog_dir

DOMAIN = "messages"


def _frozen(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _messages(catalog) -> dict:
    return {_frozen(m.id): _frozen(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def catalog_problems(languages: tuple[str, ...], texts: list[str], directory: Path | None = None) -> list[str]:
    """What is wrong with the compiled catalogs of `languages` in `directory`, one line each."""
    directory = directory or catalog_dir()
    problems = []
    for language in languages:
        folder = directory / language / "LC_MESSAGES"
        mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
        if not mo.is_file():
            problems.append(f"{language}: no compiled catalog at {mo}")
            continue
        with open(mo, "rb") as handle:
            compiled = _messages(read_mo(handle))
        if po.is_file():
            with open(po, "rb") as handle:
                if _messages(read_po(handle, locale=language)) != compiled:
                    problems.append(f"{language}: {mo.name} is stale, it differs from {po.name}")
                    continue
        if language != "en":
            missing = [text for text in texts if not compiled.get(text)]
            if missing:
                problems.append(f"{language}: {len(missing)} worker text(s) untranslated, e.g. {missing[0][:40]!r}")
    return problems


def worker_catalog_problems(directory: Path | None = None) -> list[str]:
    from grievance.i18n.worker import WORKER_LANGUAGES, WORKER_TEXTS

    return catalog_problems(WORKER_LANGUAGES, list(WORKER_TEXTS.values()), directory)


@lru_cache(maxsize=1)
def cached_worker_catalog_problems() -> tuple[str, ...]:
    """Once per process: the files do not change under a running service."""
    return tuple(worker_catalog_problems())
