"""The audit log and the outbox of ``bot.ports``, over the tables of one transaction."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.ports import AuditEntry, OutboxMessage
from tests.fakes.memory.queue import LeasedRows
from tests.fakes.memory.repositories import Repo
from tests.fakes.memory.tables import AuditRow, OutboxRow, Tables, next_id


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


class Outbox(LeasedRows[OutboxMessage, OutboxRow]):
    """Messages waiting to be delivered, in no order of their own."""

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

    def _table(self, tables: Tables) -> dict[int, OutboxRow]:
        return tables.outbox

    def _item(self, r: OutboxRow) -> OutboxMessage:
        return OutboxMessage(
            r.id, r.team_id, r.event_key, r.kind, json.loads(r.payload), r.attempts
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
