"""Events for CloudCRM, queued in the transaction of the change that causes them.

Each event's ``data`` is the operator CLI's JSON shape (``bot.services.shapes``) with the
workspace's ``team_id``, its ``customer`` number (or null) and a ``sequence`` number,
gapless per workspace, taken in the same transaction: CloudCRM orders and deduplicates
by it. The log belongs to the database, not to a process's settings: every process that
changes something records its event, webhook configured or not; delivery runs wherever
the webhook is configured, and events recorded before that wait for it (docs/crm.md).
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

from bot.ports import UnitOfWork, WebhookEvent
from bot.services.context import Context, subscription_of
from bot.services.retry import retrying
from bot.services.shapes import addon_to_json
from domain.addons import AddOn
from domain.billing import entitlements

EVENT_TYPES = (
    "addon.booked",
    "addon.cancelled",
    "addon.cancellation_revoked",
    "addon.withdrawn",
    "addon.ended",
    "invoice.issued",
    "correction.issued",
    "entitlements.changed",
    "workspace.installed",
    "workspace.uninstalled",
    "workspace.updated",
)


def event_body(type: str, data: dict[str, Any], now: datetime) -> str:
    """The Standard Webhooks body: ``{"type", "timestamp", "data"}`` as compact JSON."""
    body = {"type": type, "timestamp": now.isoformat(), "data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)


async def emit(
    uow: UnitOfWork, team_id: str, type: str, data: dict[str, Any], now: datetime
) -> int:
    """Queue one event in ``uow``'s transaction; return its sequence number."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type: {type}")
    sub = await uow.subscriptions.get(team_id)
    sequence = await uow.events.next_sequence(team_id)
    full = {
        **data,
        "team_id": team_id,
        "customer": sub.customer if sub is not None else None,
        "sequence": sequence,
    }
    webhook_id = f"msg_{uuid.uuid4().hex}"
    await uow.events.add(team_id, sequence, webhook_id, type, event_body(type, full, now), now)
    return sequence


async def emit_addon(
    uow: UnitOfWork, ctx: Context, team_id: str, type: str, addon: AddOn, now: datetime
) -> None:
    """An ``addon.*`` event with the add-on's CLI shape."""
    await emit(uow, team_id, type, addon_to_json(addon), now)


async def emit_entitlements(
    uow: UnitOfWork, ctx: Context, team_id: str, as_of: date, now: datetime
) -> None:
    """``entitlements.changed`` with the totals in force on ``as_of``, as stored now."""
    totals = entitlements(await uow.addons.live_totals(team_id), ctx.catalog, as_of)
    data = {"seats": totals.seats, "storage_gb": totals.gigabytes, "as_of": as_of.isoformat()}
    await emit(uow, team_id, "entitlements.changed", data, now)


async def list_webhook_events(
    ctx: Context, *, failed_only: bool = False, limit: int = 100
) -> list[WebhookEvent]:
    """CloudCRM's events, newest first (only those given up with ``failed_only``)."""
    async with ctx.db.unit_of_work(write=False) as uow:
        return await uow.events.listing(failed_only, limit)


@retrying
async def retry_webhook_events(ctx: Context, event_ids: list[int] | None, now: datetime) -> int:
    """Make failed events due again (these, or all failed ones); how many were."""
    async with ctx.db.unit_of_work() as uow:
        revived = await uow.events.retry(event_ids, now)
        await uow.commit()
    return revived


@retrying
async def replay_webhook_events(ctx: Context, team_id: str, since: int, now: datetime) -> int:
    """Queue the workspace's events from sequence ``since`` on again, same ids; how many."""
    async with ctx.db.unit_of_work() as uow:
        await subscription_of(uow, team_id)
        replayed = await uow.events.replay(team_id, since, now)
        await uow.audit.record(team_id, now, "operator", "events_replayed", since=since)
        await uow.commit()
    return replayed


def event_status(event: WebhookEvent) -> str:
    """sent, failed or pending."""
    if event.sent_at is not None:
        return "sent"
    return "failed" if event.failed_at is not None else "pending"
