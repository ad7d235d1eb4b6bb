"""The in-memory store: units of work with the transaction semantics of the database.

A unit of work starts from a snapshot of what was committed; its changes are applied
only by ``commit()`` and dropped otherwise. Writers take one lock for their whole
transaction, as SQLite's ``BEGIN IMMEDIATE`` does, so what a writer read stays true
until it commits and two writers never interleave; readers never wait. Nothing here is
ever busy on its own: there is no other process to wait for. A test may still make the
next writers' commits end as a ``Conflict`` (``conflict_next``), as PostgreSQL ends a
deadlocked or unserializable transaction, to prove the use cases run again. Nor does
another transaction ever hold a workspace a writer claims (it holds them all); a test
may still say that another process holds one (``held_elsewhere``), as a PostgreSQL
writer's claim finds it, to prove a run over every workspace passes it over.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

from bot.ports import Conflict
from tests.fakes.memory.corrections import Corrections
from tests.fakes.memory.documents import Documents
from tests.fakes.memory.events import Events
from tests.fakes.memory.records import AuditLog, Outbox
from tests.fakes.memory.repositories import (
    AddOns,
    IdempotencyKeys,
    InboundRequests,
    Invoices,
    Lines,
    Subscriptions,
)
from tests.fakes.memory.tables import Tables, as_rows

# A writer waiting this long is waiting for itself (a unit of work opened inside
# another): fail loudly instead of hanging the test run.
WRITER_WAIT_SECONDS = 10.0


class NotInTransaction(Exception):
    """A repository was used outside its unit of work, or a reader tried to write."""


class MemoryUnitOfWork:
    """One transaction over a snapshot of the store; rolled back unless committed."""

    def __init__(self, store: MemoryStore, write: bool) -> None:
        self._store = store
        self._write = write
        self._tables: Tables | None = None
        self._holds_lock = False
        self.subscriptions = Subscriptions(self)
        self.addons = AddOns(self)
        self.lines = Lines(self)
        self.invoices = Invoices(self)
        self.corrections = Corrections(self)
        self.idempotency = IdempotencyKeys(self)
        self.inbound = InboundRequests(self)
        self.audit = AuditLog(self)
        self.outbox = Outbox(self)
        self.events = Events(self)
        self.documents = Documents(self)

    def read(self) -> Tables:
        """The tables as this transaction sees them."""
        if self._tables is None:
            raise NotInTransaction("the unit of work is not open (or already committed)")
        return self._tables

    def write(self) -> Tables:
        """The tables, to change; only a writer may."""
        if not self._write:
            raise NotInTransaction("a reading unit of work (write=False) cannot change data")
        return self.read()

    async def __aenter__(self) -> MemoryUnitOfWork:
        await asyncio.sleep(0)  # a round trip to the database: others may run meanwhile
        if self._write:
            try:
                await asyncio.wait_for(self._store.writer.acquire(), WRITER_WAIT_SECONDS)
            except TimeoutError:
                raise RuntimeError(
                    "a writer waited 10 s for the write lock: a unit of work inside another?"
                ) from None
            self._holds_lock = True
        self._tables = self._store.committed.copy()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._tables = None  # what was not committed is dropped: the rollback
        if self._holds_lock:
            self._holds_lock = False
            self._store.writer.release()

    async def claim_workspace(self, team_id: str) -> bool:
        """True (this writer holds the whole store), unless a test said another process
        holds the workspace."""
        self.read()
        if not self._write:
            return True
        await asyncio.sleep(0)  # the claim's round trip
        return team_id not in self._store.held_elsewhere

    async def commit(self) -> None:
        """Make every change of this unit of work visible at once."""
        tables = self.read()
        await asyncio.sleep(0)  # the commit's round trip: others may run meanwhile
        if self._write and self._store.conflicts_ahead > 0:
            self._store.conflicts_ahead -= 1
            self._store.conflicts_raised += 1
            raise Conflict("the transaction met another one (injected)")
        if self._write:
            self._store.committed = tables
        self._tables = None


class MemoryStore:
    """The ports of ``bot.ports`` in memory: a ``UnitOfWorkSource`` for the use cases."""

    def __init__(self) -> None:
        self.committed = Tables()
        self.writer = asyncio.Lock()
        self.conflicts_ahead = 0  # how many of the next writers' commits end as Conflict
        self.conflicts_raised = 0
        self.held_elsewhere: set[str] = set()  # workspaces "another process" holds now

    def conflict_next(self, count: int) -> None:
        """End the next ``count`` writing transactions at commit with a Conflict."""
        self.conflicts_ahead = count

    def unit_of_work(self, write: bool = True) -> MemoryUnitOfWork:
        """A new transaction over a snapshot of what is committed now."""
        return MemoryUnitOfWork(self, write)

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every committed row, in the column order of the SQLite tables."""
        return as_rows(self.committed)
