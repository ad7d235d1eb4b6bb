"""A demo that stays a demo: the console's own file, and the checks that keep it apart.

The console books for its demo workspace on a test clock that may run ahead of the real
one; its invoices are dated in that future. So the console never opens the file that
``serve`` uses, nor one that holds real workspaces, and ``serve``, ``socket`` and
``scheduler`` refuse a database that holds the demo workspace. Each check reads the
database read-only (``storage.peek``; a SQLite file or a PostgreSQL URL) before anything
opens (or migrates) it, so a refusal writes nothing.
"""

from __future__ import annotations

import os

from storage.peek import count_subscriptions
from storage.urls import is_url, redacted

TEAM = "T0DEMO"
DEMO_DATABASE = "./addons-demo.db"


def holds_demo(database: str) -> bool:
    """Whether the database (a SQLite file or a PostgreSQL URL) holds the demo workspace."""
    return count_subscriptions(database, TEAM) > 0


def other_workspaces(database: str) -> int:
    """How many workspaces besides the demo the database holds."""
    return count_subscriptions(database, TEAM, other=True)


def same_file(first: str, second: str) -> bool:
    """Whether two settings name one database (a file also through symlinks and relative
    parts; a URL as written)."""
    if is_url(first) or is_url(second):
        return first.strip() == second.strip()
    return os.path.realpath(first) == os.path.realpath(second)


def refuse_for_slack(path: str, command: str) -> str | None:
    """Why ``serve``/``socket``/``scheduler`` must not use ``path`` (one line), if so."""
    if not holds_demo(path):
        return None
    shown = redacted(path)
    return (
        f"{shown} holds the offline console's demo workspace {TEAM}, whose invoices follow "
        f"a test clock; `{command}` never serves a demo database: set ADDONS_DATABASE "
        f"(or --database) to the production file"
    )


def refuse_for_console(path: str, served: str) -> str | None:
    """Why the console must not use ``path`` (one line), if so; ``served`` is serve's file."""
    shown = redacted(path)
    if same_file(path, served):
        return (
            f"{shown} is the database `serve` uses (ADDONS_DATABASE); the console keeps its "
            f"demo apart: leave out --database (it uses {DEMO_DATABASE}) or pass another file"
        )
    others = other_workspaces(path)
    if others:
        return (
            f"{shown} holds {others} workspace(s) besides the demo {TEAM}; the console only "
            f"opens a demo database: leave out --database (it uses {DEMO_DATABASE}) or "
            f"pass another file"
        )
    return None
