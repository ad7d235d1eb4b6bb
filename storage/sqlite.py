"""aiosqlite storage: migrations, repositories and the unit of work.

One unit of work is one transaction. Writers start with ``BEGIN IMMEDIATE`` so they take
SQLite's write lock before reading what they will change: two writers never interleave,
and a second booking with the same idempotency key sees the first one's row. Every query
of a repository is scoped by team id; nothing reaches another workspace's rows.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from datetime import date, datetime
from importlib import resources
from types import TracebackType
from typing import Any, Protocol

import aiosqlite

from bot.ports import AuditEntry, Busy, OutboxMessage
from domain.addons import AddOn, Status
from domain.invoices import Invoice, InvoiceLine, LineKind
from domain.money import Money
from domain.periods import Period
from domain.workspace import Subscription


class StorageError(Exception):
    """The database cannot serve the request as it is."""


class SchemaTooNew(StorageError):
    """The file was written by a newer version of the app than this one."""


class StorageBusy(StorageError, Busy):
    """Another process held the database lock for longer than the busy timeout."""


# -- migrations -----------------------------------------------------------------------


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every numbered migration shipped in storage/schema/."""
    found = []
    for entry in resources.files("storage").joinpath("schema").iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    if [v for v, _, _ in found] != list(range(1, len(found) + 1)):
        raise StorageError("migrations must be numbered 0001, 0002, ... without gaps")
    return found


def _statements(script: str) -> list[str]:
    """Split a migration into statements, so they can run inside our own transaction."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not buffer.strip().startswith("--"):
        statements.append(buffer.strip())
    return statements


async def _configure(conn: aiosqlite.Connection, busy_timeout_ms: int) -> None:
    await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    await _write_ahead_log(conn, busy_timeout_ms)
    await conn.execute("PRAGMA synchronous = NORMAL")
    await conn.execute("PRAGMA foreign_keys = ON")


async def _write_ahead_log(conn: aiosqlite.Connection, busy_timeout_ms: int) -> None:
    """Switch the file to WAL. SQLite answers "locked" at once, without its busy handler,
    while another connection is switching it too (two processes opening a new file),
    so wait here for as long as the busy timeout would."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + busy_timeout_ms / 1000
    while True:
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or loop.time() > deadline:
                raise
            await asyncio.sleep(0.02)


async def _user_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(conn: aiosqlite.Connection, target: int | None = None) -> list[str]:
    """Apply pending migrations (each in its own transaction); return their names."""
    known = migrations()
    latest = len(known) if target is None else target
    current = await _user_version(conn)
    if current > len(known):
        raise SchemaTooNew(
            f"the database is at schema version {current}, but this app knows only up to "
            f"{len(known)}: upgrade the app"
        )
    applied = []
    for version, name, sql in known:
        if version > latest:
            break
        await conn.execute("BEGIN IMMEDIATE")
        try:
            if await _user_version(conn) >= version:  # another process got here first
                await conn.execute("ROLLBACK")
                continue
            for statement in _statements(sql):
                await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {version}")
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


# -- row mapping ----------------------------------------------------------------------


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _addon(row: sqlite3.Row | tuple[Any, ...]) -> AddOn:
    return AddOn(
        id=row[0],
        option=row[1],
        quantity=row[2],
        booked_on=date.fromisoformat(row[3]),
        billed_until=_d(row[4]),
        status=Status(row[5]),
        effective_on=_d(row[6]),
        ended_on=_d(row[7]),
    )


ADDON_COLUMNS = "id, option, quantity, booked_on, billed_until, status, effective_on, ended_on"
LINE_COLUMNS = (
    "id, kind, addon_id, option, quantity, from_day, to_day, amount_cents, due_on, "
    "invoice_number, credits_line_id"
)


def _line(row: tuple[Any, ...]) -> InvoiceLine:
    return InvoiceLine(
        id=row[0],
        kind=LineKind(row[1]),
        addon_id=row[2],
        option=row[3],
        quantity=row[4],
        from_day=date.fromisoformat(row[5]),
        to_day=date.fromisoformat(row[6]),
        amount=Money(row[7]),
        due_on=date.fromisoformat(row[8]),
        invoice_number=row[9],
        credits_line_id=row[10],
    )


# -- repositories ---------------------------------------------------------------------


class _Repo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    # Each helper is one trip to aiosqlite's worker thread (execute, fetch and close
    # together): the trip, not SQLite, is what a use case mostly waits for.

    async def _all(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in await self._conn.execute_fetchall(sql, params)]

    async def _one(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        rows = list(await self._conn.execute_fetchall(sql, params))
        return tuple(rows[0]) if rows else None

    async def _insert(self, sql: str, params: tuple[Any, ...]) -> int:
        row = await self._conn.execute_insert(sql, params)
        assert row is not None
        return int(row[0])


class Subscriptions(_Repo):
    """Each workspace's subscription."""

    async def get(self, team_id: str) -> Subscription | None:
        row = await self._one(
            "SELECT team_id, anchor, timezone, locale, last_closed FROM subscriptions "
            "WHERE team_id = ?",
            (team_id,),
        )
        if row is None:
            return None
        return Subscription(row[0], date.fromisoformat(row[1]), row[2], row[3],
                            date.fromisoformat(row[4]))

    async def add(self, sub: Subscription, now: datetime) -> None:
        await self._conn.execute(
            "INSERT INTO subscriptions (team_id, anchor, timezone, locale, last_closed, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (sub.team_id, sub.anchor.isoformat(), sub.timezone, sub.locale,
             sub.closed_through.isoformat(), now.isoformat()),
        )

    async def save(self, sub: Subscription) -> None:
        await self._conn.execute(
            "UPDATE subscriptions SET anchor = ?, timezone = ?, locale = ?, last_closed = ? "
            "WHERE team_id = ?",
            (sub.anchor.isoformat(), sub.timezone, sub.locale, sub.closed_through.isoformat(),
             sub.team_id),
        )

    async def page_after(self, after: str, limit: int) -> list[Subscription]:
        """A page of subscriptions in team-id order, for runs over every workspace."""
        rows = await self._all(
            "SELECT team_id, anchor, timezone, locale, last_closed FROM subscriptions "
            "WHERE team_id > ? ORDER BY team_id LIMIT ?",
            (after, limit),
        )
        return [Subscription(r[0], date.fromisoformat(r[1]), r[2], r[3],
                             date.fromisoformat(r[4])) for r in rows]


class AddOns(_Repo):
    """A workspace's add-ons."""

    async def get(self, team_id: str, addon_id: int) -> AddOn | None:
        row = await self._one(
            f"SELECT {ADDON_COLUMNS} FROM addons WHERE team_id = ? AND id = ?",
            (team_id, addon_id),
        )
        return _addon(row) if row else None

    async def newest_first(self, team_id: str) -> list[AddOn]:
        """All add-ons, newest first."""
        rows = await self._all(
            f"SELECT {ADDON_COLUMNS} FROM addons WHERE team_id = ? ORDER BY id DESC",
            (team_id,),
        )
        return [_addon(r) for r in rows]

    async def live(self, team_id: str) -> list[AddOn]:
        """Active add-ons and those with a cancellation pending."""
        rows = await self._all(
            f"SELECT {ADDON_COLUMNS} FROM addons WHERE team_id = ? AND status IN (?, ?) "
            "ORDER BY id",
            (team_id, Status.ACTIVE.value, Status.CANCELLATION_PENDING.value),
        )
        return [_addon(r) for r in rows]

    async def add(self, team_id: str, addon: AddOn, now: datetime) -> int:
        return await self._insert(
            "INSERT INTO addons (team_id, option, quantity, booked_on, billed_until, status, "
            "effective_on, ended_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (team_id, addon.option, addon.quantity, addon.booked_on.isoformat(),
             _iso(addon.billed_until), addon.status.value, _iso(addon.effective_on),
             _iso(addon.ended_on), now.isoformat()),
        )

    async def save(self, team_id: str, addon: AddOn) -> None:
        await self._conn.execute(
            "UPDATE addons SET billed_until = ?, status = ?, effective_on = ?, ended_on = ? "
            "WHERE team_id = ? AND id = ?",
            (_iso(addon.billed_until), addon.status.value, _iso(addon.effective_on),
             _iso(addon.ended_on), team_id, addon.id),
        )

    async def save_many(self, team_id: str, addons: list[AddOn]) -> None:
        await self._conn.executemany(
            "UPDATE addons SET billed_until = ?, status = ?, effective_on = ?, ended_on = ? "
            "WHERE team_id = ? AND id = ?",
            [(_iso(a.billed_until), a.status.value, _iso(a.effective_on), _iso(a.ended_on),
              team_id, a.id) for a in addons],
        )

    async def count(self, team_id: str) -> int:
        row = await self._one("SELECT COUNT(*) FROM addons WHERE team_id = ?", (team_id,))
        return int(row[0]) if row else 0


class Lines(_Repo):
    """The invoice ledger: drafts (no invoice yet) and invoiced lines."""

    async def for_addon(self, team_id: str, addon_id: int) -> list[InvoiceLine]:
        rows = await self._all(
            f"SELECT {LINE_COLUMNS} FROM invoice_lines WHERE team_id = ? AND addon_id = ? "
            "ORDER BY id",
            (team_id, addon_id),
        )
        return [_line(r) for r in rows]

    async def drafts(self, team_id: str) -> list[InvoiceLine]:
        rows = await self._all(
            f"SELECT {LINE_COLUMNS} FROM invoice_lines WHERE team_id = ? "
            "AND invoice_number IS NULL ORDER BY id",
            (team_id,),
        )
        return [_line(r) for r in rows]

    async def for_invoice(self, number: int) -> list[InvoiceLine]:
        rows = await self._all(
            f"SELECT {LINE_COLUMNS} FROM invoice_lines WHERE invoice_number = ? "
            "ORDER BY addon_id, from_day, kind, id",
            (number,),
        )
        return [_line(r) for r in rows]

    def _row(self, team_id: str, line: InvoiceLine) -> tuple[Any, ...]:
        return (team_id, line.addon_id, line.kind.value, line.option, line.quantity,
                line.from_day.isoformat(), line.to_day.isoformat(), line.amount.cents,
                line.due_on.isoformat(), line.invoice_number, line.credits_line_id)

    _INSERT = (
        "INSERT INTO invoice_lines (team_id, addon_id, kind, option, quantity, from_day, "
        "to_day, amount_cents, due_on, invoice_number, credits_line_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )

    async def add(self, team_id: str, line: InvoiceLine) -> int:
        return await self._insert(self._INSERT, self._row(team_id, line))

    async def add_many(self, team_id: str, lines: list[InvoiceLine]) -> None:
        await self._conn.executemany(self._INSERT, [self._row(team_id, line) for line in lines])

    async def delete_drafts(self, team_id: str, ids: tuple[int, ...]) -> None:
        await self._conn.executemany(
            "DELETE FROM invoice_lines WHERE team_id = ? AND id = ? AND invoice_number IS NULL",
            [(team_id, i) for i in ids],
        )

    async def mark_invoiced(self, team_id: str, ids: list[int], number: int) -> None:
        await self._conn.executemany(
            "UPDATE invoice_lines SET invoice_number = ? WHERE team_id = ? AND id = ? "
            "AND invoice_number IS NULL",
            [(number, team_id, i) for i in ids],
        )


class Invoices(_Repo):
    """Issued consolidated invoices and the gapless number counter."""

    async def next_number(self) -> int:
        """The number the next invoice gets; taken only when ``add`` is committed."""
        row = await self._one("SELECT value FROM counters WHERE name = 'invoice_number'")
        assert row is not None
        return int(row[0]) + 1

    async def add(self, invoice: Invoice, now: datetime) -> None:
        """Store the invoice header and advance the counter, in the caller's transaction."""
        assert invoice.number is not None
        async with self._conn.execute(
            "UPDATE counters SET value = ? WHERE name = 'invoice_number' AND value = ?",
            (invoice.number, invoice.number - 1),
        ) as cursor:
            if cursor.rowcount != 1:  # the number was not the next one: never leave a gap
                raise StorageError(f"invoice number {invoice.number} is not the next number")
        await self._conn.execute(
            "INSERT INTO invoices (number, team_id, period_index, period_start, period_end, "
            "total_cents, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (invoice.number, invoice.team_id, invoice.period.index,
             invoice.period.start.isoformat(), invoice.period.end.isoformat(),
             invoice.total.cents, now.isoformat()),
        )

    async def _assemble(self, rows: list[tuple[Any, ...]]) -> list[Invoice]:
        lines = Lines(self._conn)
        result = []
        for number, team_id, index, start, end in rows:
            period = Period(index, date.fromisoformat(start), date.fromisoformat(end))
            result.append(Invoice(number, team_id, period, tuple(await lines.for_invoice(number))))
        return result

    async def newest_first(self, team_id: str, limit: int | None = None) -> list[Invoice]:
        """The workspace's invoices, newest first."""
        rows = await self._all(
            "SELECT number, team_id, period_index, period_start, period_end FROM invoices "
            "WHERE team_id = ? ORDER BY number DESC LIMIT ?",
            (team_id, -1 if limit is None else limit),
        )
        return await self._assemble(rows)

    async def get(self, number: int, team_id: str | None = None) -> Invoice | None:
        """One invoice by number; scoped to ``team_id`` when one is given."""
        sql = ("SELECT number, team_id, period_index, period_start, period_end FROM invoices "
               "WHERE number = ?")
        params: tuple[Any, ...] = (number,)
        if team_id is not None:
            sql += " AND team_id = ?"
            params += (team_id,)
        found = await self._assemble(await self._all(sql, params))
        return found[0] if found else None


class IdempotencyKeys(_Repo):
    """Which add-on a confirmation key already booked."""

    async def get(self, team_id: str, key: str) -> int | None:
        row = await self._one(
            "SELECT addon_id FROM idempotency_keys WHERE team_id = ? AND key = ?",
            (team_id, key),
        )
        return int(row[0]) if row else None

    async def put(self, team_id: str, key: str, addon_id: int, now: datetime) -> None:
        await self._conn.execute(
            "INSERT INTO idempotency_keys (team_id, key, addon_id, created_at) "
            "VALUES (?, ?, ?, ?)",
            (team_id, key, addon_id, now.isoformat()),
        )


class AuditLog(_Repo):
    """Who changed what, with the status before and after."""

    async def record(
        self,
        team_id: str,
        now: datetime,
        actor: str,
        action: str,
        addon_id: int | None = None,
        before: str | None = None,
        after: str | None = None,
        **detail: Any,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO audit_log (team_id, at, actor, action, addon_id, before_status, "
            "after_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (team_id, now.isoformat(), actor, action, addon_id, before, after,
             json.dumps(detail, default=str, sort_keys=True)),
        )

    async def newest_first(self, team_id: str) -> list[AuditEntry]:
        rows = await self._all(
            "SELECT id, team_id, at, actor, action, addon_id, before_status, after_status, "
            "detail FROM audit_log WHERE team_id = ? ORDER BY id DESC",
            (team_id,),
        )
        return [AuditEntry(r[0], r[1], datetime.fromisoformat(r[2]), r[3], r[4], r[5], r[6],
                           r[7], json.loads(r[8])) for r in rows]


    async def slack_actors(self, team_id: str) -> list[str]:
        """Slack user ids that have changed add-ons of this workspace (its acting admins)."""
        rows = await self._all(
            "SELECT DISTINCT actor FROM audit_log WHERE team_id = ? AND actor GLOB 'U*' "
            "ORDER BY actor",
            (team_id,),
        )
        return [r[0] for r in rows]


class Outbox(_Repo):
    """Messages waiting to be delivered to Slack."""

    async def add(self, team_id: str, event_key: str, kind: str, payload: dict[str, Any],
                  now: datetime) -> None:
        """Queue a message; the same event key is queued once, however often."""
        await self._conn.execute(
            "INSERT OR IGNORE INTO outbox (team_id, event_key, kind, payload, created_at, "
            "next_try_at) VALUES (?, ?, ?, ?, ?, ?)",
            (team_id, event_key, kind, json.dumps(payload, default=str, sort_keys=True),
             now.isoformat(), now.isoformat()),
        )

    async def due(self, now: datetime, limit: int = 50) -> list[OutboxMessage]:
        rows = await self._all(
            "SELECT id, team_id, event_key, kind, payload, attempts FROM outbox "
            "WHERE sent_at IS NULL AND failed_at IS NULL AND next_try_at <= ? "
            "ORDER BY id LIMIT ?",
            (now.isoformat(), limit),
        )
        return [OutboxMessage(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5]) for r in rows]

    async def lease(self, message_id: int, until: datetime) -> None:
        """Claim a message until ``until``; if its sender dies, it is due again then."""
        await self._conn.execute(
            "UPDATE outbox SET next_try_at = ? WHERE id = ?", (until.isoformat(), message_id)
        )

    async def mark_sent(self, message_id: int, now: datetime) -> None:
        await self._conn.execute(
            "UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?",
            (now.isoformat(), message_id),
        )

    async def retry_later(self, message_id: int, at: datetime, error: str) -> None:
        await self._conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_try_at = ?, last_error = ? "
            "WHERE id = ?",
            (at.isoformat(), error, message_id),
        )

    async def mark_failed(self, message_id: int, now: datetime, error: str) -> None:
        await self._conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, failed_at = ?, last_error = ? "
            "WHERE id = ?",
            (now.isoformat(), error, message_id),
        )

    async def all(self, team_id: str) -> list[dict[str, Any]]:
        rows = await self._all(
            "SELECT id, event_key, kind, payload, attempts, sent_at, failed_at, last_error "
            "FROM outbox WHERE team_id = ? ORDER BY id",
            (team_id,),
        )
        keys = ("id", "event_key", "kind", "payload", "attempts", "sent_at", "failed_at",
                "last_error")
        return [dict(zip(keys, r, strict=True)) for r in rows]


# -- unit of work and the database ----------------------------------------------------


class SqliteUnitOfWork:
    """One transaction over one pooled connection; rolled back unless committed."""

    def __init__(self, db: Database, write: bool) -> None:
        self._db = db
        self._write = write
        self._conn: aiosqlite.Connection | None = None
        self._done = False

    async def __aenter__(self) -> SqliteUnitOfWork:
        conn = await self._db._acquire(self._write)
        try:
            await conn.execute("BEGIN IMMEDIATE" if self._write else "BEGIN")
        except sqlite3.OperationalError as error:
            self._db._release(conn, self._write)
            if "locked" in str(error) or "busy" in str(error):
                raise StorageBusy("the database is busy; please try again") from error
            raise
        self._conn = conn
        self._done = False
        self.subscriptions = Subscriptions(conn)
        self.addons = AddOns(conn)
        self.lines = Lines(conn)
        self.invoices = Invoices(conn)
        self.idempotency = IdempotencyKeys(conn)
        self.audit = AuditLog(conn)
        self.outbox = Outbox(conn)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if not self._done:
                await conn.execute("ROLLBACK")
        finally:
            self._db._release(conn, self._write)

    async def commit(self) -> None:
        """Make every change of this unit of work durable at once."""
        assert self._conn is not None
        try:
            await self._conn.execute("COMMIT")
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise StorageBusy("the database is busy; please try again") from error
            raise
        self._done = True


# Slack gives an interaction 3 s. Waiting for a free connection and then for SQLite's
# write lock share one budget: after it, a request answers politely ("busy, nothing
# changed") instead of letting Slack time out.
DEFAULT_BUSY_TIMEOUT_MS = 2000
MIN_LOCK_WAIT_MS = 50


class Database:
    """A SQLite file with a small pool of connections, migrated when opened."""

    def __init__(
        self, path: str, pool_size: int = 4, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
    ) -> None:
        self.path = path
        self._pool_size = pool_size
        self._busy_timeout_ms = busy_timeout_ms
        self._idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all: list[aiosqlite.Connection] = []
        self._lock_wait: dict[int, int] = {}  # id(conn) -> its PRAGMA busy_timeout now
        self._writer = asyncio.Semaphore(1)
        self._readers = asyncio.Semaphore(max(1, pool_size - 1))

    async def _connect(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        self._all.append(conn)  # from here on, close() closes it, also if configuring fails
        await _configure(conn, self._busy_timeout_ms)
        self._lock_wait[id(conn)] = self._busy_timeout_ms
        return conn

    async def open(self, run_migrations: bool = True) -> list[str]:
        """Connect, apply pending migrations, fill the pool; return the migrations applied.

        If anything fails, every connection opened so far is closed again: an open
        aiosqlite connection is a running thread that would keep the process alive.
        """
        try:
            first = await self._connect()
            applied = await migrate(first) if run_migrations else []
            if await _user_version(first) != len(migrations()):
                raise StorageError("the database needs migrating: run `addons-bot migrate`")
            self._idle.put_nowait(first)
            for _ in range(self._pool_size - 1):
                self._idle.put_nowait(await self._connect())
        except BaseException:
            await self.close()
            raise
        return applied

    async def close(self) -> None:
        """Close every connection of the pool."""
        conns, self._all = self._all, []
        for conn in conns:
            await conn.close()
        self._idle = asyncio.Queue()
        self._lock_wait.clear()

    async def _acquire(self, write: bool) -> aiosqlite.Connection:
        """A pooled connection whose lock wait is what is left of the budget.

        Writers queue on one lock, first come first served, and readers may hold at most
        all connections but one: a booking never waits behind a crowd of overview reads,
        and this process's writers never spin in SQLite's busy handler against each other
        (other processes still meet the busy timeout).
        """
        loop = asyncio.get_running_loop()
        started = loop.time()
        gate = self._writer if write else self._readers
        budget = self._busy_timeout_ms / 1000
        try:
            await asyncio.wait_for(gate.acquire(), budget)
        except TimeoutError:
            raise StorageBusy("the database is busy; please try again") from None
        try:
            conn = await asyncio.wait_for(self._idle.get(),
                                          max(0.001, budget - (loop.time() - started)))
        except BaseException as error:
            gate.release()
            if isinstance(error, TimeoutError):
                raise StorageBusy("every database connection is busy; please try again") \
                    from None
            raise
        waited_ms = int((loop.time() - started) * 1000)
        wanted = max(MIN_LOCK_WAIT_MS, self._busy_timeout_ms - waited_ms)
        if waited_ms < MIN_LOCK_WAIT_MS:
            wanted = self._busy_timeout_ms
        if self._lock_wait.get(id(conn)) != wanted:  # one extra trip, only after a wait
            try:
                await conn.execute(f"PRAGMA busy_timeout = {wanted}")
            except BaseException:
                self._release(conn, write)
                raise
            self._lock_wait[id(conn)] = wanted
        return conn

    def _release(self, conn: aiosqlite.Connection, write: bool) -> None:
        self._idle.put_nowait(conn)
        (self._writer if write else self._readers).release()

    def unit_of_work(self, write: bool = True) -> SqliteUnitOfWork:
        """A new transaction: a writer takes the write lock at its start."""
        return SqliteUnitOfWork(self, write)

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class UnitOfWorkSource(Protocol):
    """Anything that hands out units of work: the use cases need nothing else of it.

    The SQLite pool below is one; a PostgreSQL backend for several app instances is
    meant to be another, behind the same repositories.
    """

    def unit_of_work(self, write: bool = True) -> SqliteUnitOfWork: ...


async def stream_subscriptions(
    db: UnitOfWorkSource, page: int = 500
) -> AsyncIterator[Subscription]:
    """Every subscription in team-id order, a page at a time, no transaction held open."""
    after = ""
    while True:
        async with db.unit_of_work(write=False) as uow:
            subs = await uow.subscriptions.page_after(after, page)
        if not subs:
            return
        for sub in subs:
            yield sub
        after = subs[-1].team_id
