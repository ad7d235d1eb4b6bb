"""CloudCRM's events on SQLAlchemy Core: the delivery queue of ``storage.queue`` over the
``events`` table, ordered per workspace, with its sequence numbers and listings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from bot.ports import WebhookEvent
from storage.executor import Executor
from storage.queue import LeasedQueue, QueueTable
from storage.repositories import Row
from storage.tables import events

_e = events
_COLUMNS = (
    _e.c.id,
    _e.c.team_id,
    _e.c.sequence,
    _e.c.webhook_id,
    _e.c.type,
    _e.c.body,
    _e.c.attempts,
    _e.c.created_at,
    _e.c.next_try_at,
    _e.c.sent_at,
    _e.c.failed_at,
    _e.c.last_error,
)
_NEXT_SEQUENCE = select(func.coalesce(func.max(_e.c.sequence), 0) + 1).where(
    _e.c.team_id == bindparam("team_id")
)
_INSERT = insert(_e)
_LIST = select(*_COLUMNS).order_by(_e.c.id.desc()).limit(bindparam("n"))
_LIST_FAILED = (
    select(*_COLUMNS)
    .where(_e.c.failed_at.is_not(None))
    .order_by(_e.c.id.desc())
    .limit(bindparam("n"))
)
_REVIVE: dict[str, Any] = {"failed_at": None, "attempts": 0, "next_try_at": bindparam("now")}
_RETRY_ONE = (
    update(_e).where(_e.c.id == bindparam("b_id"), _e.c.failed_at.is_not(None)).values(**_REVIVE)
)
_REPLAY = (
    update(_e)
    .where(_e.c.team_id == bindparam("b_team"), _e.c.sequence >= bindparam("b_since"))
    .values(sent_at=None, **_REVIVE)
)
_FAILED_IDS = select(_e.c.id).where(_e.c.failed_at.is_not(None)).order_by(_e.c.id)


def _event(r: Row) -> WebhookEvent:
    return WebhookEvent(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11])


class Events(LeasedQueue[WebhookEvent]):
    """Events waiting for CloudCRM's webhook, each workspace's in order."""

    spec = QueueTable(_e, _COLUMNS, _event, ordered=True, sent_clears_error=True)

    def __init__(self, executor: Executor) -> None:
        super().__init__(executor)
        # The next sequence per workspace, read once per unit of work and counted on
        # from there (the writer holds the workspace: no one else adds meanwhile).
        self._next: dict[str, int] = {}

    async def next_sequence(self, team_id: str) -> int:
        """The sequence number the workspace's next event gets (1 for the first)."""
        if team_id not in self._next:
            await self._workspace(team_id)
            row = await self._one(_NEXT_SEQUENCE, {"team_id": team_id})
            self._next[team_id] = int(row[0]) if row else 1
        return self._next[team_id]

    async def add(
        self, team_id: str, sequence: int, webhook_id: str, type: str, body: str, now: datetime
    ) -> None:
        """Queue an event, due at once."""
        await self._workspace(team_id)
        values: dict[str, Any] = {
            "team_id": team_id,
            "sequence": sequence,
            "webhook_id": webhook_id,
            "type": type,
            "body": body,
            "created_at": now,
            "next_try_at": now,
        }
        await self._x.write_later(_INSERT, values)
        self._next[team_id] = max(sequence + 1, self._next.get(team_id, 0))

    async def listing(self, failed_only: bool = False, limit: int = 100) -> list[WebhookEvent]:
        """Events newest first (only those given up with ``failed_only``)."""
        statement = _LIST_FAILED if failed_only else _LIST
        return [_event(r) for r in await self._all(statement, {"n": limit})]

    async def retry(self, event_ids: list[int] | None, now: datetime) -> int:
        """Make failed events due again (these, or every failed one); how many."""
        if event_ids is None:
            event_ids = [int(r[0]) for r in await self._all(_FAILED_IDS)]
        revived = 0
        for event_id in event_ids:
            written = await self._x.write(_RETRY_ONE, {"b_id": event_id, "now": now})
            revived += written.rowcount
        return revived

    async def replay(self, team_id: str, since: int, now: datetime) -> int:
        """Queue the workspace's events from sequence ``since`` on again (same ids); how many."""
        await self._workspace(team_id)
        written = await self._x.write(_REPLAY, {"b_team": team_id, "b_since": since, "now": now})
        return int(written.rowcount)
