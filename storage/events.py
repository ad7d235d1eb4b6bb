"""CloudCRM's events on SQLAlchemy Core: the webhook outbox, apart from Slack's.

The claim query has the outbox's shape (``storage.journal``): a SELECT of due rows, then
a lease per row, so row locks (PostgreSQL's SKIP LOCKED) can follow it the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, insert, select, update
from sqlalchemy.orm import aliased

from bot.ports import WebhookEvent
from storage.repositories import Repository, Row
from storage.tables import events

_e = events
_earlier = aliased(_e, name="earlier")
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
_PENDING = and_(_e.c.sent_at.is_(None), _e.c.failed_at.is_(None))
# The head of each workspace's queue: nothing earlier of its workspace is still pending.
_DUE = (
    select(*_COLUMNS)
    .where(
        _PENDING,
        _e.c.next_try_at <= bindparam("now", type_=_e.c.next_try_at.type),
        ~exists().where(
            _earlier.c.team_id == _e.c.team_id,
            _earlier.c.sequence < _e.c.sequence,
            _earlier.c.sent_at.is_(None),
            _earlier.c.failed_at.is_(None),
        ),
    )
    .order_by(_e.c.id)
    .limit(bindparam("n"))
)
_LEASE = update(_e).where(_e.c.id == bindparam("b_id")).values(next_try_at=bindparam("until"))
_SENT = (
    update(_e)
    .where(_e.c.id == bindparam("b_id"))
    .values(sent_at=bindparam("now"), attempts=_e.c.attempts + 1, last_error=None)
)
_RETRY = (
    update(_e)
    .where(_e.c.id == bindparam("b_id"))
    .values(attempts=_e.c.attempts + 1, next_try_at=bindparam("at"), last_error=bindparam("error"))
)
_FAILED = (
    update(_e)
    .where(_e.c.id == bindparam("b_id"))
    .values(attempts=_e.c.attempts + 1, failed_at=bindparam("now"), last_error=bindparam("error"))
)
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


class Events(Repository):
    """Events waiting for CloudCRM's webhook, each workspace's in order."""

    async def next_sequence(self, team_id: str) -> int:
        """The sequence number the workspace's next event gets (1 for the first)."""
        row = await self._one(_NEXT_SEQUENCE, {"team_id": team_id})
        return int(row[0]) if row else 1

    async def add(
        self, team_id: str, sequence: int, webhook_id: str, type: str, body: str, now: datetime
    ) -> None:
        """Queue an event, due at once."""
        values: dict[str, Any] = {
            "team_id": team_id,
            "sequence": sequence,
            "webhook_id": webhook_id,
            "type": type,
            "body": body,
            "created_at": now,
            "next_try_at": now,
        }
        await self._x.write(_INSERT, values)

    async def due(self, now: datetime, limit: int = 50) -> list[WebhookEvent]:
        """The oldest pending event of each workspace, if its next try is due."""
        return [_event(r) for r in await self._all(_DUE, {"now": now, "n": limit})]

    async def lease(self, event_id: int, until: datetime) -> None:
        """Claim an event until ``until``; if its sender dies, it is due again then."""
        await self._x.write(_LEASE, {"b_id": event_id, "until": until})

    async def mark_sent(self, event_id: int, now: datetime) -> None:
        """CloudCRM took the event (a 2xx)."""
        await self._x.write(_SENT, {"b_id": event_id, "now": now})

    async def retry_later(self, event_id: int, at: datetime, error: str) -> None:
        """Delivery failed for now: try again at ``at``."""
        await self._x.write(_RETRY, {"b_id": event_id, "at": at, "error": error})

    async def mark_failed(self, event_id: int, now: datetime, error: str) -> None:
        """Delivery failed for good (until an operator retries it)."""
        await self._x.write(_FAILED, {"b_id": event_id, "now": now, "error": error})

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
        written = await self._x.write(_REPLAY, {"b_team": team_id, "b_since": since, "now": now})
        return int(written.rowcount)
