"""`addons-bot migrate`: apply pending schema migrations (opening the database does)."""

from __future__ import annotations

from importlib import metadata

from bot.entrypoints.cli.invocation import Run
from storage.migrations import head

DISTRIBUTION = "addons-bot"  # the name in pyproject.toml


def app_version() -> str:
    """This app's version as installed, and the schema version it brings."""
    try:
        installed = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a checkout without installing it
        installed = "(not installed)"
    return f"{installed} (schema version {schema_version()})"


def schema_version() -> int:
    """The schema version this code brings: the number of its migrations."""
    return head()


async def migrate(run: Run) -> int:
    """Say which migrations opening the database applied, and the version it is at."""
    version = schema_version()
    path = run.rt.db.path
    if run.args.json:
        return run.json(
            {"database": path, "applied": list(run.rt.applied), "schema_version": version}
        )
    if not run.rt.applied:
        return run.say(f"Nothing to do: {path} is at schema version {version}.")
    return run.say(
        f"Applied to {path}: {', '.join(run.rt.applied)} (now at schema version {version})."
    )
