"""The audit log and the outbox of ``bot.ports``, over the tables of one transaction."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.ports import AuditEntry, OutboxMessage
from tests.fakes.memory.repositories import Repo
from tests.fakes.memory.tables import AuditRow, OutboxRow, next_id


class AuditLog(Repo):
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
        tables = self._tx.write()
        entry_id = next_id(tables.audit)
        text = json.dumps(detail, default=str, sort_keys=True)
        tables.audit[entry_id] = AuditRow(
            entry_id, team_id, now.isoformat(), actor, action, addon_id, before, after, text
        )

    async def newest_first(self, team_id: str) -> list[AuditEntry]:
        rows = self._tx.read().audit
        return [
            AuditEntry(
                r.id,
                r.team_id,
                datetime.fromisoformat(r.at),
                r.actor,
                r.action,
                r.addon_id,
                r.before_status,
                r.after_status,
                json.loads(r.detail),
            )
            for r in (rows[i] for i in sorted(rows, reverse=True))
            if r.team_id == team_id
        ]

    async def slack_actors(self, team_id: str) -> list[str]:
        """Slack user ids that have changed add-ons of this workspace."""
        rows = self._tx.read().audit.values()
        return sorted({r.actor for r in rows if r.team_id == team_id and r.actor[:1] == "U"})


class Outbox(Repo):
    """Messages waiting to be delivered."""

    async def add(
        self, team_id: str, event_key: str, kind: str, payload: dict[str, Any], now: datetime
    ) -> None:
        """Queue a message; the same event key is queued once, however often."""
        tables = self._tx.write()
        if any(row.event_key == event_key for row in tables.outbox.values()):
            return  # INSERT OR IGNORE: the event key is unique
        message_id = next_id(tables.outbox)
        text = json.dumps(payload, default=str, sort_keys=True)
        stamp = now.isoformat()
        tables.outbox[message_id] = OutboxRow(
            message_id, team_id, event_key, kind, text, stamp, 0, stamp
        )

    async def due(self, now: datetime, limit: int = 50) -> list[OutboxMessage]:
        rows = self._tx.read().outbox
        due = [
            rows[i]
            for i in sorted(rows)
            if rows[i].sent_at is None
            and rows[i].failed_at is None
            and datetime.fromisoformat(rows[i].next_try_at) <= now
        ]
        return [
            OutboxMessage(r.id, r.team_id, r.event_key, r.kind, json.loads(r.payload), r.attempts)
            for r in due[:limit]
        ]

    def _update(self, message_id: int, **changes: Any) -> None:
        tables = self._tx.write()
        row = tables.outbox.get(message_id)
        if row is not None:
            tables.outbox[message_id] = replace(row, **changes)

    def _attempts(self, message_id: int) -> int:
        row = self._tx.read().outbox.get(message_id)
        return 0 if row is None else row.attempts + 1

    async def lease(self, message_id: int, until: datetime) -> None:
        """Claim a message until ``until``; if its sender dies, it is due again then."""
        self._update(message_id, next_try_at=until.isoformat())

    async def mark_sent(self, message_id: int, now: datetime) -> None:
        self._update(message_id, sent_at=now.isoformat(), attempts=self._attempts(message_id))

    async def retry_later(self, message_id: int, at: datetime, error: str) -> None:
        self._update(
            message_id,
            attempts=self._attempts(message_id),
            next_try_at=at.isoformat(),
            last_error=error,
        )

    async def mark_failed(self, message_id: int, now: datetime, error: str) -> None:
        self._update(
            message_id,
            attempts=self._attempts(message_id),
            failed_at=now.isoformat(),
            last_error=error,
        )

    async def all(self, team_id: str) -> list[dict[str, Any]]:
        rows = self._tx.read().outbox
        return [
            {
                "id": r.id,
                "event_key": r.event_key,
                "kind": r.kind,
                "payload": r.payload,
                "attempts": r.attempts,
                "sent_at": r.sent_at,
                "failed_at": r.failed_at,
                "last_error": r.last_error,
            }
            for r in (rows[i] for i in sorted(rows))
            if r.team_id == team_id
        ]
