"""One unit of work: one transaction over one pooled connection, every repository on it."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.errors import StorageBusy
from storage.journal import AuditLog, Outbox
from storage.repositories import AddOns, IdempotencyKeys, Invoices, Lines, Subscriptions

if TYPE_CHECKING:
    from storage.database import Database


def is_busy(error: DBAPIError) -> bool:
    """SQLite gave up waiting for a lock another connection holds."""
    message = str(error.orig)
    return "locked" in message or "busy" in message


class SqlUnitOfWork:
    """One transaction over one pooled connection; rolled back unless committed.

    Errors of the driver leave it as the driver raised them (``sqlite3.Error``), as
    before SQLAlchemy; lock waits over budget at the start or the commit as StorageBusy.
    """

    subscriptions: Subscriptions
    addons: AddOns
    lines: Lines
    invoices: Invoices
    idempotency: IdempotencyKeys
    audit: AuditLog
    outbox: Outbox

    def __init__(self, db: Database, write: bool) -> None:
        self._db = db
        self._write = write
        self._conn: AsyncConnection | None = None
        self._done = False

    async def __aenter__(self) -> SqlUnitOfWork:
        conn = await self._db._acquire(self._write)
        try:
            await conn.begin()
        except BaseException as error:
            await self._db._release(conn, self._write)
            if isinstance(error, DBAPIError):
                if is_busy(error):
                    raise StorageBusy("the database is busy; please try again") from error
                raise error.orig from error
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
                await conn.rollback()
        finally:
            await self._db._release(conn, self._write)
        if isinstance(exc, DBAPIError) and isinstance(exc.orig, Exception):
            raise exc.orig from exc

    async def commit(self) -> None:
        """Make every change of this unit of work durable at once."""
        assert self._conn is not None
        try:
            await self._conn.commit()
        except DBAPIError as error:
            if is_busy(error):
                raise StorageBusy("the database is busy; please try again") from error
            raise
        self._done = True
