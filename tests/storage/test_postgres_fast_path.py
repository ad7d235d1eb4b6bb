"""PostgreSQL's fast path: statements sent to asyncpg directly, with the same results as
SQLAlchemy's own path, and that path as the fallback where the compiler's internals are
missing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql

from bot import services
from bot.ports import StorageError
from bot.services.shapes import invoice_to_json
from storage import Database, postgres
from storage.executor import SqlAlchemyExecutor
from storage.postgres import PostgresExecutor
from storage.postgres_fast import PostgresFastExecutor
from storage.tables import outbox
from tests.postgres import fetch_sync, fresh_database

ANCHOR = date(2026, 3, 18)
NOW = datetime(2026, 3, 18, 12, tzinfo=UTC)
NEXT_TURN = datetime(2026, 4, 18, 6, tzinfo=UTC)
TEAM = "T0PGFAST"
OUTBOX_ROW = {  # a direct message as the outbox stores it
    "team_id": TEAM,
    "event_key": "e:U1",
    "kind": "k",
    "payload": "{}",
    "created_at": NOW,
    "next_try_at": NOW,
}


@pytest.fixture(autouse=True)
def fresh_verdict() -> Iterator[None]:
    """Each test decides anew whether the fast path may run (it is decided once)."""
    postgres.fast_path_refused.cache_clear()
    yield
    postgres.fast_path_refused.cache_clear()


async def _executor_of(db: Database) -> object:
    async with db.unit_of_work() as uow:
        return uow.addons._x


async def _books_and_bills(url: str, fast_path: bool) -> dict[str, Any]:
    """A workspace with two bookings and a cancellation, billed at the next turn."""
    async with Database(url, fast_path=fast_path) as db:
        ctx = services.Context(db)
        await services.set_workspace(ctx, TEAM, ANCHOR, NOW)
        first = await services.book(ctx, TEAM, "users", 2, NOW, key="a", actor="U1")
        await services.book(ctx, TEAM, "storage", 3, NOW, key="b", actor="U1")
        again = await services.book(ctx, TEAM, "users", 2, NOW, key="a", actor="U1")
        [turn] = await services.billing_run(ctx, NEXT_TURN)
        assert turn.invoice is not None
        overview = await services.overview(ctx, TEAM, NEXT_TURN)
        return {
            "ids": (first.addon.id, again.addon.id, again.created),
            "invoice": invoice_to_json(turn.invoice),
            "rows": [(a.id, a.option, a.quantity, a.status) for a in overview.addons],
            "audit": [(e.action, e.addon_id) for e in await services.audit_log(ctx, TEAM)],
        }


async def test_the_fast_path_runs_where_its_internals_are_there(postgres_url: str) -> None:
    async with Database(postgres_url) as db:
        assert isinstance(await _executor_of(db), PostgresFastExecutor)


async def test_both_paths_book_and_bill_alike() -> None:
    with fresh_database() as fast_url, fresh_database() as plain_url:
        fast = await _books_and_bills(fast_url, fast_path=True)
        plain = await _books_and_bills(plain_url, fast_path=False)
    assert fast["ids"] == (1, 1, False)  # the repeated key found the first booking
    assert fast == plain


async def test_an_insert_that_meets_its_conflict_writes_nothing_and_says_so(
    postgres_url: str,
) -> None:
    async with Database(postgres_url) as db:
        ctx = services.Context(db)
        await services.set_workspace(ctx, TEAM, ANCHOR, NOW)
        async with db.unit_of_work() as uow:
            executor = uow.addons._x
            assert isinstance(executor, PostgresFastExecutor)
            statement = postgresql.insert(outbox).on_conflict_do_nothing()
            first = await executor.write(statement, OUTBOX_ROW)
            second = await executor.write(statement, OUTBOX_ROW)
            await uow.commit()
    assert (first.rowcount, second.rowcount, second.lastrowid) == (1, 0, None)
    assert isinstance(first.lastrowid, int)


async def test_missing_internals_turn_the_fast_path_off_and_the_app_still_works(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(postgres, "compiler_internals", lambda dialect: {"Compiled.x": False})
    async with Database(postgres_url) as db:
        executor = await _executor_of(db)
        assert isinstance(executor, PostgresExecutor)
        assert isinstance(executor, SqlAlchemyExecutor)
        assert not isinstance(executor, PostgresFastExecutor)
        ctx = services.Context(db)
        await services.set_workspace(ctx, TEAM, ANCHOR, NOW)
        booked = await services.book(ctx, TEAM, "users", 2, NOW, key="k", actor="U1")
        assert booked.addon.quantity == 2
    assert "PostgreSQL fast path off, SQLAlchemy's own path instead: missing Compiled.x" in (
        caplog.text
    )


@pytest.mark.parametrize(
    ("write", "isolation", "read_only"),
    [(True, "read committed", "off"), (False, "repeatable read", "on")],
)
async def test_every_statement_runs_in_the_unit_of_works_transaction(
    postgres_url: str, write: bool, isolation: str, read_only: str
) -> None:
    # The first statement of a unit of work, before any lock: inside its transaction.
    setting = select(
        func.current_setting("transaction_isolation"),
        func.current_setting("transaction_read_only"),
        func.txid_current(),
    )
    async with Database(postgres_url) as db, db.unit_of_work(write=write) as uow:
        executor = uow.addons._x
        [(found_isolation, found_read_only, first)] = await executor.rows(setting)
        [(_, _, second)] = await executor.rows(setting)
    assert (found_isolation, found_read_only) == (isolation, read_only)
    assert first == second  # one transaction, not one per statement


async def test_a_write_before_any_lock_is_undone_with_its_unit_of_work(postgres_url: str) -> None:
    async with Database(postgres_url) as db:
        async with db.unit_of_work() as uow:  # left without commit
            await uow.addons._x.write(insert(outbox), OUTBOX_ROW)
        assert fetch_sync(postgres_url, "SELECT count(*) FROM outbox") == [(0,)]


async def test_a_unit_of_work_cancelled_once_its_begin_reached_the_server_leaves_none_open(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Cancelled right after BEGIN was sent: the connection goes back rolled back, so the
    # next readers see what was committed since and the next writer's commit is one.
    original = PostgresFastExecutor.begin
    cancelled: list[bool] = []

    async def begin_then_cancelled(self: PostgresFastExecutor, write: bool) -> None:
        await original(self, write)
        if not cancelled:
            cancelled.append(True)
            raise asyncio.CancelledError

    monkeypatch.setattr(PostgresFastExecutor, "begin", begin_then_cancelled)
    count = select(func.count()).select_from(outbox)
    async with Database(postgres_url, pool_size=1) as db:
        with pytest.raises(asyncio.CancelledError):
            async with db.unit_of_work(write=False):
                pass
        await asyncio.sleep(0.1)  # the rollback runs in a task of its own
        async with db.unit_of_work(write=False) as uow:
            assert await uow.addons._x.rows(count) == [(0,)]
        await services.set_workspace(services.Context(db), TEAM, ANCHOR, NOW)
        async with db.unit_of_work() as uow:
            await uow.outbox.add(TEAM, "e:U1", "k", {}, NOW)
            await uow.commit()
        async with db.unit_of_work(write=False) as uow:
            assert await uow.addons._x.rows(count) == [(1,)]
    assert fetch_sync(postgres_url, "SELECT count(*) FROM outbox") == [(1,)]


async def test_a_commit_the_server_answers_with_rollback_is_not_taken_for_one(
    postgres_url: str,
) -> None:
    async with Database(postgres_url) as db, db.unit_of_work() as uow:
        executor = uow.addons._x
        # the statement fails (the driver's error: the unit of work translates it on
        # leaving), and the transaction with it
        with pytest.raises(Exception, match="does not exist"):
            await executor.rows(select(func.no_such_function()))
        with pytest.raises(StorageError, match="rolled the transaction back"):
            await uow.commit()
