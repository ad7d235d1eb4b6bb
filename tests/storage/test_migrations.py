"""Schema migrations on real files: empty, one version behind, and from the future."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import op

from storage import Database, SchemaBehind, SchemaTooNew, StorageError, migrations
from storage.database import migrate

LATEST = migrations.head()
ALL = migrations.names()


def user_version(path: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def contents(path: str) -> bytes:
    return Path(path).read_bytes()


def tables(path: str) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_migrations_are_numbered_from_one_without_gaps() -> None:
    assert [r.number for r in migrations.revisions()] == list(range(1, LATEST + 1))
    assert LATEST >= 2


async def test_opening_an_empty_file_applies_every_migration_in_order(sqlite_path: str) -> None:
    db = Database(sqlite_path)
    assert await db.open() == ALL
    await db.close()
    assert user_version(sqlite_path) == LATEST
    assert {
        "subscriptions",
        "addons",
        "invoices",
        "invoice_lines",
        "counters",
        "idempotency_keys",
        "audit_log",
        "outbox",
    } <= tables(sqlite_path)


async def test_opening_a_migrated_file_again_applies_nothing(sqlite_path: str) -> None:
    async with Database(sqlite_path):
        pass
    db = Database(sqlite_path)
    assert await db.open() == []
    await db.close()


def columns(path: str, table: str) -> set[str]:
    with sqlite3.connect(path) as raw:
        return {row[1] for row in raw.execute(f"PRAGMA table_info({table})")}


async def test_a_file_of_the_previous_version_is_brought_up_to_date_keeping_its_data(
    sqlite_path: str,
) -> None:
    assert await migrate(sqlite_path, target=LATEST - 1) == ALL[:-1]
    with sqlite3.connect(sqlite_path) as conn:
        conn.execute(
            "INSERT INTO subscriptions (team_id, anchor, timezone, locale, last_closed, "
            "created_at) VALUES ('T1', '2026-03-18', 'Europe/Berlin', 'de', '2026-03-18', 'x')"
        )
    conn.close()
    assert user_version(sqlite_path) == LATEST - 1
    assert "company" not in columns(sqlite_path, "subscriptions")  # the newest revision's

    before = contents(sqlite_path)
    with pytest.raises(SchemaBehind, match=f"version {LATEST - 1}, behind .*addons-bot migrate"):
        await Database(sqlite_path).open()  # only `migrate` changes a schema that exists
    assert contents(sqlite_path) == before
    db = Database(sqlite_path)
    assert await db.open(run_migrations=True) == ALL[-1:]
    await db.close()

    assert user_version(sqlite_path) == LATEST
    assert "slack_installations" in tables(sqlite_path)
    assert {"outbox", "corrections", "correction_lines", "events", "documents"} <= tables(
        sqlite_path
    )
    assert {"company", "vat_id", "sepa_mandate", "plan_name"} <= columns(
        sqlite_path, "subscriptions"
    )
    assert {"issued_on", "terms", "vat_cents", "gross_cents"} <= columns(sqlite_path, "invoices")
    with sqlite3.connect(sqlite_path) as raw:
        assert raw.execute("SELECT team_id, company FROM subscriptions").fetchall() == [
            ("T1", None)
        ]


async def test_a_file_from_a_newer_app_is_refused_and_left_as_it_was(sqlite_path: str) -> None:
    with sqlite3.connect(sqlite_path) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(SchemaTooNew, match="99"):
        await Database(sqlite_path).open()
    assert user_version(sqlite_path) == 99
    assert tables(sqlite_path) == set()


async def test_a_file_that_needs_migrating_is_refused_when_migrations_are_not_run(
    sqlite_path: str,
) -> None:
    await migrate(sqlite_path, target=1)
    with pytest.raises(StorageError, match="migrate"):
        await Database(sqlite_path).open(run_migrations=False)
    assert user_version(sqlite_path) == 1


async def test_two_processes_opening_an_empty_file_at_once_apply_each_migration_once(
    sqlite_path: str,
) -> None:
    first, second = Database(sqlite_path), Database(sqlite_path)
    applied = await asyncio.gather(first.open(), second.open())
    await first.close()
    await second.close()
    assert sorted(applied[0] + applied[1]) == sorted(ALL)
    assert user_version(sqlite_path) == LATEST


async def test_a_failing_migration_leaves_the_file_at_the_version_before(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = str(tmp_path / "broken.db")

    def broken() -> None:
        op.create_table("half", sa.Column("x", sa.Integer))
        op.execute("THIS IS NOT SQL")

    second = migrations.revisions()[1].script.module
    monkeypatch.setattr(second, "upgrade", broken)
    with pytest.raises(StorageError, match="syntax error"):
        await Database(path).open()
    assert user_version(path) == 1
    assert "half" not in tables(path)


async def test_a_file_that_is_not_a_database_is_refused_without_leaving_connections_open(
    tmp_path: Path,
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n" * 100)
    threads = threading.active_count()
    with pytest.raises(StorageError, match="not a database"):
        await Database(str(path)).open()
    # Each open aiosqlite connection is a thread that would keep the process alive.
    for _ in range(100):
        if threading.active_count() <= threads:
            break
        await asyncio.sleep(0.01)
    assert threading.active_count() <= threads
    assert path.read_text() == "not a database\n" * 100
