"""A demo that stays a demo: the console's own file, and the checks that keep it apart.

The console books for its demo workspace on a test clock that may run ahead of the real
one; its invoices are dated in that future. So the console never opens the file that
``serve`` uses, nor one that holds real workspaces, and ``serve``, ``socket`` and
``scheduler`` refuse a file that holds the demo workspace. Each check reads the file
read-only before anything opens (or migrates) it, so a refusal writes nothing.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

TEAM = "T0DEMO"
DEMO_DATABASE = "./addons-demo.db"


def _count(path: str, where: str) -> int:
    """Subscriptions matching ``where``; 0 when there is no file or no such table yet."""
    if not os.path.isfile(path):
        return 0
    # Without a write-ahead log the file holds everything: read it as immutable, which
    # creates no -wal and -shm beside it. With one, its pages count: read-only, then.
    mode = "mode=ro" if os.path.exists(path + "-wal") else "immutable=1"
    try:
        uri = f"{Path(path).resolve().as_uri()}?{mode}"
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        return 0  # opening it for real says what is wrong with it
    try:
        row = conn.execute(f"SELECT COUNT(*) FROM subscriptions WHERE {where}", (TEAM,))
        return int(row.fetchone()[0])
    except sqlite3.Error:
        return 0  # not migrated yet, or not a database: nothing of the demo in it
    finally:
        conn.close()


def holds_demo(path: str) -> bool:
    """Whether the SQLite file at ``path`` holds the console's demo workspace."""
    return _count(path, "team_id = ?") > 0


def other_workspaces(path: str) -> int:
    """How many workspaces besides the demo the SQLite file at ``path`` holds."""
    return _count(path, "team_id <> ?")


def same_file(first: str, second: str) -> bool:
    """Whether two paths name one file (also through symlinks and relative parts)."""
    return os.path.realpath(first) == os.path.realpath(second)


def refuse_for_slack(path: str, command: str) -> str | None:
    """Why ``serve``/``socket``/``scheduler`` must not use ``path`` (one line), if so."""
    if not holds_demo(path):
        return None
    return (
        f"{path} holds the offline console's demo workspace {TEAM}, whose invoices follow "
        f"a test clock; `{command}` never serves a demo database: set ADDONS_DATABASE "
        f"(or --database) to the production file"
    )


def refuse_for_console(path: str, served: str) -> str | None:
    """Why the console must not use ``path`` (one line), if so; ``served`` is serve's file."""
    if same_file(path, served):
        return (
            f"{path} is the database `serve` uses (ADDONS_DATABASE); the console keeps its "
            f"demo apart: leave out --database (it uses {DEMO_DATABASE}) or pass another file"
        )
    others = other_workspaces(path)
    if others:
        return (
            f"{path} holds {others} workspace(s) besides the demo {TEAM}; the console only "
            f"opens a demo database: leave out --database (it uses {DEMO_DATABASE}) or "
            f"pass another file"
        )
    return None
