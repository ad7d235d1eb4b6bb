"""The fence around SQLite's fast path (storage/sqlite_fast.py): it runs only on the
versions it was tested with and only while the private names it uses are there; else
SQLAlchemy's own path does the work. A statement it cannot run as SQLAlchemy would is
refused, never run differently."""

from __future__ import annotations

import asyncio
import importlib.metadata
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, insert, select, text, update

from bot import services
from storage import Database, sqlite, sqlite_fast
from storage.errors import StorageError
from storage.executor import SqlAlchemyExecutor
from storage.sqlite_fast import SqliteExecutor, connect

NOW = datetime(2026, 3, 18, 12, tzinfo=UTC)
TEAM = "T0FAST"


@pytest.fixture(autouse=True)
def fresh_verdict() -> Iterator[None]:
    """Each test decides anew whether the fast path may run (it is decided once)."""
    sqlite.fast_path_refused.cache_clear()
    yield
    sqlite.fast_path_refused.cache_clear()


async def _executor_of(db: Database) -> object:
    """The executor a writing unit of work runs on (a reader's is wrapped in Reading)."""
    async with db.unit_of_work() as uow:
        return uow.addons._x


def test_the_installed_versions_have_everything_the_fast_path_uses() -> None:
    assert sqlite_fast.missing_internals() is None


async def test_the_fast_path_runs_where_its_internals_are_there(tmp_path: Path) -> None:
    async with Database(str(tmp_path / "a.db")) as db:
        assert isinstance(await _executor_of(db), SqliteExecutor)


async def test_a_missing_private_name_turns_the_fast_path_off_and_the_app_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delattr(aiosqlite.Connection, "_execute")
    assert sqlite_fast.missing_internals() == "missing aiosqlite.Connection._execute"
    monkeypatch.undo()  # aiosqlite itself needs it: take it away only from the check
    monkeypatch.setattr(sqlite_fast, "missing_internals", lambda: "missing something")

    async with Database(str(tmp_path / "b.db")) as db:
        assert isinstance(await _executor_of(db), SqlAlchemyExecutor)
        ctx = services.Context(db)
        await services.set_workspace(ctx, TEAM, date(2026, 3, 18), NOW)
        result = await services.book(ctx, TEAM, "users", 2, NOW, key="k", actor="U1")
        assert result.addon.quantity == 2
    assert "SQLite fast path off, SQLAlchemy's own path instead: missing something" in caplog.text


def test_a_version_outside_the_tested_range_turns_the_fast_path_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        importlib.metadata,
        "version",
        lambda package: "3.0.0" if package == "sqlalchemy" else "0.22.1",
    )
    assert sqlite_fast.missing_internals() == "sqlalchemy 3.0.0 is not a tested version"


_metadata = MetaData()
_defaults = Table(
    "defaults",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False, default="plain"),  # a Python-side constant
    Column("stamp", Text, default=lambda: "made up"),  # a Python-side callable
    Column("touched", Text, onupdate="again"),
)


async def _fast_executor(path: Path) -> tuple[aiosqlite.Connection, SqliteExecutor]:
    driver = await connect(str(path))
    await driver.execute(
        "CREATE TABLE defaults (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "kind TEXT NOT NULL, stamp TEXT, touched TEXT)"
    )
    from sqlalchemy.dialects import sqlite as dialect

    return driver, SqliteExecutor(driver, dialect.dialect())


async def test_a_python_side_constant_default_is_filled_in_as_sqlalchemy_would(
    tmp_path: Path,
) -> None:
    driver, x = await _fast_executor(tmp_path / "c.db")
    try:
        await x.begin(True)
        await x.write(insert(_defaults), {"name": "a", "stamp": "given"})
        await x.commit()
        rows = await x.rows(select(_defaults.c.name, _defaults.c.kind, _defaults.c.stamp))
    finally:
        await driver.close()
    assert rows == [("a", "plain", "given")]


async def test_a_python_side_default_the_fast_path_cannot_fill_in_is_refused(
    tmp_path: Path,
) -> None:
    driver, x = await _fast_executor(tmp_path / "d.db")
    try:
        await x.begin(True)
        with pytest.raises(ValueError, match=r"defaults\.stamp has a Python-side default"):
            await x.write(insert(_defaults), {"name": "a"})
        with pytest.raises(ValueError, match=r"defaults\.touched has an onupdate"):
            await x.write(update(_defaults).values(name="b"), {})
        await x.rollback()
        assert await x.rows(select(_defaults.c.id)) == []
    finally:
        await driver.close()


async def test_a_unit_of_work_cancelled_while_waiting_for_the_write_lock_leaves_no_transaction_open(
    tmp_path: Path,
) -> None:
    # The cancelled BEGIN IMMEDIATE still runs in aiosqlite's thread once the lock is
    # free: the rollback, and the next unit of work, must come after it, not beside it.
    driver, x = await _fast_executor(tmp_path / "e.db")
    holder = sqlite3.connect(str(tmp_path / "e.db"), isolation_level=None, check_same_thread=False)
    try:
        await driver.execute("PRAGMA busy_timeout = 2000")
        holder.execute("BEGIN IMMEDIATE")
        waiting = asyncio.ensure_future(x.begin(True))
        await asyncio.sleep(0.1)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        threading.Timer(0.3, holder.rollback).start()
        await x.rollback()
        await x.begin(True)
        await x.write(insert(_defaults), {"name": "after", "stamp": "s"})
        await x.commit()
        assert await x.rows(select(_defaults.c.name)) == [("after",)]
    finally:
        await driver.close()
        holder.close()


async def test_a_writer_cancelled_while_waiting_for_the_write_lock_leaves_the_pool_whole(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "f.db")
    async with Database(path, pool_size=2) as db:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")

        async def writer() -> None:
            async with db.unit_of_work() as uow:
                await uow.commit()

        waiting = asyncio.ensure_future(writer())
        await asyncio.sleep(0.2)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        holder.execute("COMMIT")  # the cancelled BEGIN IMMEDIATE now gets the lock
        holder.close()
        ctx = services.Context(db)
        await services.set_workspace(ctx, TEAM, date(2026, 3, 18), NOW)
        for i in range(4):  # every connection of the pool, writers and readers
            booked = await services.book(ctx, TEAM, "users", 1, NOW, key=f"k{i}", actor="U1")
            assert booked.created
            assert len(await services.list_addons(ctx, TEAM)) == i + 1


async def test_a_unit_of_work_still_running_when_the_database_closes_runs_nothing_more(
    tmp_path: Path,
) -> None:
    # Its next statement is refused on this thread, never run while aiosqlite's thread
    # closes the connection under it (that crashed the process once).
    db = Database(str(tmp_path / "g.db"))
    await db.open()
    ctx = services.Context(db)
    await services.set_workspace(ctx, TEAM, date(2026, 3, 18), NOW)
    uow = db.unit_of_work(write=False)
    await uow.__aenter__()
    assert await uow.subscriptions.get(TEAM) is not None
    closing = asyncio.ensure_future(db.close())
    await asyncio.sleep(0)  # the close has begun: its connections are told first
    with pytest.raises(StorageError, match="the database is closed"):
        await uow.addons.newest_first(TEAM)
    await uow.__aexit__(None, None, None)
    await closing


class _Trips:
    """Counts the trips to aiosqlite's thread."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        trip = sqlite_fast._trip

        async def counted(driver: aiosqlite.Connection, fn: Any, *args: Any) -> Any:
            self.count += 1
            return await trip(driver, fn, *args)

        monkeypatch.setattr(sqlite_fast, "_trip", counted)


async def test_a_writer_takes_a_free_write_lock_here_and_crosses_only_to_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    driver, x = await _fast_executor(tmp_path / "h.db")
    trips = _Trips(monkeypatch)
    try:
        await x.begin(True)
        assert trips.count == 0
        await x.write(insert(_defaults), {"name": "a", "stamp": "s"})
        await x.commit()
        assert trips.count == 1
    finally:
        await driver.close()


async def test_a_writer_waits_in_aiosqlites_thread_for_a_lock_another_connection_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    driver, x = await _fast_executor(tmp_path / "i.db")
    holder = sqlite3.connect(str(tmp_path / "i.db"), isolation_level=None, check_same_thread=False)
    trips = _Trips(monkeypatch)
    try:
        await driver.execute("PRAGMA busy_timeout = 2000")
        holder.execute("BEGIN IMMEDIATE")
        threading.Timer(0.3, holder.rollback).start()
        started = asyncio.get_running_loop().time()
        await x.begin(True)  # waits for the holder, in aiosqlite's thread
        assert asyncio.get_running_loop().time() - started >= 0.25
        assert trips.count == 1
        await x.write(insert(_defaults), {"name": "after the wait", "stamp": "s"})
        await x.commit()
        assert await x.rows(select(_defaults.c.name)) == [("after the wait",)]
        assert await x.rows(text("PRAGMA busy_timeout")) == [(2000,)]  # the wait kept
    finally:
        await driver.close()
        holder.close()


async def test_a_writer_beginning_here_keeps_the_lock_wait_set_between_units_of_work(
    tmp_path: Path,
) -> None:
    driver, x = await _fast_executor(tmp_path / "l.db")
    try:
        await driver.execute("PRAGMA busy_timeout = 2000")
        await x.begin(True)
        await x.commit()
        await x.set_lock_wait(500)  # the pool does this between units of work
        await x.begin(True)
        assert await x.rows(text("PRAGMA busy_timeout")) == [(500,)]
        await x.rollback()
    finally:
        await driver.close()
