"""The one delivery queue on SQLAlchemy Core: claim with a lease, record once per claim.

Slack's direct messages (table ``outbox``) and CloudCRM's events (table ``events``) are
the same queue over two tables: rows written with the change that caused them, a
``next_try_at`` that is the due time of a waiting row and the lease of a claimed one,
``sent_at``/``failed_at`` once done. The claim, the lease and the records exist once,
here (``LeasedQueue``); ``storage.journal`` and ``storage.events`` add what is their own
(adding rows, listings).

How a claim stays one sender's:
- on PostgreSQL a writer selects the due rows ``FOR UPDATE SKIP LOCKED``: rows another
  sender is claiming right now are skipped, not waited for; a row whose claim committed
  meanwhile is read again by the lock and no longer matches (its lease lies ahead);
- on SQLite the writer holds the file's write lock from its first statement;
- on both, the lease is written only ``WHERE`` the row is still due, and only rows whose
  lease was written are handed out.
Each record (sent, retry, failed, release) names the lease it was claimed with: a sender
whose lease ran out while it worked, and whose row another sender claimed since, records
nothing (its ``attempts`` are not counted twice). With ``ordered`` (events), a row is due
only while no earlier row of its workspace is pending: each workspace's queue is served
head first, one at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Table, and_, bindparam, exists, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select, Update

from bot.ports import OutboxMessage, WebhookEvent
from storage.repositories import Repository, Row

Item = TypeVar("Item", OutboxMessage, WebhookEvent)


@dataclass(frozen=True)
class QueueTable(Generic[Item]):
    """One table of the queue: its columns as an item, and whether it is ordered."""

    table: Table
    columns: Sequence[Any]  # what ``item`` reads, in order
    item: Callable[[Row], Item]
    ordered: bool  # True: per workspace, head of the queue first, one at a time
    sent_clears_error: bool = False  # a delivered row keeps no error (events)


class _Statements:
    """The statements of one queue table, built once."""

    def __init__(self, spec: QueueTable[Any]) -> None:
        t = spec.table
        now = bindparam("now", type_=t.c.next_try_at.type)
        due: list[ColumnElement[bool]] = [
            t.c.sent_at.is_(None),
            t.c.failed_at.is_(None),
            t.c.next_try_at <= now,
        ]
        if spec.ordered:
            earlier = aliased(t, name="earlier")
            due.append(
                ~exists().where(
                    earlier.c.team_id == t.c.team_id,
                    earlier.c.sequence < t.c.sequence,
                    earlier.c.sent_at.is_(None),
                    earlier.c.failed_at.is_(None),
                )
            )
        self.due: Select[Any] = (
            select(*spec.columns).where(*due).order_by(t.c.id).limit(bindparam("n"))
        )
        self.claim = self.due.with_for_update(skip_locked=True, of=t)
        self.lease: Update = (
            update(t)
            .where(t.c.id == bindparam("b_id"), *due[:3])
            .values(next_try_at=bindparam("until"))
        )
        held = and_(t.c.id == bindparam("b_id"), t.c.next_try_at == bindparam("lease"))
        sent: dict[str, Any] = {"sent_at": bindparam("at"), "attempts": t.c.attempts + 1}
        if spec.sent_clears_error:
            sent["last_error"] = None
        self.sent = update(t).where(held).values(**sent)
        self.retry = (
            update(t)
            .where(held)
            .values(
                attempts=t.c.attempts + 1,
                next_try_at=bindparam("at"),
                last_error=bindparam("error"),
            )
        )
        self.failed = (
            update(t)
            .where(held)
            .values(
                attempts=t.c.attempts + 1, failed_at=bindparam("at"), last_error=bindparam("error")
            )
        )
        self.release = update(t).where(held).values(next_try_at=bindparam("at"))


class LeasedQueue(Repository, Generic[Item]):
    """The claim, the lease and the records of one queue table (see the module's doc)."""

    spec: QueueTable[Item]
    _statements: _Statements

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "spec" in cls.__dict__:
            cls._statements = _Statements(cls.spec)

    async def due(self, now: datetime, limit: int = 50) -> list[Item]:
        """The items a claim at ``now`` would get, without claiming them."""
        rows = await self._all(self._statements.due, {"now": now, "n": limit})
        return [self.spec.item(r) for r in rows]

    async def claim(self, now: datetime, until: datetime, limit: int = 50) -> list[Item]:
        """Lease up to ``limit`` due items until ``until``, oldest first."""
        s = self._statements
        statement = s.claim if self._x.row_locks else s.due
        claimed: list[Item] = []
        for row in await self._all(statement, {"now": now, "n": limit}):
            item = self.spec.item(row)
            leased = await self._x.write(s.lease, {"b_id": item.id, "now": now, "until": until})
            if leased.rowcount:
                claimed.append(replace(item, leased_until=until))
        return claimed

    async def _record(self, statement: Update, item: Item, **values: Any) -> bool:
        if item.leased_until is None:
            raise ValueError(f"item {item.id} was not claimed: there is no lease to record on")
        written = await self._x.write(
            statement, {"b_id": item.id, "lease": item.leased_until, **values}
        )
        return written.rowcount > 0

    async def release(self, item: Item, now: datetime) -> bool:
        """Give a claimed item back unsent: due again at ``now``, for any sender."""
        return await self._record(self._statements.release, item, at=now)

    async def mark_sent(self, item: Item, now: datetime) -> bool:
        """The claimed item was delivered."""
        return await self._record(self._statements.sent, item, at=now)

    async def retry_later(self, item: Item, at: datetime, error: str) -> bool:
        """Delivery of the claimed item failed for now: try again at ``at``."""
        return await self._record(self._statements.retry, item, at=at, error=error)

    async def mark_failed(self, item: Item, now: datetime, error: str) -> bool:
        """Delivery of the claimed item failed for good."""
        return await self._record(self._statements.failed, item, at=now, error=error)
