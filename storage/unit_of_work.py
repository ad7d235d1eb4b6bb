"""One unit of work: one transaction over one pooled connection, every repository on it.

What goes wrong leaves it as the ports say: the driver's errors are translated by the
engine's module (``storage.sqlite`` or ``storage.postgres``) into ``StorageBusy`` (a
``Busy``: lock waits over budget), ``StorageConflict`` (a ``Conflict``: PostgreSQL's
deadlocks and serialization failures, after which nothing was changed) or a one-line
``StorageError``, on a statement as on commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType

from sqlalchemy.exc import DBAPIError

from storage import postgres
from storage.archive import Documents
from storage.corrections import Corrections
from storage.errors import StorageBusy, StorageError
from storage.events import Events
from storage.executor import Reading
from storage.journal import AuditLog, Outbox
from storage.ledger import Invoices, Lines
from storage.pool import UNREACHABLE, Pool, Pooled
from storage.repositories import AddOns, IdempotencyKeys, InboundRequests
from storage.subscriptions import Subscriptions

Translate = Callable[[BaseException], StorageError | None]


def is_disconnect(error: BaseException) -> bool:
    """The connection to the database is gone (server stopped, connection dropped): the
    transaction changed nothing that was not committed, and a new connection may do."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OSError) or postgres.is_unreachable(error)


class SqlUnitOfWork:
    """One transaction over one pooled connection; rolled back unless committed."""

    subscriptions: Subscriptions
    addons: AddOns
    lines: Lines
    invoices: Invoices
    corrections: Corrections
    idempotency: IdempotencyKeys
    inbound: InboundRequests
    audit: AuditLog
    outbox: Outbox
    events: Events
    documents: Documents

    def __init__(self, pool: Pool, translate: Translate, write: bool) -> None:
        self._pool = pool
        self._translate = translate
        self._write = write
        self._pooled: Pooled | None = None
        self._done = False

    def _raise_translated(self, error: BaseException) -> None:
        mapped = self._translate(error)
        if mapped is not None:
            raise mapped from error

    async def __aenter__(self) -> SqlUnitOfWork:
        try:
            pooled = await self._pool.acquire(self._write)
        except Exception as error:
            self._raise_translated(error)
            raise
        x = pooled.executor
        try:
            await x.begin(self._write)
        except BaseException as error:
            pooled.lost = is_disconnect(error)
            if isinstance(error, asyncio.CancelledError) and not pooled.lost:
                # The BEGIN may still start (in aiosqlite's thread, or on the server):
                # the connection goes back once that is rolled back, not before.
                self._pool.release_after(pooled, self._write, x.rollback())
                raise
            if not pooled.lost:
                await self._end_quietly(pooled)
            self._pool.release(pooled, self._write)
            if pooled.lost:
                raise StorageBusy(UNREACHABLE) from error
            self._raise_translated(error)
            raise
        self._pooled = pooled
        self._done = False
        if not self._write:
            x = Reading(x)  # a reader's repositories refuse to write
        self.subscriptions = Subscriptions(x)
        self.addons = AddOns(x)
        self.lines = Lines(x)
        self.invoices = Invoices(x)
        self.corrections = Corrections(x)
        self.idempotency = IdempotencyKeys(x)
        self.inbound = InboundRequests(x)
        self.audit = AuditLog(x)
        self.outbox = Outbox(x)
        self.events = Events(x)
        self.documents = Documents(x)
        return self

    @staticmethod
    async def _end_quietly(pooled: Pooled) -> None:
        """Roll back whatever a failed BEGIN may have left open; a connection that
        cannot is opened anew on its next use."""
        try:
            await pooled.executor.rollback()
        except Exception:
            pooled.lost = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pooled, self._pooled = self._pooled, None
        if pooled is None:
            return
        pooled.lost = exc is not None and is_disconnect(exc)
        try:
            if not self._done and not pooled.lost:
                await pooled.executor.rollback()
        except Exception as error:
            if is_disconnect(error):
                pooled.lost = True
            elif exc is None:  # else the first error is the one to tell
                self._raise_translated(error)
                raise
        finally:
            self._pool.release(pooled, self._write)
        if pooled.lost:  # nothing was committed: "busy, nothing changed, try again"
            raise StorageBusy(UNREACHABLE) from exc
        if exc is not None:
            self._raise_translated(exc)

    async def claim_workspace(self, team_id: str) -> bool:
        """Hold the workspace ``team_id`` for this writer if no other transaction holds it
        now; False at once if one does (nothing is held then). PostgreSQL: the same
        advisory lock every statement about the workspace takes, tried without waiting.
        SQLite: always True (this writer holds the whole file)."""
        assert self._pooled is not None  # errors are translated on leaving, as statements'
        return await self._pooled.executor.claim_workspace(team_id)

    async def commit(self) -> None:
        """Make every change of this unit of work durable at once."""
        assert self._pooled is not None
        try:
            await self._pooled.executor.commit()
        except Exception as error:
            if is_disconnect(error):
                self._pooled.lost = True
                raise StorageBusy(UNREACHABLE) from error
            self._raise_translated(error)
            raise
        self._done = True
