"""The audit log and the outbox on SQLAlchemy Core: what happened, and what to tell."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Text, bindparam, func, insert, select, type_coerce, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.ports import AuditEntry, OutboxMessage
from storage.repositories import Repository
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
    """Who changed what, with the status before and after."""

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
        await self._x.write(
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
        rows = await self._all(_AUDIT_NEWEST, {"team_id": team_id})
        return [
            AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], json.loads(r[8]))
            for r in rows
        ]

    async def slack_actors(self, team_id: str) -> list[str]:
        """Slack user ids that have changed add-ons of this workspace (its acting admins)."""
        return [r[0] for r in await self._all(_AUDIT_ACTORS, {"team_id": team_id})]


_o = outbox
_OUTBOX_INSERT = {
    "sqlite": sqlite.insert(_o).on_conflict_do_nothing(),
    "postgresql": postgresql.insert(_o).on_conflict_do_nothing(),
}
_OUTBOX_DUE = (
    select(_o.c.id, _o.c.team_id, _o.c.event_key, _o.c.kind, _o.c.payload, _o.c.attempts)
    .where(
        _o.c.sent_at.is_(None),
        _o.c.failed_at.is_(None),
        _o.c.next_try_at <= bindparam("now", type_=_o.c.next_try_at.type),
    )
    .order_by(_o.c.id)
    .limit(bindparam("n"))
)
# A PostgreSQL writer claims due messages: rows another sender is claiming right now are
# skipped, not waited for, and each is leased (and so sent) by one sender only.
_OUTBOX_CLAIM = _OUTBOX_DUE.with_for_update(skip_locked=True)
_OUTBOX_LEASE = (
    update(_o).where(_o.c.id == bindparam("b_id")).values(next_try_at=bindparam("until"))
)
_OUTBOX_SENT = (
    update(_o)
    .where(_o.c.id == bindparam("b_id"))
    .values(sent_at=bindparam("now"), attempts=_o.c.attempts + 1)
)
_OUTBOX_RETRY = (
    update(_o)
    .where(_o.c.id == bindparam("b_id"))
    .values(attempts=_o.c.attempts + 1, next_try_at=bindparam("at"), last_error=bindparam("error"))
)
_OUTBOX_FAILED = (
    update(_o)
    .where(_o.c.id == bindparam("b_id"))
    .values(attempts=_o.c.attempts + 1, failed_at=bindparam("now"), last_error=bindparam("error"))
)
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


class Outbox(Repository):
    """Messages waiting to be delivered to Slack."""

    async def add(
        self, team_id: str, event_key: str, kind: str, payload: dict[str, Any], now: datetime
    ) -> None:
        """Queue a message; the same event key is queued once, however often."""
        await self._x.write(
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

    async def due(self, now: datetime, limit: int = 50) -> list[OutboxMessage]:
        """Messages neither sent nor given up whose next try is due, oldest first."""
        statement = _OUTBOX_CLAIM if self._x.row_locks else _OUTBOX_DUE
        rows = await self._all(statement, {"now": now, "n": limit})
        return [OutboxMessage(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5]) for r in rows]

    async def lease(self, message_id: int, until: datetime) -> None:
        """Claim a message until ``until``; if its sender dies, it is due again then."""
        await self._x.write(_OUTBOX_LEASE, {"b_id": message_id, "until": until})

    async def mark_sent(self, message_id: int, now: datetime) -> None:
        """The message was delivered."""
        await self._x.write(_OUTBOX_SENT, {"b_id": message_id, "now": now})

    async def retry_later(self, message_id: int, at: datetime, error: str) -> None:
        """Delivery failed for now: try again at ``at``."""
        await self._x.write(_OUTBOX_RETRY, {"b_id": message_id, "at": at, "error": error})

    async def mark_failed(self, message_id: int, now: datetime, error: str) -> None:
        """Delivery failed for good."""
        await self._x.write(_OUTBOX_FAILED, {"b_id": message_id, "now": now, "error": error})

    async def all(self, team_id: str) -> list[dict[str, Any]]:
        """Every message of the workspace, oldest first, as stored."""
        rows = await self._all(_OUTBOX_ALL, {"team_id": team_id})
        return [dict(zip(_OUTBOX_KEYS, r, strict=True)) for r in rows]
