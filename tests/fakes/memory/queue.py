"""The delivery queue of ``bot.ports`` in memory: claim with a lease, record once per
claim, as ``storage.queue`` does in SQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from bot.ports import OutboxMessage, WebhookEvent
from tests.fakes.memory.repositories import Repo
from tests.fakes.memory.tables import EventRow, OutboxRow, Tables

Item = TypeVar("Item", OutboxMessage, WebhookEvent)
Row = TypeVar("Row", OutboxRow, EventRow)


class LeasedRows(Repo, Generic[Item, Row]):
    """The claim and the records over one table of rows with ``next_try_at``."""

    def _table(self, tables: Tables) -> dict[int, Row]:
        raise NotImplementedError

    def _item(self, row: Row) -> Item:
        raise NotImplementedError

    def _rows(self) -> list[Row]:
        rows = self._table(self._tx.read())
        return [rows[i] for i in sorted(rows)]

    def _due_rows(self, now: datetime) -> list[Row]:
        """Rows neither sent nor given up whose next try is due, oldest first."""
        return [
            r
            for r in self._rows()
            if r.sent_at is None
            and r.failed_at is None
            and datetime.fromisoformat(r.next_try_at) <= now
        ]

    async def due(self, now: datetime, limit: int = 50) -> list[Item]:
        return [self._item(r) for r in self._due_rows(now)[:limit]]

    async def claim(self, now: datetime, until: datetime, limit: int = 50) -> list[Item]:
        rows = self._due_rows(now)[:limit]
        table = self._table(self._tx.write())
        for r in rows:
            table[r.id] = replace(r, next_try_at=until.isoformat())
        return [replace(self._item(r), leased_until=until) for r in rows]

    def _record(self, item: Item, counted: bool, **changes: Any) -> bool:
        if item.leased_until is None:
            raise ValueError(f"item {item.id} was not claimed: there is no lease to record on")
        table = self._table(self._tx.write())
        row = table.get(item.id)
        if row is None or datetime.fromisoformat(row.next_try_at) != item.leased_until:
            return False
        if counted:
            changes["attempts"] = row.attempts + 1
        table[item.id] = replace(row, **changes)
        return True

    async def release(self, item: Item, now: datetime) -> bool:
        return self._record(item, False, next_try_at=now.isoformat())

    async def mark_sent(self, item: Item, now: datetime) -> bool:
        return self._record(item, True, sent_at=now.isoformat(), **self._sent_changes())

    def _sent_changes(self) -> dict[str, Any]:
        return {}

    async def retry_later(self, item: Item, at: datetime, error: str) -> bool:
        return self._record(item, True, next_try_at=at.isoformat(), last_error=error)

    async def mark_failed(self, item: Item, now: datetime, error: str) -> bool:
        return self._record(item, True, failed_at=now.isoformat(), last_error=error)
