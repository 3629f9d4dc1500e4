"""The build step pyproject.toml cannot express: what an installed service needs beside its code.

`translations/` (the Babel catalogs) and `migrations/` stay at the top of the repository. The
build compiles every `translations/<locale>/LC_MESSAGES/messages.po` (in place, as `make`
does, for processes started from the checkout) and copies the compiled catalogs with their
sources and the migrations into the package, so `pip install .` answers in the worker's
language and can migrate wherever it runs from.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def compile_catalogs(source: Path) -> list[Path]:
    """Compile each .po next to it (as `pybabel compile` does); a broken catalog stops the build."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = []
    for po in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        with open(po, "rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        partial = mo.with_suffix(".mo.partial")
        with open(partial, "wb") as handle:
            write_mo(handle, catalog)
        os.replace(partial, mo)  # a running process never reads half a catalog
        compiled.append(mo)
    if not compiled:
        raise SystemExit(f"no catalogs in {source}: the service would answer every worker in English")
    return compiled


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        if self.dry_run:
            return
        compiled = compile_catalogs(ROOT / "translations")
        if getattr(self, "editable_mode", False):
            return  # an editable install reads translations/ and migrations/ of the checkout
        package = Path(self.build_lib) / "grievance"
        for mo in compiled:
            target = package / "translations" / mo.relative_to(ROOT / "translations")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(mo, target)
            shutil.copy2(mo.with_suffix(".po"), target.with_suffix(".po"))
        shutil.copytree(ROOT / "migrations", package / "migrations", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithCatalogs})
