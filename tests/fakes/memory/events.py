"""CloudCRM's events of ``bot.ports`` in memory, with the order rule of the SQL claim."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.ports import WebhookEvent
from tests.fakes.memory.queue import LeasedRows
from tests.fakes.memory.tables import EventRow, IntegrityError, Tables, next_id


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _event(r: EventRow) -> WebhookEvent:
    return WebhookEvent(
        r.id,
        r.team_id,
        r.sequence,
        r.webhook_id,
        r.type,
        r.body,
        r.attempts,
        _instant(r.created_at),
        _instant(r.next_try_at),
        _instant(r.sent_at),
        _instant(r.failed_at),
        r.last_error,
    )


def _pending(r: EventRow) -> bool:
    return r.sent_at is None and r.failed_at is None


class Events(LeasedRows[WebhookEvent, EventRow]):
    """Events waiting for CloudCRM's webhook, each workspace's in order."""

    def _table(self, tables: Tables) -> dict[int, EventRow]:
        return tables.events

    def _item(self, row: EventRow) -> WebhookEvent:
        return _event(row)

    def _sent_changes(self) -> dict[str, Any]:
        return {"last_error": None}

    async def next_sequence(self, team_id: str) -> int:
        return max((r.sequence for r in self._rows() if r.team_id == team_id), default=0) + 1

    async def add(
        self, team_id: str, sequence: int, webhook_id: str, type: str, body: str, now: datetime
    ) -> None:
        tables = self._tx.write()
        for r in tables.events.values():
            if (r.team_id, r.sequence) == (team_id, sequence) or r.webhook_id == webhook_id:
                raise IntegrityError(f"UNIQUE: event {team_id!r} #{sequence}")
        event_id = next_id(tables.events)
        stamp = now.isoformat()
        tables.events[event_id] = EventRow(
            event_id, team_id, sequence, webhook_id, type, body, stamp, 0, stamp
        )

    def _due_rows(self, now: datetime) -> list[EventRow]:
        """The head of each workspace's queue, if its next try is due."""
        heads: dict[str, EventRow] = {}
        for r in self._rows():  # ids grow with sequences: the first pending row is the head
            if _pending(r) and r.team_id not in heads:
                heads[r.team_id] = r
        due = [r for r in heads.values() if datetime.fromisoformat(r.next_try_at) <= now]
        return sorted(due, key=lambda r: r.id)

    def _update(self, event_id: int, **changes: Any) -> int:
        tables = self._tx.write()
        row = tables.events.get(event_id)
        if row is None:
            return 0
        tables.events[event_id] = replace(row, **changes)
        return 1

    async def listing(self, failed_only: bool = False, limit: int = 100) -> list[WebhookEvent]:
        rows = [r for r in reversed(self._rows()) if not failed_only or r.failed_at is not None]
        return [_event(r) for r in rows[:limit]]

    async def retry(self, event_ids: list[int] | None, now: datetime) -> int:
        if event_ids is None:
            event_ids = [r.id for r in self._rows() if r.failed_at is not None]
        revived = 0
        for event_id in event_ids:
            row = self._tx.read().events.get(event_id)
            if row is not None and row.failed_at is not None:
                revived += self._update(
                    event_id, failed_at=None, attempts=0, next_try_at=now.isoformat()
                )
        return revived

    async def replay(self, team_id: str, since: int, now: datetime) -> int:
        replayed = 0
        for row in self._rows():
            if row.team_id == team_id and row.sequence >= since:
                replayed += self._update(
                    row.id, sent_at=None, failed_at=None, attempts=0, next_try_at=now.isoformat()
                )
        return replayed
