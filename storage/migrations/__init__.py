"""Schema migrations with Alembic: which revisions exist, where a file stands, upgrading.

Revisions are numbered 1, 2, ... in order (``versions/0001_initial.py`` is 1). Each one
runs in its own transaction that starts with SQLite's write lock and checks again where
the file stands, so two processes opening a new file apply each revision once. Besides
``alembic_version``, ``PRAGMA user_version`` keeps the revision's number: that is what
the app before Alembic read, so an older app still refuses a file that is too new.

A file made before Alembic has ``user_version`` 1 or 2 and no ``alembic_version``: it
is stamped with the matching revision, its instants rewritten as UTC text (see
``storage.types.Instant``), and then upgraded like any other.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection, inspect, text

from storage.errors import SchemaBehind, SchemaMissing, SchemaTooNew
from storage.types import utc_text

HERE = Path(__file__).parent
# How long a schema behind this app's may stand still before it is refused as old: one
# that another process is creating right now rises revision by revision meanwhile.
CREATION_WAIT = 0.5
VERSION_TABLE = "alembic_version"

# Instant columns that files made before Alembic hold with the writer's own offset.
_INSTANTS = {
    "subscriptions": ("created_at",),
    "addons": ("created_at",),
    "invoices": ("created_at",),
    "idempotency_keys": ("created_at",),
    "audit_log": ("at",),
    "outbox": ("created_at", "next_try_at", "sent_at", "failed_at"),
}


@cache
def script_directory() -> ScriptDirectory:
    """The revisions shipped in storage/migrations/versions."""
    return ScriptDirectory(str(HERE))


@dataclass(frozen=True)
class Revision:
    """One revision: its number, Alembic id and the name ``migrate`` reports."""

    number: int
    id: str
    name: str
    script: Script


def revisions() -> list[Revision]:
    """Every revision, oldest first, numbered from 1."""
    scripts = list(reversed(list(script_directory().walk_revisions())))
    # The name as `addons-bot migrate` has always printed it (the SQL files' names).
    return [Revision(n, s.revision, f"{s.revision}.sql", s) for n, s in enumerate(scripts, start=1)]


def head() -> int:
    """The schema version this app writes: the number of its newest revision."""
    return len(revisions())


def names() -> list[str]:
    """The names of every revision, oldest first."""
    return [r.name for r in revisions()]


def _user_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def version(conn: Connection) -> int:
    """Where the file stands (0: empty); SchemaTooNew if a newer app wrote it."""
    known = revisions()
    found = _user_version(conn) if conn.dialect.name == "sqlite" else 0
    if found > len(known):
        raise SchemaTooNew(
            f"the database is at schema version {found}, ahead of this app's "
            f"{len(known)}: upgrade the app (`addons-bot migrate` never goes back)"
        )
    if inspect(conn).has_table(VERSION_TABLE):
        current = MigrationContext.configure(conn).get_current_revision()
        if current is None:
            return 0
        numbers = {r.id: r.number for r in known}
        if current not in numbers:
            raise SchemaTooNew(
                f"the database is at schema revision {current}, ahead of this app's "
                f"{known[-1].id}: upgrade the app (`addons-bot migrate` never goes back)"
            )
        return numbers[current]
    return found


def is_current(conn: Connection) -> bool:
    """The file is at head and stamped (a file made before Alembic must be upgraded)."""
    current = version(conn)
    return current == head() and (current == 0 or inspect(conn).has_table(VERSION_TABLE))


def behind(found: int) -> str:
    """What a schema behind this app's says: which, and how to bring it up to date."""
    return (
        f"the database is at schema version {found}, behind this app's {head()}: "
        "run `addons-bot migrate` (the release phase) first"
    )


def prepare(conn: Connection, create: bool) -> list[str]:
    """Check the schema before use; only a brand-new, empty database is changed here.

    At this app's schema: nothing to do. Empty: created at the newest revision if
    ``create`` (the names applied), else SchemaMissing. Behind: SchemaBehind; ahead:
    SchemaTooNew. Only ``upgrade`` (``addons-bot migrate``) moves a schema that exists,
    so a one-off command of a newer build never migrates a running installation.
    """
    with conn.begin():
        current = version(conn)
        stamped = inspect(conn).has_table(VERSION_TABLE)
    if current == head() and stamped:
        return []
    if current == 0:
        if not create:
            raise SchemaMissing(
                "the database is empty: create it with `addons-bot workspace set` "
                "or `addons-bot migrate`"
            )
        return upgrade(conn)
    if create and _created_meanwhile(conn, current):
        return []
    raise SchemaBehind(behind(current))


def _created_meanwhile(conn: Connection, seen: int) -> bool:
    """Whether another process, creating this database right now, brings it to this app's
    schema: its version keeps rising to head (an old database's stands still)."""
    deadline = time.monotonic() + CREATION_WAIT
    while time.monotonic() < deadline:
        time.sleep(0.05)
        with conn.begin():
            now = version(conn)
            stamped = inspect(conn).has_table(VERSION_TABLE)
        if now == head() and stamped:
            return True
        if now != seen:  # still rising: give the next revision its time
            seen, deadline = now, time.monotonic() + CREATION_WAIT
    return False


def upgrade(conn: Connection, target: int | None = None) -> list[str]:
    """Apply pending revisions up to ``target`` (default: head); return their names.

    ``conn`` must begin its transactions with the write lock (``BEGIN IMMEDIATE``).
    """
    known = revisions()
    latest = len(known) if target is None else target
    with conn.begin():
        current = version(conn)
        legacy = current > 0 and not inspect(conn).has_table(VERSION_TABLE)
    if legacy:
        with conn.begin():
            version(conn)  # still not too new, now that this connection holds the lock
            _adopt(conn)
    if current >= latest:
        return []
    applied = []
    for revision in known[:latest]:
        with conn.begin():
            if version(conn) >= revision.number:  # another process got here first
                continue
            context = MigrationContext.configure(conn)
            with Operations.context(context):
                revision.script.module.upgrade()
            context.stamp(script_directory(), revision.id)
            _set_user_version(conn, revision.number)
        applied.append(revision.name)
    return applied


def _set_user_version(conn: Connection, number: int) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA user_version = {int(number)}")


def _adopt(conn: Connection) -> None:
    """Stamp a file made before Alembic with the revision its user_version names."""
    if conn.dialect.name != "sqlite" or inspect(conn).has_table(VERSION_TABLE):
        return  # not SQLite, or another process adopted it first
    found = _user_version(conn)
    if found == 0:
        return
    MigrationContext.configure(conn).stamp(script_directory(), revisions()[found - 1].id)
    for table, columns in _INSTANTS.items():
        if inspect(conn).has_table(table):
            for column in columns:
                _rewrite_as_utc(conn, table, column)


def _rewrite_as_utc(conn: Connection, table: str, column: str) -> None:
    rows = conn.execute(
        text(f"SELECT rowid, {column} FROM {table} WHERE {column} IS NOT NULL")
    ).all()
    changed = []
    for rowid, value in rows:
        try:
            instant = datetime.fromisoformat(str(value))
        except ValueError:
            continue  # not an instant: leave it as it was
        if instant.tzinfo is None:
            continue
        if (new := utc_text(instant)) != value:
            changed.append({"rowid": rowid, "value": new})
    if changed:
        conn.execute(text(f"UPDATE {table} SET {column} = :value WHERE rowid = :rowid"), changed)
