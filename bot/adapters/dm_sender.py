"""The outbox's sender: queued direct messages go to Slack, each with its workspace's token.

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
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.observability import metrics
from bot.adapters.slack_install.clients import OneWorkspace
from bot.ports import Clients, Clock, NotARecipient, OutboxMessage, Render, TeamClients
from bot.services import Context
from bot.services.retry import retrying

__all__ = [
    "LEASE",
    "PARKED",
    "Delivery",
    "NotARecipient",
    "backoff",
    "deliver_due",
    "team_clients",
]

logger = logging.getLogger("addons.scheduler")

# Longer than one message can take, Slack's Retry-After waits included: a lease that ran
# out while its sender still works would let a second scheduler send the same message.
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 20
# Errors after which trying again cannot help: the user or the app is gone.
PERMANENT_ERRORS = frozenset(
    {
        "account_inactive",
        "user_not_found",
        "user_disabled",
        "channel_not_found",
        "cannot_dm_bot",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "app_uninstalled",
        "team_access_not_granted",
        "missing_scope",
        "is_archived",
        "not_in_channel",
        "no_permission",
        "invalid_arguments",
    }
)

# The error a message keeps when its workspace has no installation (the app was removed):
# it is not sent, and not tried again (see README, "Decisions").
PARKED = "parked: the app is not installed in this workspace"


def team_clients(clients: Clients) -> TeamClients:
    """``clients`` as a per-workspace lookup."""
    return OneWorkspace(clients) if isinstance(clients, AsyncWebClient) else clients


@dataclass(frozen=True)
class Delivery:
    """What one pass of the sender did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    parked: int = 0  # of ``failed``: their workspace has no installation


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 10 s, 20 s, 40 s … at most an hour."""
    return timedelta(seconds=min(3600, 10 * 2 ** min(attempts, 9)))


@retrying
async def _claim_next(ctx: Context, clock: Clock) -> OutboxMessage | None:
    """Lease the oldest due message, right before sending it."""
    now = clock.now()
    async with ctx.db.unit_of_work() as uow:
        due = await uow.outbox.due(now, 1)
        if not due:
            return None
        await uow.outbox.lease(due[0].id, now + LEASE)
        await uow.commit()
    return due[0]


def _slack_failure(exc: SlackApiError, attempts: int) -> tuple[str, str, timedelta]:
    """(outcome, error, wait) for an error answer of Slack's."""
    response = exc.response
    code = str(response.get("error", "")) if response is not None else ""
    error = code or f"http {response.status_code if response is not None else 0}"
    if code in PERMANENT_ERRORS or attempts + 1 >= MAX_ATTEMPTS:
        return "failed", error, timedelta(0)
    retry_after = response.headers.get("retry-after") if response is not None else None
    wait = (
        timedelta(seconds=int(retry_after))
        if retry_after and str(retry_after).isdigit()
        else backoff(attempts)
    )
    return "retry", error, wait


async def _send(
    client: AsyncWebClient, render: Render, message: OutboxMessage
) -> tuple[str, str, timedelta]:
    """Render and post one message; (outcome, error, wait) says what to record."""
    try:
        await client.chat_postMessage(**await render(message))
    except NotARecipient as exc:
        return "failed", f"not a recipient: {exc}", timedelta(0)
    except SlackApiError as exc:
        return _slack_failure(exc, message.attempts)
    except Exception as exc:
        if not isinstance(exc, SlackClientError | OSError | TimeoutError):
            logger.exception("could not send message %s", message.event_key)
        outcome = "failed" if message.attempts + 1 >= MAX_ATTEMPTS else "retry"
        return outcome, f"{type(exc).__name__}: {exc}", backoff(message.attempts)
    return "sent", "", timedelta(0)


@retrying
async def _release(ctx: Context, clock: Clock, message: OutboxMessage) -> None:
    """Give a claimed message back unsent: it is due again at once, for any sender."""
    async with ctx.db.unit_of_work() as uow:
        await uow.outbox.lease(message.id, clock.now())
        await uow.commit()


@retrying
async def _record_outcome(
    ctx: Context, message: OutboxMessage, outcome: str, error: str, due: datetime, now: datetime
) -> None:
    """Record what became of one sent message (a Conflict re-runs this, never the send)."""
    async with ctx.db.unit_of_work() as uow:
        if outcome == "sent":
            await uow.outbox.mark_sent(message.id, now)
        elif outcome == "retry":
            await uow.outbox.retry_later(message.id, due, error)
        else:
            await uow.outbox.mark_failed(message.id, now, error)
        await uow.commit()
    if outcome == "failed":
        logger.warning("message %s given up: %s", message.event_key, error)


async def _send_as_team(
    clients: TeamClients, render: Render, message: OutboxMessage
) -> tuple[str, str, timedelta]:
    """Send with the message's own workspace's client; park it if there is none."""
    try:
        own = await clients.for_team(message.team_id)
    except Exception as exc:  # the store or a token rotation failed: try again later
        logger.warning("no client for %s: %s", message.team_id, type(exc).__name__)
        outcome = "failed" if message.attempts + 1 >= MAX_ATTEMPTS else "retry"
        return outcome, f"no client: {type(exc).__name__}", backoff(message.attempts)
    if own is None:
        return "failed", PARKED, timedelta(0)
    return await _send(own, render, message)


async def deliver_due(
    ctx: Context,
    client: Clients,
    clock: Clock,
    render: Render,
    limit: int = 50,
    stop: asyncio.Event | None = None,
) -> Delivery:
    """Send up to ``limit`` due messages once each; reschedule what Slack could not take.

    Each message goes out with its own workspace's token; a workspace without an
    installation gets nothing, and its message is parked (given up, error ``PARKED``).
    Stops between two messages once ``stop`` is set; cancelled while sending, it gives
    the message back (due again at once) instead of leaving it leased for minutes.
    """
    clients = team_clients(client)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    parked = 0
    for _ in range(limit):
        if stop is not None and stop.is_set():
            break
        message = await _claim_next(ctx, clock)
        if message is None:
            break
        try:
            outcome, error, wait = await _send_as_team(clients, render, message)
        except asyncio.CancelledError:
            await _release(ctx, clock, message)
            raise
        parked += error == PARKED
        now = clock.now()
        await _record_outcome(ctx, message, outcome, error, now + wait, now)
        counts[outcome] += 1
        metrics.MESSAGES.labels(outcome).inc()
    return Delivery(counts["sent"], counts["retry"], counts["failed"], parked)
