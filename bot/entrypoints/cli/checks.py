"""What the CLI checks about the database before opening it: nothing is written if refused."""

from __future__ import annotations

import os

from bot.entrypoints.cli.arguments import PROG
from bot.entrypoints.console.demo import TEAM as DEMO_TEAM
from bot.entrypoints.console.demo import holds_demo


def file_problem(path: str, creates: bool) -> str | None:
    """Why the SQLite file ``path`` cannot be used by this command (one line), if so.

    A command that only reads refuses a missing or empty (0-byte) file rather than
    creating the schema in it; a directory is never a database.
    """
    if os.path.isdir(path):
        return f"{path} is a directory, not a database file (pass a file path or URL)"
    exists = os.path.exists(path)
    if not creates and (not exists or os.path.getsize(path) == 0):
        state = "an empty file" if exists else "no database"
        return (
            f"{state} at {path} (create it with `{PROG} workspace set` "
            f"or `{PROG} migrate`, or pass --database)"
        )
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return f"cannot create the database {path}: no such directory {folder}"
    return None


def demo_problem(database: str, team_id: str | None) -> str | None:
    """Why the CLI must not create the console's demo workspace here (one line), if so.

    The demo's invoices follow the console's test clock, and `serve` refuses a database
    holding it: only the console makes it, in its own file. One that exists may be
    configured again.
    """
    if team_id != DEMO_TEAM or holds_demo(database):
        return None
    return (
        f"{DEMO_TEAM} is the offline console's demo workspace: only `{PROG} console` "
        "creates it, in its own file (serve refuses a database that holds it)"
    )
