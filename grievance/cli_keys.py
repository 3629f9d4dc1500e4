"""flask --app grievance keys rotate | check: move encrypted values and lookup hashes to the
current keys (workflows/key_rotation.py)."""

from __future__ import annotations

import click

from grievance.extensions import db
from grievance.privacy import vault


@click.group("keys")
def keys() -> None:
    """The data key and the lookup hash key."""


def _print(report: dict[str, dict[str, int]], verb: str) -> int:
    unreadable = 0
    for kind, counts in report.items():
        click.echo(f"{kind}: {counts['rotated']} {verb}"
                   + (f", {counts['unreadable']} readable under no listed key" if counts["unreadable"] else ""))
        unreadable += counts["unreadable"]
    return unreadable


@keys.command("rotate")
def rotate() -> None:
    """Re-encrypt and re-hash everything under the current keys (resumable: run it again)."""
    from grievance.workflows.key_rotation import rotate_keys

    report = rotate_keys(db.session, vault(), progress=lambda what, n: click.echo(f"  {what}: {n} checked", err=True))
    if _print(report, "moved to the current key"):
        raise click.ClickException("some values are under a key that is not listed: add it to "
                                   "GRIEVANCE_PREVIOUS_DATA_KEYS and run this again")
    click.echo("done: every value is under the current keys; the previous keys may be removed")


@keys.command("check")
def check() -> None:
    """Say how many values are still under a previous key (exit status 1 if any)."""
    from grievance.workflows.key_rotation import rotate_keys

    report = rotate_keys(db.session, vault(), apply=False)
    _print(report, "still under a previous key")
    if any(counts["rotated"] or counts["unreadable"] for counts in report.values()):
        raise SystemExit(1)
    click.echo("every value is under the current keys")
