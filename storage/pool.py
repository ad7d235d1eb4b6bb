"""The pool of connections units of work run on, under one busy budget.

Every connection is checked out of SQLAlchemy's pool once, when the database opens, and
handed out from here: a unit of work costs no pool bookkeeping. Writers queue on one
gate (one at a time on SQLite, whose file has one write lock; several on PostgreSQL,
whose writers of different workspaces run side by side), and readers may hold at most
all connections but one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.errors import StorageBusy, StorageError
from storage.executor import Executor

MIN_LOCK_WAIT_MS = 50
UNREACHABLE = "the database cannot be reached; nothing changed, please try again"


@dataclass
class Pooled:
    """A connection of the pool, with the executor its units of work use."""

    conn: AsyncConnection
    executor: Executor
    lock_wait_ms: int
    _set_lock_wait: Callable[[int], Awaitable[None]]
    lost: bool = False  # the connection is gone: the next unit of work opens a new one
    epoch: int = 0  # the pool's loss count when it was opened (older ones are gone too)

    async def set_lock_wait(self, ms: int) -> None:
        """How long the database waits for a lock on this connection."""
        await self._set_lock_wait(ms)
        self.lock_wait_ms = ms


class Pool:
    """Pooled connections, handed to one unit of work at a time within the budget."""

    def __init__(self, size: int, writers: int, busy_timeout_ms: int) -> None:
        self._busy_timeout_ms = busy_timeout_ms
        self._idle: asyncio.Queue[Pooled] = asyncio.Queue()
        self._writer = asyncio.Semaphore(writers)
        self._readers = asyncio.Semaphore(max(1, size - 1))
        self.open = False
        self._losses = 0  # how often a connection was found gone (an outage)
        # Opens a connection in place of one that is gone (set by the database).
        self.reconnect: Callable[[Pooled], Awaitable[Pooled]] | None = None
        self._cleaning: set[asyncio.Task[None]] = set()  # connections on their way back
        self._every: list[Pooled] = []  # every connection, handed out or not

    def add(self, pooled: Pooled) -> None:
        """One more connection to hand out."""
        self._idle.put_nowait(pooled)
        self._every.append(pooled)

    def clear(self) -> None:
        """Hand out nothing more, and let no connection run anything more, handed out
        or not (the database is closing them)."""
        for pooled in self._every:
            pooled.executor.close()
        self._every = []
        self._idle = asyncio.Queue()
        self.open = False

    async def acquire(self, write: bool) -> Pooled:
        """A pooled connection whose lock wait is what is left of the budget.

        Writers queue on one lock, first come first served, and readers may hold at most
        all connections but one: a booking never waits behind a crowd of overview reads,
        and this process's writers never spin in SQLite's busy handler against each other
        (other processes still meet the busy timeout).
        """
        if not self.open:
            raise StorageError("the database is not open")
        loop = asyncio.get_running_loop()
        started = loop.time()
        gate = self._writer if write else self._readers
        budget = self._busy_timeout_ms / 1000
        try:
            await asyncio.wait_for(gate.acquire(), budget)
        except TimeoutError:
            raise StorageBusy("the database is busy; please try again") from None
        try:
            pooled = await asyncio.wait_for(
                self._idle.get(), max(0.001, budget - (loop.time() - started))
            )
        except BaseException as error:
            gate.release()
            if isinstance(error, TimeoutError):
                raise StorageBusy("every database connection is busy; please try again") from None
            raise
        if (pooled.lost or pooled.epoch < self._losses) and self.reconnect is not None:
            try:  # gone, or opened before a loss: a new one within what is left
                fresh = await asyncio.wait_for(
                    self.reconnect(pooled), max(0.001, budget - (loop.time() - started))
                )
            except Exception as error:  # still down: keep the lost one for the next try
                self.release(pooled, write)
                raise StorageBusy(UNREACHABLE) from error
            fresh.epoch = self._losses
            self._every = [p for p in self._every if p is not pooled] + [fresh]
            pooled = fresh
        waited_ms = int((loop.time() - started) * 1000)
        wanted = max(MIN_LOCK_WAIT_MS, self._busy_timeout_ms - waited_ms)
        if waited_ms < MIN_LOCK_WAIT_MS:
            wanted = self._busy_timeout_ms
        if pooled.lock_wait_ms != wanted:  # one extra trip, only after a wait
            try:
                await pooled.set_lock_wait(wanted)
            except BaseException:
                self.release(pooled, write)
                raise
        return pooled

    def release_after(self, pooled: Pooled, write: bool, cleanup: Awaitable[None]) -> None:
        """Give the connection back once ``cleanup`` has run, in a task of its own (the
        caller was cancelled); a connection whose cleanup fails is opened anew."""

        async def clean_then_release() -> None:
            try:
                await cleanup
            except BaseException:
                pooled.lost = True
            finally:
                self.release(pooled, write)
                self._cleaning.discard(task)

        task = asyncio.get_running_loop().create_task(clean_then_release())
        self._cleaning.add(task)

    def release(self, pooled: Pooled, write: bool) -> None:
        """Give the connection back."""
        if pooled.lost and pooled.epoch == self._losses:
            # A connection that was lost says the server went away: every connection
            # opened before is gone too, so each is opened anew on its next use.
            self._losses += 1
        self._idle.put_nowait(pooled)
        (self._writer if write else self._readers).release()
