"""The outbox sender and the billing schedule: time passes on its own.

Delivery is at-least-once with deduplication by event id: every (event, recipient) pair
is queued exactly once in the transaction of the change that causes it; a sender
*claims* a message (a lease, so two schedulers never send it at the same moment), sends
it, and marks it sent. A message whose sender died before marking it is sent again when
its lease runs out. Slack's chat.postMessage has no idempotency key, so the only window
for a duplicate is a process killed between Slack's answer and the commit that follows
it, milliseconds; a lost message would be worse than that rare duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.services import Context, PeriodTurn, iter_billing_run
from storage.sqlite import OutboxMessage, StorageBusy

logger = logging.getLogger("addons.scheduler")

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 20
# Errors after which trying again cannot help: the user or the app is gone.
PERMANENT_ERRORS = frozenset({
    "account_inactive", "user_not_found", "user_disabled", "channel_not_found",
    "cannot_dm_bot", "invalid_auth", "not_authed", "token_revoked", "token_expired",
    "app_uninstalled", "team_access_not_granted", "missing_scope", "is_archived",
    "not_in_channel", "no_permission", "invalid_arguments",
})

Render = Callable[[OutboxMessage], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Delivery:
    """What one pass of the sender did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 10 s, 20 s, 40 s … at most an hour."""
    return timedelta(seconds=min(3600, 10 * 2 ** min(attempts, 9)))


async def _claim(ctx: Context, clock: Clock, limit: int) -> list[OutboxMessage]:
    now = clock.now()
    async with ctx.db.unit_of_work() as uow:
        due = await uow.outbox.due(now, limit)
        for message in due:
            await uow.outbox.lease(message.id, now + LEASE)
        await uow.commit()
    return due


async def deliver_due(
    ctx: Context, client: AsyncWebClient, clock: Clock, render: Render, limit: int = 50
) -> Delivery:
    """Send every due message once; reschedule what Slack could not take now."""
    sent = retried = failed = 0
    for message in await _claim(ctx, clock, limit):
        outcome, error, wait = "sent", "", timedelta(0)
        try:
            await client.chat_postMessage(**await render(message))
        except SlackApiError as exc:
            code = str(exc.response.get("error", "")) if exc.response is not None else ""
            status = exc.response.status_code if exc.response is not None else 0
            error = code or f"http {status}"
            if code in PERMANENT_ERRORS or message.attempts + 1 >= MAX_ATTEMPTS:
                outcome = "failed"
            else:
                outcome = "retry"
                retry_after = exc.response.headers.get("retry-after") if exc.response else None
                wait = (timedelta(seconds=int(retry_after)) if retry_after
                        and str(retry_after).isdigit() else backoff(message.attempts))
        except (TimeoutError, SlackClientError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            outcome = "failed" if message.attempts + 1 >= MAX_ATTEMPTS else "retry"
            wait = backoff(message.attempts)
        now = clock.now()
        async with ctx.db.unit_of_work() as uow:
            if outcome == "sent":
                await uow.outbox.mark_sent(message.id, now)
                sent += 1
            elif outcome == "retry":
                await uow.outbox.retry_later(message.id, now + wait, error)
                retried += 1
            else:
                await uow.outbox.mark_failed(message.id, now, error)
                failed += 1
                logger.warning("message %s given up: %s", message.event_key, error)
            await uow.commit()
    return Delivery(sent, retried, failed)


async def tick(
    ctx: Context, client: AsyncWebClient, clock: Clock, render: Render, *,
    keep_turns: bool = True,
) -> tuple[list[PeriodTurn], Delivery]:
    """One beat of the schedule: every due billing turn, then every due message.

    The background schedule passes ``keep_turns=False``: turns are logged as they happen
    and not kept, so a beat over many workspaces needs no more memory than one.
    """
    turns = []
    async for turn in iter_billing_run(ctx, clock.now()):
        if keep_turns:
            turns.append(turn)
        if turn.invoice is not None:
            logger.info("issued invoice %s for %s (%s), total %s", turn.invoice.number,
                        turn.team_id, turn.period.start, turn.invoice.total)
        if turn.deactivated:
            logger.info("deactivated add-ons %s of %s", turn.deactivated, turn.team_id)
    delivery = await deliver_due(ctx, client, clock, render)
    return turns, delivery


async def run_schedule(
    ctx: Context, client: AsyncWebClient, clock: Clock, render: Render,
    interval_seconds: float, stop: asyncio.Event,
) -> None:
    """Tick at start-up and then every ``interval_seconds`` until ``stop`` is set."""
    while not stop.is_set():
        try:
            await tick(ctx, client, clock, render, keep_turns=False)
        except StorageBusy:
            logger.warning("database busy; the schedule tries again at the next beat")
        except Exception:  # the schedule must outlive one bad beat; the trace is logged
            logger.exception("billing schedule beat failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_seconds)
