"""`addons-bot migrate`: apply pending schema migrations (opening the database does)."""

from __future__ import annotations

from bot.cli.invocation import Run
from storage.sqlite import migrations


def schema_version() -> int:
    """The schema version this code brings: the number of its migrations."""
    return len(migrations())


async def migrate(run: Run) -> int:
    """Say which migrations opening the database applied, and the version it is at."""
    version = schema_version()
    path = run.rt.db.path
    if not run.rt.applied:
        return run.say(f"Nothing to do: {path} is at schema version {version}.")
    return run.say(
        f"Applied to {path}: {', '.join(run.rt.applied)} (now at schema version {version})."
    )
