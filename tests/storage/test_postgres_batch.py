"""PostgreSQL's fast path sends the writes nobody reads the result of together: in one
round trip, before anything that could see them and before COMMIT, with the same
outcome as one after another."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from bot import services
from bot.ports import StorageError
from storage import Database, postgres
from storage.compiled import Prepared, footprint
from storage.journal import _AUDIT_INSERT
from storage.ledger import _COUNTER_ADVANCE, _COUNTER_GET_LOCKED, _LINES_INVOICED
from storage.postgres_batch import Batch, Held, mergeable, merged
from storage.postgres_fast import PostgresFastExecutor
from storage.tables import audit_log, outbox, subscriptions
from tests.postgres import fetch, fresh_database

ANCHOR = date(2026, 3, 18)
NOW = datetime(2026, 3, 18, 12, tzinfo=UTC)
NEXT_TURN = datetime(2026, 4, 18, 6, tzinfo=UTC)
TEAM = "T0BATCH"
SENT = ("execute", "fetch", "fetchrow", "fetchval", "executemany")


def _audit(action: str) -> dict[str, Any]:
    return {"team_id": TEAM, "at": NOW, "actor": "U1", "action": action, "detail": "{}"}


def _message(key: str) -> dict[str, Any]:
    return {
        "team_id": TEAM,
        "event_key": key,
        "kind": "k",
        "payload": "{}",
        "created_at": NOW,
        "next_try_at": NOW,
    }


class RoundTrips:
    """Every statement the fast path's connections send to the server, one call a
    round trip, in order."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def transactions(self) -> list[list[str]]:
        """What was sent, a list per transaction (from its BEGIN)."""
        found: list[list[str]] = []
        for sql in self.sent:
            if sql.startswith("BEGIN"):
                found.append([])
            if found:
                found[-1].append(sql)
        return found


class _Counting:
    """An asyncpg connection that tells ``RoundTrips`` what it sends."""

    def __init__(self, driver: Any, trips: RoundTrips) -> None:
        self._driver = driver
        self._trips = trips

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._driver, name)
        if name not in SENT:
            return found

        async def counted(sql: str, *args: Any, **kwargs: Any) -> Any:
            self._trips.sent.append(sql)
            return await found(sql, *args, **kwargs)

        return counted


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> RoundTrips:
    """Counts the round trips of every fast-path transaction begun from now on."""
    counted = RoundTrips()
    begin = PostgresFastExecutor.begin

    async def counting_begin(self: PostgresFastExecutor, write: bool) -> None:
        if not isinstance(self._driver, _Counting):
            self._driver = _Counting(self._driver, counted)
        await begin(self, write)

    monkeypatch.setattr(PostgresFastExecutor, "begin", counting_begin)
    return counted


@pytest.fixture(autouse=True)
def fresh_verdict() -> Iterator[None]:
    postgres.fast_path_refused.cache_clear()
    yield
    postgres.fast_path_refused.cache_clear()


@pytest.fixture
def url() -> Iterator[str]:
    with fresh_database() as found:
        yield found


@pytest.fixture
async def db(url: str) -> AsyncIterator[Database]:
    """A workspace's database on the fast path."""
    async with Database(url) as database:
        await services.set_workspace(services.Context(database), TEAM, ANCHOR, NOW)
        yield database


def _executor(uow: Any) -> PostgresFastExecutor:
    executor = uow.audit._x
    assert isinstance(executor, PostgresFastExecutor)
    return executor


# -- what joins and what waits --------------------------------------------------------


def test_an_insert_of_values_reads_nothing_and_an_update_reads_its_table() -> None:
    lines = frozenset({"invoice_lines"})
    assert footprint(_AUDIT_INSERT) == (frozenset(), frozenset({"audit_log"}))
    assert footprint(_LINES_INVOICED) == (lines, lines)
    assert footprint(_COUNTER_GET_LOCKED) == (frozenset({"counters"}), frozenset())


def test_a_write_reading_a_held_table_waits_for_the_held_writes() -> None:
    batch = Batch()
    batch.add(
        _prepared("INSERT INTO invoice_lines (x) VALUES ($1)", writes={"invoice_lines"}), (1,), None
    )
    assert batch.takes(
        _prepared("INSERT INTO audit_log (x) VALUES ($1)", writes={"audit_log"}), (1,)
    )
    marking = _prepared(
        "UPDATE invoice_lines SET x = $1", reads={"invoice_lines"}, writes={"invoice_lines"}
    )
    assert not batch.takes(marking, (1,))


def test_held_writes_are_renumbered_into_one_statement_in_their_order() -> None:
    first = _prepared("INSERT INTO a (x, y) VALUES ($1::INTEGER, $2)", writes={"a"})
    second = _prepared("UPDATE b SET x = $1 WHERE y = $2", reads={"b"}, writes={"b"})
    sql, values = merged([Held(first, (1, 2), None), Held(second, (3, 4), None)])
    assert sql == (
        "WITH w0 AS (INSERT INTO a (x, y) VALUES ($1::INTEGER, $2) RETURNING 1), "
        "w1 AS (UPDATE b SET x = $3 WHERE y = $4 RETURNING 1) "
        "SELECT (SELECT count(*) FROM w0), (SELECT count(*) FROM w1)"
    )
    assert values == (1, 2, 3, 4)


def test_a_statement_with_a_literal_is_never_merged() -> None:
    assert not mergeable(_prepared("UPDATE a SET x = 'it''s $1' WHERE y = $1", writes={"a"}))
    assert not mergeable(_prepared("UPDATE a SET x$1 = $1", writes={"a"}))
    assert mergeable(_prepared("UPDATE a SET x = $1", writes={"a"}))


def _prepared(sql: str, reads: set[str] | None = None, writes: set[str] | None = None) -> Prepared:
    names = tuple(f"p{i}" for i in range(sql.count("$")))
    return Prepared(
        sql, names, {}, (None,) * len(names), None, frozenset(reads or ()), frozenset(writes or ())
    )


# -- on a PostgreSQL server -----------------------------------------------------------


async def test_writes_nobody_reads_wait_for_the_commit_and_go_in_one_round_trip(
    db: Database, url: str, trips: RoundTrips
) -> None:
    async with db.unit_of_work() as uow:
        await uow.audit.record(TEAM, NOW, "U1", "first")
        await uow.outbox.add(TEAM, "e:U1", "k", {}, NOW)
        await uow.events.add(TEAM, 1, "msg_1", "addon.booked", "{}", NOW)
        await uow.commit()
    [sent] = trips.transactions()
    assert sent[-2].startswith("WITH ")
    assert sent[-1] == "COMMIT"
    assert not any(s.startswith("INSERT") for s in sent)
    assert len(await fetch(url, "SELECT id FROM outbox")) == 1
    assert len(await fetch(url, "SELECT id FROM events")) == 1


async def test_a_read_of_a_held_table_sees_the_held_writes(db: Database) -> None:
    async with db.unit_of_work() as uow:
        executor = _executor(uow)
        await executor.write_later(insert(audit_log), _audit("held"))
        found = await executor.rows(select(audit_log.c.action).where(audit_log.c.team_id == TEAM))
        assert ("held",) in found


async def test_a_read_of_another_table_does_not_wait_for_them(
    db: Database, url: str, trips: RoundTrips
) -> None:
    async with db.unit_of_work() as uow:
        executor = _executor(uow)
        await executor.write_later(insert(audit_log), _audit("held"))
        await executor.rows(select(subscriptions.c.team_id))
        await uow.commit()
    [sent] = trips.transactions()
    assert sent[-3].startswith("SELECT subscriptions.team_id")
    assert sent[-2].startswith("INSERT INTO audit_log")
    assert await fetch(url, "SELECT count(*) FROM audit_log WHERE action = 'held'") == [(1,)]


async def test_an_update_after_an_insert_of_its_table_sees_the_row(
    db: Database, url: str, trips: RoundTrips
) -> None:
    async with db.unit_of_work() as uow:
        executor = _executor(uow)
        await executor.write_later(insert(outbox), _message("e:U1"))
        changed = update(outbox).where(outbox.c.event_key == "e:U1").values(kind="changed")
        await executor.write_later(changed, {}, one="the message is not there")
        await uow.commit()
    [sent] = trips.transactions()
    assert sent[-3].startswith("INSERT INTO outbox")  # sent before the update could read
    assert sent[-2].startswith("UPDATE outbox")
    assert await fetch(url, "SELECT kind FROM outbox") == [("changed",)]


async def test_held_writes_run_in_their_order(db: Database, url: str) -> None:
    async with db.unit_of_work() as uow:
        for action in ("a", "b", "c", "d"):
            await uow.audit.record(TEAM, NOW, "U1", action)
        await uow.commit()
    rows = await fetch(url, "SELECT action FROM audit_log ORDER BY id")
    assert [r[0] for r in rows][-4:] == ["a", "b", "c", "d"]


async def _audit_then_advance_the_counter_wrongly(db: Database) -> None:
    async with db.unit_of_work() as uow:
        await uow.audit.record(TEAM, NOW, "U1", "before the counter")
        await _executor(uow).write_later(
            _COUNTER_ADVANCE, {"before": 41, "after": 42}, one="42 is not the next number"
        )
        await uow.commit()


async def test_a_held_write_asked_for_one_row_that_touches_none_fails_the_commit(
    db: Database, url: str
) -> None:
    with pytest.raises(StorageError, match="not the next number"):
        await _audit_then_advance_the_counter_wrongly(db)
    assert await fetch(url, "SELECT id FROM audit_log WHERE action LIKE 'before%'") == []


async def _audit_then_key_an_unknown_addon(db: Database) -> None:
    async with db.unit_of_work() as uow:
        await uow.audit.record(TEAM, NOW, "U1", "kept only with the rest")
        await uow.idempotency.put(TEAM, "key", 999_999, NOW)  # no such add-on
        await uow.commit()


async def test_a_failing_held_write_fails_the_commit_and_changes_nothing(
    db: Database, url: str
) -> None:
    with pytest.raises(StorageError):
        await _audit_then_key_an_unknown_addon(db)
    assert await fetch(url, "SELECT id FROM audit_log WHERE action LIKE 'kept%'") == []


async def test_a_rollback_drops_the_held_writes(db: Database, url: str) -> None:
    async with db.unit_of_work() as uow:
        await uow.audit.record(TEAM, NOW, "U1", "dropped")
    async with db.unit_of_work() as uow:
        await uow.audit.record(TEAM, NOW, "U1", "kept")
        await uow.commit()
    actions = [r[0] for r in await fetch(url, "SELECT action FROM audit_log")]
    assert "kept" in actions
    assert "dropped" not in actions


async def test_a_billing_turn_holds_the_invoice_counter_for_three_round_trips(
    db: Database, url: str, trips: RoundTrips
) -> None:
    ctx = services.Context(db)
    await services.book(ctx, TEAM, "users", 2, NOW, key="a", actor="U1")
    await services.book(ctx, TEAM, "storage", 3, NOW, key="b", actor="U1")
    trips.sent.clear()
    [turn] = await services.billing_run(ctx, NEXT_TURN)
    assert turn.invoice is not None
    assert turn.renewed == 2
    [sent] = [t for t in trips.transactions() if any("FROM counters" in s for s in t)]
    counter = next(i for i, s in enumerate(sent) if "FROM counters" in s)
    assert len(sent[counter:]) == 3  # the number, the rest, COMMIT
    assert sent[-2].startswith("WITH ")
    assert len(sent) <= 11  # was 19 with each write sent alone
    invoiced = await fetch(
        url, "SELECT count(*) FROM invoice_lines WHERE invoice_number = $1", turn.invoice.number
    )
    assert invoiced == [(4,)]  # two drafts marked, two renewals added


async def test_a_second_turn_of_the_same_shape_prepares_no_statement_anew(url: str) -> None:
    async with Database(url, pool_size=1) as one_connection:  # asyncpg prepares per connection
        ctx = services.Context(one_connection)
        for team in ("T0FIRST", "T0SECOND"):
            await services.set_workspace(ctx, team, ANCHOR, NOW)
            await services.book(ctx, team, "users", 2, NOW, key="a", actor="U1")
        await services.billing_run(ctx, NEXT_TURN, ["T0FIRST"])
        async with one_connection.unit_of_work() as uow:
            prepared = _executor(uow)._driver._stmt_cache
        before = len(prepared)
        [turn] = await services.billing_run(ctx, NEXT_TURN, ["T0SECOND"])
        assert turn.invoice is not None
        assert len(prepared) == before  # every statement, the merged ones too, known
