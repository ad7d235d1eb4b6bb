"""What the reliability tests look at: the database file, and what reached Slack.

``snapshot`` reads every table the use cases write, straight from the file, so two
snapshots compare equal exactly when nothing was changed. ``consistency_problems`` lists
what a half-written change would leave behind. ``leaks`` finds a trace or an exception
name in anything the app sent towards a user.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.slack.mock_slack import Call

# Every table a request or the billing run writes (schema 0001 and 0002).
TABLES = {
    "subscriptions": "SELECT * FROM subscriptions ORDER BY team_id",
    "addons": "SELECT * FROM addons ORDER BY id",
    "invoice_lines": "SELECT * FROM invoice_lines ORDER BY id",
    "invoices": "SELECT * FROM invoices ORDER BY number",
    "counters": "SELECT * FROM counters ORDER BY name",
    "idempotency_keys": "SELECT * FROM idempotency_keys ORDER BY team_id, key",
    "audit_log": "SELECT * FROM audit_log ORDER BY id",
    "outbox": "SELECT * FROM outbox ORDER BY id",
}


def connect(path: str | Path) -> sqlite3.Connection:
    """A plain sqlite3 connection to the app's file (WAL: reading never blocks it)."""
    conn = sqlite3.connect(str(path), timeout=10)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def snapshot(path: str | Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the app writes."""
    conn = connect(path)
    try:
        return {name: [tuple(r) for r in conn.execute(sql)] for name, sql in TABLES.items()}
    finally:
        conn.close()


def count(path: str | Path, sql: str, params: tuple[Any, ...] = ()) -> int:
    """The single number a ``SELECT COUNT(*) ...`` returns."""
    conn = connect(path)
    try:
        return int(conn.execute(sql, params).fetchone()[0])
    finally:
        conn.close()


# A change is whole or absent: these queries must all come back empty.
HALF_WRITTEN = {
    "add-on without any invoice line (its draft), though not withdrawn": (
        "SELECT a.id FROM addons a WHERE a.status != 'withdrawn' AND NOT EXISTS ("
        "SELECT 1 FROM invoice_lines l WHERE l.addon_id = a.id AND l.team_id = a.team_id)"
    ),
    "add-on without the idempotency key of its confirmation": (
        "SELECT a.id FROM addons a WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys k "
        "WHERE k.addon_id = a.id AND k.team_id = a.team_id)"
    ),
    "idempotency key without its add-on (or with another workspace's)": (
        "SELECT k.key FROM idempotency_keys k LEFT JOIN addons a ON a.id = k.addon_id "
        "WHERE a.id IS NULL OR a.team_id != k.team_id"
    ),
    "add-on without its 'book' audit entry": (
        "SELECT a.id FROM addons a WHERE NOT EXISTS (SELECT 1 FROM audit_log x "
        "WHERE x.addon_id = a.id AND x.team_id = a.team_id AND x.action = 'book')"
    ),
    "'book' audit entry without its add-on": (
        "SELECT x.id FROM audit_log x WHERE x.action = 'book' AND NOT EXISTS ("
        "SELECT 1 FROM addons a WHERE a.id = x.addon_id AND a.team_id = x.team_id)"
    ),
    "more than one add-on per idempotency key": (
        "SELECT addon_id FROM idempotency_keys GROUP BY addon_id HAVING COUNT(*) > 1"
    ),
    "invoice line of another workspace's add-on": (
        "SELECT l.id FROM invoice_lines l JOIN addons a ON a.id = l.addon_id "
        "WHERE a.team_id != l.team_id"
    ),
    "withdrawn add-on whose draft charge is still due": (
        "SELECT a.id FROM addons a JOIN invoice_lines l ON l.addon_id = a.id "
        "WHERE a.status = 'withdrawn' AND l.invoice_number IS NULL AND l.kind != 'credit'"
    ),
    "withdrawn add-on without its 'withdrawal' audit entry": (
        "SELECT a.id FROM addons a WHERE a.status = 'withdrawn' AND NOT EXISTS ("
        "SELECT 1 FROM audit_log x WHERE x.addon_id = a.id AND x.action = 'withdrawal')"
    ),
    "pending cancellation without its date, or an active add-on with one": (
        "SELECT id FROM addons WHERE (status = 'cancellation_pending' AND effective_on IS NULL)"
        " OR (status = 'active' AND effective_on IS NOT NULL)"
    ),
    "invoice whose total is not the sum of its lines": (
        "SELECT i.number FROM invoices i WHERE i.total_cents != (SELECT COALESCE("
        "SUM(l.amount_cents), 0) FROM invoice_lines l WHERE l.invoice_number = i.number)"
    ),
    "invoice counter out of step with the invoices": (
        "SELECT value FROM counters WHERE name = 'invoice_number' "
        "AND value != (SELECT COUNT(*) FROM invoices)"
    ),
}


def consistency_problems(path: str | Path) -> list[str]:
    """What is half-written in the file; an empty list when every change is whole."""
    conn = connect(path)
    try:
        problems = []
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            problems.append(f"integrity_check: {integrity}")
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
        if foreign:
            problems.append(f"foreign_key_check: {foreign}")
        for what, sql in HALF_WRITTEN.items():
            rows = conn.execute(sql).fetchall()
            if rows:
                problems.append(f"{what}: {rows}")
        return problems
    finally:
        conn.close()


# -- what reached the user -------------------------------------------------------------

# A Python trace or exception name, a source path, or a raw exception repr: never for users.
LEAK = re.compile(
    r"Traceback|Error:|Exception|\bFile \"|line \d+, in |\.py\b|/work/|site-packages|"
    r"\b[A-Z][A-Za-z]*(?:Error|Exception)\b|sqlite|aiosqlite|slack_bolt|slack_sdk"
)

# Slack Web API methods that put something in front of a user.
USER_FACING = (
    "views.open",
    "views.push",
    "views.update",
    "views.publish",
    "response_url",
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
)


def user_facing_texts(calls: Iterable[Call]) -> list[str]:
    """Everything sent to Slack for a user to read, as JSON text per call."""
    return [
        json.dumps(call.params, ensure_ascii=False) for call in calls if call.method in USER_FACING
    ]


def leaks(texts: Iterable[str]) -> list[str]:
    """The bits of ``texts`` that look like a trace, an exception or a source path."""
    found = []
    for text in texts:
        for match in LEAK.finditer(text):
            start = max(0, match.start() - 60)
            found.append(text[start : match.end() + 60])
    return found


# Another process holding SQLite's write lock (BEGIN EXCLUSIVE, with an uncommitted write
# of its own that it rolls back): a backup, a migration, an operator's shell.
HOLDER = r"""
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
conn.execute("BEGIN EXCLUSIVE")
conn.execute("INSERT INTO audit_log (team_id, at, actor, action) "
             "VALUES ('T0ADDONS1', '2026-04-03', 'another-process', 'half-written')")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
conn.close()
"""


@contextmanager
def locked_by_another_process(path: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holds the write lock on ``path`` for ``seconds`` from now."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    try:
        yield holder
    finally:
        assert holder.wait(timeout=seconds + 10) == 0
