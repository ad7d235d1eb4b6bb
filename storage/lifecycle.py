"""What is kept about a workspace: its export, and the erasure of its people's Slack ids.

``COVERED`` lists every table that holds a workspace's rows, with the column that names
the workspace: adding a table to the export and to the erasure is one line there.
Token columns are never exported (``SECRET_COLUMNS``, by name); bytes columns (a stored
PDF) are exported as files beside the JSON, never inside it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, LargeBinary, String, Table, Text, and_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.database import Database
from storage.tables import (
    addons,
    audit_log,
    correction_lines,
    corrections,
    documents,
    events,
    idempotency_keys,
    inbound_requests,
    invoice_lines,
    invoices,
    outbox,
    slack_bots,
    slack_installations,
    subscriptions,
)


@dataclass(frozen=True)
class Covered:
    """A table holding a workspace's rows, and the column that names the workspace."""

    table: Table
    team_column: str = "team_id"


COVERED: tuple[Covered, ...] = (
    Covered(subscriptions),
    Covered(addons),
    Covered(invoices),
    Covered(invoice_lines),
    Covered(corrections),
    Covered(correction_lines),
    Covered(documents),
    Covered(idempotency_keys),
    Covered(audit_log),
    Covered(outbox),
    Covered(events),
    Covered(inbound_requests),
    Covered(slack_installations),
    Covered(slack_bots),
)
# Secrets are never exported, never rewritten: every token, and the incoming webhook URL
# (it carries a token in its path).
SECRET_COLUMNS = frozenset(
    {
        "bot_token",
        "bot_refresh_token",
        "user_token",
        "user_refresh_token",
        "incoming_webhook_url",
    }
)
# Columns holding JSON text: exported as JSON, not as a string of it.
JSON_COLUMNS = frozenset({("audit_log", "detail"), ("outbox", "payload"), ("events", "body")})
# Where Slack user ids are kept in JSON (audit details, outbox payloads): these keys.
_PERSON_KEYS = frozenset({"user", "installer", "billing_admins", "also", "actor", "admins"})
SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,}")
PSEUDONYM_PREFIX = "erased-"


def pseudonym(key: bytes, team_id: str, user_id: str) -> str:
    """The stable pseudonym of a person of a workspace: the same every time, unguessable
    without the key (a Slack user id is short enough to be guessed from a plain hash)."""
    digest = hmac.new(key, f"{team_id}:{user_id}".encode(), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:12]


def _exported(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _columns(table: Table) -> list[Column[Any]]:
    return [
        c
        for c in table.columns
        if c.name not in SECRET_COLUMNS and not isinstance(c.type, LargeBinary)
    ]


async def export_workspace(db: Database, team_id: str) -> dict[str, Any]:
    """Every row kept about the workspace, table by table, without a token; the bytes
    columns (documents) as their SHA-256 under ``files``."""
    out: dict[str, Any] = {"team_id": team_id, "tables": {}, "files": []}
    async with db.engine.connect() as conn:
        for covered in COVERED:
            table = covered.table
            rows = await _rows(conn, covered, team_id)
            shown = []
            for row in rows:
                one = {c.name: _exported(row[c.name]) for c in _columns(table)}
                for name, text in list(one.items()):
                    if (table.name, name) in JSON_COLUMNS and isinstance(text, str):
                        one[name] = json.loads(text)
                shown.append(one)
                out["files"] += [
                    _file(table, row, c.name) for c in table.columns if _is_bytes(c) and row[c.name]
                ]
            out["tables"][table.name] = shown
    return out


async def stored_files(db: Database, team_id: str) -> list[tuple[str, bytes]]:
    """The workspace's stored files (document PDFs): their export name and bytes."""
    found: list[tuple[str, bytes]] = []
    async with db.engine.connect() as conn:
        for covered in COVERED:
            for row in await _rows(conn, covered, team_id):
                for c in covered.table.columns:
                    if _is_bytes(c) and row[c.name]:
                        found.append((_file(covered.table, row, c.name)["name"], row[c.name]))
    return found


def _is_bytes(column: Column[Any]) -> bool:
    return isinstance(column.type, LargeBinary)


def _file(table: Table, row: Mapping[str, Any], name: str) -> dict[str, Any]:
    key = "-".join(str(row[c.name]) for c in table.primary_key.columns)
    data: bytes = row[name]
    return {
        "name": f"{table.name}-{key}-{name}.pdf",
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }


async def _rows(conn: AsyncConnection, covered: Covered, team_id: str) -> list[Mapping[str, Any]]:
    table = covered.table
    order = list(table.primary_key.columns)
    query = select(table).where(table.c[covered.team_column] == team_id).order_by(*order)
    return [dict(row._mapping) for row in await conn.execute(query)]


# --- erasure ------------------------------------------------------------------------


def _people_in(value: Any, under: str | None = None) -> Iterable[str]:
    """Slack user ids held under a person's key anywhere in a JSON value."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _people_in(inner, key)
    elif isinstance(value, list):
        for inner in value:
            yield from _people_in(inner, under)
    elif isinstance(value, str) and under in _PERSON_KEYS and SLACK_USER.fullmatch(value):
        yield value


async def people_of(conn: AsyncConnection, team_id: str) -> set[str]:
    """Every Slack user id the workspace's rows name: actors, billing admins, recipients,
    installers."""
    found: set[str] = set()
    admins: Iterable[Any] = await conn.scalars(
        select(subscriptions.c.billing_admins).where(subscriptions.c.team_id == team_id)
    )
    for listed in admins:
        found |= {a for a in str(listed or "").split(",") if a}
    for actor, detail in await conn.execute(
        select(audit_log.c.actor, audit_log.c.detail).where(audit_log.c.team_id == team_id)
    ):
        if SLACK_USER.fullmatch(str(actor)):
            found.add(str(actor))
        found |= set(_people_in(_loads(str(detail))))
    payloads: Iterable[Any] = await conn.scalars(
        select(outbox.c.payload).where(outbox.c.team_id == team_id)
    )
    for payload in payloads:
        found |= set(_people_in(_loads(str(payload))))
    installers: Iterable[Any] = await conn.scalars(
        select(slack_installations.c.user_id).where(slack_installations.c.team_id == team_id)
    )
    found |= {str(i) for i in installers if i and SLACK_USER.fullmatch(str(i))}
    return found


def _loads(text: str | None) -> Any:
    try:
        return json.loads(text or "null")
    except ValueError:
        return None


async def erase_people(conn: AsyncConnection, team_id: str, people: set[str], key: bytes) -> int:
    """Replace each person's Slack id by their pseudonym in every text column of the
    workspace's rows (tokens untouched) and drop them from the billing admins; the number
    of rows changed (0 when there was nothing left to erase)."""
    if not people:
        return 0
    names = {user: pseudonym(key, team_id, user) for user in people}
    pattern = re.compile(
        r"(?<![A-Za-z0-9])(" + "|".join(map(re.escape, sorted(names))) + r")(?![A-Za-z0-9])"
    )
    changed = 0
    for covered in COVERED:
        table = covered.table
        texts = [
            c
            for c in table.columns
            if isinstance(c.type, Text | String) and c.name not in SECRET_COLUMNS
        ]
        keys = list(table.primary_key.columns)
        for row in await _rows(conn, covered, team_id):
            new: dict[str, Any] = {}
            for c in texts:
                old = row[c.name]
                if not isinstance(old, str) or not pattern.search(old):
                    continue
                if table is subscriptions and c.name == "billing_admins":
                    new[c.name] = ",".join(a for a in old.split(",") if a and a not in names)
                else:
                    new[c.name] = pattern.sub(lambda m: names[m.group(1)], old)
            if new:
                where = and_(*(k == row[k.name] for k in keys))
                await conn.execute(update(table).where(where).values(**new))
                changed += 1
    return changed
