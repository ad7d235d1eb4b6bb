"""PostgreSQL itself: the schema's column types, migrating under the advisory lock, a
newer schema refused, senders claiming messages once, writers of one workspace in turn."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot import services
from bot.ports import Conflict
from bot.services.retry import retrying
from storage import (
    Database,
    SchemaTooNew,
    StorageBusy,
    StorageConflict,
    StorageUnavailable,
)
from storage import postgres as pg
from storage.migrations import head, names
from storage.urls import UnsupportedDatabase
from tests import postgres
from tests.storage.helpers import ANCHOR, OTHER, TEAM, at, book

NOW = datetime(2026, 4, 1, 12, tzinfo=UTC)


def _columns(url: str) -> dict[tuple[str, str], str]:
    rows = postgres.fetch_sync(
        url,
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public'",
    )
    return {(table, column): kind for table, column, kind in rows}


def _tables(url: str) -> set[str]:
    rows = postgres.fetch_sync(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {row[0] for row in rows}


async def test_an_empty_database_is_migrated_with_real_dates_cents_and_instants(
    empty_postgres_url: str,
) -> None:
    db = Database(empty_postgres_url)
    assert await db.open() == names()
    await db.close()
    revision = postgres.fetch_sync(empty_postgres_url, "SELECT version_num FROM alembic_version")
    assert revision == [(names()[-1].removesuffix(".sql"),)]
    columns = _columns(empty_postgres_url)
    assert columns["addons", "booked_on"] == "date"
    assert columns["invoice_lines", "due_on"] == "date"
    assert columns["invoice_lines", "amount_cents"] == "integer"
    assert columns["invoices", "total_cents"] == "integer"
    assert columns["audit_log", "at"] == "timestamp with time zone"
    assert columns["outbox", "next_try_at"] == "timestamp with time zone"


async def test_two_processes_opening_an_empty_database_at_once_migrate_it_once(
    empty_postgres_url: str,
) -> None:
    first, second = Database(empty_postgres_url), Database(empty_postgres_url)
    applied = await asyncio.gather(first.open(), second.open())
    await first.close()
    await second.close()
    assert sorted(applied, key=len) == [[], names()]
    assert postgres.fetch_sync(
        empty_postgres_url, "SELECT value FROM counters WHERE name = 'invoice_number'"
    ) == [(0,)]


async def test_a_database_of_a_newer_schema_is_refused_and_left_as_it_was(
    postgres_url: str,
) -> None:
    postgres.fetch_sync(postgres_url, "UPDATE alembic_version SET version_num = '9999_future'")
    before = _tables(postgres_url)
    with pytest.raises(SchemaTooNew, match="upgrade the app"):
        await Database(postgres_url).open()
    assert _tables(postgres_url) == before
    assert postgres.fetch_sync(postgres_url, "SELECT version_num FROM alembic_version") == [
        ("9999_future",)
    ]
    assert head() >= 2


async def test_a_server_that_does_not_answer_is_named_by_its_setting_without_the_password() -> None:
    db = Database("postgresql://addons:s3cret@127.0.0.1:1/addons")
    with pytest.raises(StorageUnavailable, match="ADDONS_DATABASE") as raised:
        await db.open()
    assert "s3cret" not in str(raised.value)
    assert db.path == "postgresql://addons:***@127.0.0.1:1/addons"


def test_a_database_of_another_kind_is_refused_before_anything_opens() -> None:
    with pytest.raises(UnsupportedDatabase, match="mysql://"):
        Database("mysql://addons:pw@localhost/addons")


async def test_two_senders_claim_each_due_message_once(postgres_url: str) -> None:
    first, second = Database(postgres_url), Database(postgres_url)
    await first.open()
    await second.open()
    try:
        async with first.unit_of_work() as uow:
            for n in range(30):
                await uow.outbox.add(TEAM, f"event:{n}", "invoice_issued", {"n": n}, NOW)
            await uow.commit()

        async def sender(db: Database) -> list[int]:
            claimed: list[int] = []
            while True:
                async with db.unit_of_work() as uow:
                    due = await uow.outbox.claim(NOW, NOW + timedelta(minutes=5), 1)
                    if not due:
                        return claimed
                    await asyncio.sleep(0.002)  # the other sender tries meanwhile
                    await uow.commit()
                claimed.append(due[0].id)

        mine, theirs = await asyncio.gather(sender(first), sender(second))
    finally:
        await first.close()
        await second.close()
    assert sorted(mine + theirs) == sorted(set(mine + theirs))
    assert len(mine + theirs) == 30
    assert mine
    assert theirs


async def test_a_writer_of_one_workspace_waits_for_the_other_within_the_budget(
    postgres_url: str,
) -> None:
    patient = Database(postgres_url, busy_timeout_ms=150)
    await patient.open()
    ctx = services.Context(patient)
    await services.set_workspace(ctx, TEAM, ANCHOR, at("2026-03-18"))
    await services.set_workspace(ctx, OTHER, ANCHOR, at("2026-03-18"))
    holder = Database(postgres_url)
    await holder.open()
    try:
        async with holder.unit_of_work() as held:
            assert await held.subscriptions.get(TEAM) is not None  # TEAM's lock is held now
            with pytest.raises(StorageBusy):
                await book(ctx, "2026-03-20")
            # Another workspace is not held up by it.
            assert await book(ctx, "2026-03-20", team_id=OTHER) > 0
        assert await book(ctx, "2026-03-20") > 0
    finally:
        await holder.close()
        await patient.close()


async def _hold_then_reach(
    db: Database, mine: str, theirs: str, both_hold: asyncio.Barrier, tries: list[str]
) -> None:
    """A writer that locks its own workspace, waits until the other holds its own, and
    then reaches for the other's: two of them in opposite orders deadlock."""
    tries.append(mine)
    async with db.unit_of_work() as uow:
        await uow.subscriptions.get(mine)  # this workspace's advisory lock is held now
        if len(tries) <= 2:  # only the first two tries meet; a retry runs alone
            await both_hold.wait()
        await uow.subscriptions.get(theirs)
        await uow.audit.record(mine, NOW, "test", "touched", reached=theirs)
        await uow.commit()


async def test_a_real_deadlock_ends_one_writer_as_a_conflict_and_changes_nothing_of_it(
    postgres_url: str,
) -> None:
    # The lock budget outlasts PostgreSQL's deadlock_timeout (1 s), so the deadlock is found.
    # Two processes' databases: one Database lets one writer at a time in.
    db, other = (Database(postgres_url, busy_timeout_ms=10_000) for _ in range(2))
    await db.open()
    await other.open()
    both_hold, tries = asyncio.Barrier(2), list[str]()
    try:
        ends = await asyncio.gather(
            _hold_then_reach(db, TEAM, OTHER, both_hold, tries),
            _hold_then_reach(other, OTHER, TEAM, both_hold, tries),
            return_exceptions=True,
        )
        [conflict] = [end for end in ends if isinstance(end, BaseException)]
        assert isinstance(conflict, StorageConflict)
        assert isinstance(conflict, Conflict)
        assert pg.sqlstate(conflict) == "40P01"
        async with db.unit_of_work(write=False) as uow:
            touched = [team for team in (TEAM, OTHER) if await uow.audit.newest_first(team)]
        assert len(touched) == 1  # the writer that was ended left nothing behind
    finally:
        await db.close()
        await other.close()


async def test_a_use_case_ended_by_a_real_deadlock_runs_again_and_both_writers_finish(
    postgres_url: str,
) -> None:
    db, other = (Database(postgres_url, busy_timeout_ms=10_000) for _ in range(2))
    await db.open()
    await other.open()
    both_hold, tries = asyncio.Barrier(2), list[str]()
    again = retrying(_hold_then_reach)
    try:
        await asyncio.gather(
            again(db, TEAM, OTHER, both_hold, tries), again(other, OTHER, TEAM, both_hold, tries)
        )
        async with db.unit_of_work(write=False) as uow:
            entries = {team: await uow.audit.newest_first(team) for team in (TEAM, OTHER)}
    finally:
        await db.close()
        await other.close()
    assert len(tries) == 3  # one of the two ran again
    assert {team: len(found) for team, found in entries.items()} == {TEAM: 1, OTHER: 1}
