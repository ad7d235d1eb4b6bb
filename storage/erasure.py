"""Erasing a workspace's people (Art. 17 DSGVO): their Slack ids become pseudonyms.

Invoices, corrections and documents stay (restricted, until their retention ends);
what named a person names a stable pseudonym instead. A second erase changes nothing,
and writes no second audit entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.database import Database
from storage.lifecycle import erase_people, people_of, pseudonym
from storage.tables import addons, audit_log, slack_bots, subscriptions

ERASED = "personal_data_erased"
RUNNING = ("active", "cancellation_pending")


class EraseRefused(Exception):
    """The workspace cannot be erased now; the message says why."""


@dataclass(frozen=True)
class Erased:
    """What an erasure did: the people pseudonymized and the rows changed."""

    people: int
    rows: int


async def erase_workspace(
    db: Database, team_id: str, key: bytes, now: datetime, *, actor: str, check: bool = True
) -> Erased:
    """Pseudonymize every person of the workspace; EraseRefused while the app is installed
    there or add-ons run (unless ``check`` is off: the retention job after an uninstall)."""
    async with db.writing_engine.begin() as conn:
        if not await _exists(conn, team_id):
            raise EraseRefused(f"no workspace {team_id}")
        if check:
            await _refuse_if_in_use(conn, team_id)
        people = await people_of(conn, team_id)
        rows = await erase_people(conn, team_id, people, key)
        if rows:
            await _audit(conn, team_id, now, actor, {"scope": "workspace", "people": len(people)})
    return Erased(len(people) if rows else 0, rows)


async def erase_user(
    db: Database, team_id: str, user_id: str, key: bytes, now: datetime, *, actor: str
) -> Erased:
    """Pseudonymize one person of the workspace (the audit entry names the pseudonym)."""
    async with db.writing_engine.begin() as conn:
        if not await _exists(conn, team_id):
            raise EraseRefused(f"no workspace {team_id}")
        rows = await erase_people(conn, team_id, {user_id}, key)
        if rows:
            shown = pseudonym(key, team_id, user_id)
            await _audit(conn, team_id, now, actor, {"scope": "user", "pseudonym": shown})
    return Erased(1 if rows else 0, rows)


async def _exists(conn: AsyncConnection, team_id: str) -> bool:
    query = select(subscriptions.c.team_id).where(subscriptions.c.team_id == team_id)
    return (await conn.execute(query)).first() is not None


async def _refuse_if_in_use(conn: AsyncConnection, team_id: str) -> None:
    installed = select(func.count()).where(
        slack_bots.c.team_id == team_id, slack_bots.c.bot_token.is_not(None)
    )
    if (await conn.execute(installed)).scalar_one():
        raise EraseRefused(
            f"workspace {team_id} still has the app installed: uninstall it in Slack first"
        )
    running = select(func.count()).where(addons.c.team_id == team_id, addons.c.status.in_(RUNNING))
    count = (await conn.execute(running)).scalar_one()
    if count:
        raise EraseRefused(
            f"workspace {team_id} has {count} running add-on(s): cancel them, and erase it "
            "once they have ended"
        )


async def _audit(
    conn: AsyncConnection, team_id: str, now: datetime, actor: str, detail: dict[str, object]
) -> None:
    await conn.execute(
        insert(audit_log).values(
            team_id=team_id, at=now, actor=actor, action=ERASED, detail=json.dumps(detail)
        )
    )
