"""The audit log and the outbox on SQLAlchemy Core: what happened, and what to tell."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Text, bindparam, func, insert, select, type_coerce
from sqlalchemy.dialects import postgresql, sqlite

from bot.ports import AuditEntry, OutboxMessage
from storage.executor import Executor
from storage.queue import LeasedQueue, QueueTable
from storage.repositories import Repository, Row
from storage.tables import audit_log, outbox

_g = audit_log
_AUDIT_INSERT = insert(_g)
_AUDIT_NEWEST = (
    select(
        _g.c.id,
        _g.c.team_id,
        _g.c.at,
        _g.c.actor,
        _g.c.action,
        _g.c.addon_id,
        _g.c.before_status,
        _g.c.after_status,
        _g.c.detail,
    )
    .where(_g.c.team_id == bindparam("team_id"))
    .order_by(_g.c.id.desc())
)
# Slack user ids start with "U". substr() compares case-sensitively on SQLite and
# PostgreSQL alike (SQLite's LIKE would not).
_AUDIT_ACTORS = (
    select(_g.c.actor)
    .distinct()
    .where(_g.c.team_id == bindparam("team_id"), func.substr(_g.c.actor, 1, 1) == "U")
    .order_by(_g.c.actor)
)


class AuditLog(Repository):
    """Who changed what, with the status before and after.

    The acting admins are read once per unit of work, again after it records an entry
    (the writer holds the workspace: no one else records meanwhile)."""

    def __init__(self, executor: Executor) -> None:
        super().__init__(executor)
        self._actors: dict[str, list[str]] = {}

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
        """Add an entry."""
        self._actors.pop(team_id, None)
        await self._workspace(team_id)
        await self._x.write_later(
            _AUDIT_INSERT,
            {
                "team_id": team_id,
                "at": now,
                "actor": actor,
                "action": action,
                "addon_id": addon_id,
                "before_status": before,
                "after_status": after,
                "detail": json.dumps(detail, default=str, sort_keys=True),
            },
        )

    async def newest_first(self, team_id: str) -> list[AuditEntry]:
        """The workspace's entries, newest first."""
        await self._workspace(team_id)
        rows = await self._all(_AUDIT_NEWEST, {"team_id": team_id})
        return [
            AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], json.loads(r[8]))
            for r in rows
        ]

    async def slack_actors(self, team_id: str) -> list[str]:
        """Slack user ids that have changed add-ons of this workspace (its acting admins)."""
        if team_id not in self._actors:
            await self._workspace(team_id)
            rows = await self._all(_AUDIT_ACTORS, {"team_id": team_id})
            self._actors[team_id] = [r[0] for r in rows]
        return list(self._actors[team_id])


_o = outbox
_OUTBOX_INSERT = {
    "sqlite": sqlite.insert(_o).on_conflict_do_nothing(),
    "postgresql": postgresql.insert(_o).on_conflict_do_nothing(),
}
# The instants as stored (text on SQLite), as this listing has always shown them.
_OUTBOX_ALL = (
    select(
        _o.c.id,
        _o.c.event_key,
        _o.c.kind,
        _o.c.payload,
        _o.c.attempts,
        type_coerce(_o.c.sent_at, Text),
        type_coerce(_o.c.failed_at, Text),
        _o.c.last_error,
    )
    .where(_o.c.team_id == bindparam("team_id"))
    .order_by(_o.c.id)
)
_OUTBOX_KEYS = (
    "id",
    "event_key",
    "kind",
    "payload",
    "attempts",
    "sent_at",
    "failed_at",
    "last_error",
)


def _message(r: Row) -> OutboxMessage:
    return OutboxMessage(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5])


class Outbox(LeasedQueue[OutboxMessage]):
    """Direct messages waiting to be delivered to Slack, in no order of their own."""

    spec = QueueTable(
        _o,
        (_o.c.id, _o.c.team_id, _o.c.event_key, _o.c.kind, _o.c.payload, _o.c.attempts),
        _message,
        ordered=False,
    )

    async def add(
        self, team_id: str, event_key: str, kind: str, payload: dict[str, Any], now: datetime
    ) -> None:
        """Queue a message; the same event key is queued once, however often."""
        await self._workspace(team_id)
        await self._x.write_later(
            _OUTBOX_INSERT[self._x.dialect_name],
            {
                "team_id": team_id,
                "event_key": event_key,
                "kind": kind,
                "payload": json.dumps(payload, default=str, sort_keys=True),
                "created_at": now,
                "next_try_at": now,
            },
        )

    async def all(self, team_id: str) -> list[dict[str, Any]]:
        """Every message of the workspace, oldest first, as stored."""
        await self._workspace(team_id)
        rows = await self._all(_OUTBOX_ALL, {"team_id": team_id})
        return [dict(zip(_OUTBOX_KEYS, r, strict=True)) for r in rows]
