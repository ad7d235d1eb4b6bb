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
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.observability import metrics
from bot.adapters.slack_install.clients import OneWorkspace
from bot.ports import (
    Clients,
    Clock,
    NotARecipient,
    OutboxMessage,
    Render,
    StoredDocument,
    TeamClients,
)
from bot.services import Context
from bot.services.retry import retrying

__all__ = [
    "LEASE",
    "PARKED",
    "Delivery",
    "NotARecipient",
    "OutboxWork",
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


# A job of the queue: work done once per message, with the instant it runs at.
Job = Callable[[OutboxMessage, datetime], Awaitable[None]]
# The stored file a direct message carries (its payload names a ``document``).
Attachment = Callable[[OutboxMessage], Awaitable[StoredDocument | None]]


@dataclass(frozen=True)
class OutboxWork:
    """What the sender does besides posting: jobs by message kind, and files to attach."""

    jobs: Mapping[str, Job] = field(default_factory=dict)
    attachment: Attachment | None = None


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
        claimed = await uow.outbox.claim(now, now + LEASE, 1)
        await uow.commit()
    return claimed[0] if claimed else None


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


async def _post(client: AsyncWebClient, sent: dict[str, Any], file: StoredDocument | None) -> None:
    """Post the message; with a file, as the file's message in the recipient's DM.

    files_upload_v2 asks for a channel id (not a user id), then takes three calls:
    files.getUploadURLExternal, the upload itself, files.completeUploadExternal, which
    shares the file into the DM with the message's blocks.
    """
    if file is None:
        await client.chat_postMessage(**sent)
        return
    opened = await client.conversations_open(users=sent["channel"])
    channel = opened["channel"]["id"]
    message: dict[str, Any] = (
        {"blocks": json.dumps(sent["blocks"])}
        if sent.get("blocks")
        else {"initial_comment": sent.get("text", "")}
    )
    await client.files_upload_v2(
        channel=channel,
        content=file.content,
        filename=file.filename,
        title=file.filename,
        **message,
    )


async def _send(
    client: AsyncWebClient, render: Render, message: OutboxMessage, work: OutboxWork
) -> tuple[str, str, timedelta]:
    """Render and post one message; (outcome, error, wait) says what to record."""
    try:
        sent = await render(message)
        file = None
        if work.attachment is not None and "document" in message.payload:
            file = await work.attachment(message)
            if file is None:  # queued with its document: it cannot be missing
                raise LookupError(f"the document of {message.event_key} is not stored")
        await _post(client, sent, file)
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
        await uow.outbox.release(message, clock.now())
        await uow.commit()


@retrying
async def _record_outcome(
    ctx: Context, message: OutboxMessage, outcome: str, error: str, due: datetime, now: datetime
) -> None:
    """Record what became of one sent message (a Conflict re-runs this, never the send)."""
    async with ctx.db.unit_of_work() as uow:
        if outcome == "sent":
            held = await uow.outbox.mark_sent(message, now)
        elif outcome == "retry":
            held = await uow.outbox.retry_later(message, due, error)
        else:
            held = await uow.outbox.mark_failed(message, now, error)
        await uow.commit()
    if not held:  # the lease ran out meanwhile and another sender claimed the message
        logger.warning(
            "message %s: the lease was lost before its outcome was recorded", message.event_key
        )
        return
    tries = message.attempts + 1
    where = {"team_id": message.team_id}
    if outcome == "retry":
        logger.warning(
            "message %s (%s) not delivered (try %s): %s; next try at %s",
            message.event_key,
            message.kind,
            tries,
            error,
            due.isoformat(timespec="seconds"),
            extra=where,
        )
        return
    metrics.DELIVERY_TRIES.labels("slack").observe(tries)
    if outcome == "failed":
        logger.error(
            "message %s (%s) given up after %s tries: %s",
            message.event_key,
            message.kind,
            tries,
            error,
            extra=where,
        )


async def _run_job(job: Job, message: OutboxMessage, now: datetime) -> tuple[str, str, timedelta]:
    """Run a job of the queue (rendering a document); retried with backoff if it fails."""
    try:
        await job(message, now)
    except Exception as exc:
        logger.exception("job %s failed", message.event_key)
        outcome = "failed" if message.attempts + 1 >= MAX_ATTEMPTS else "retry"
        return outcome, f"{type(exc).__name__}: {exc}", backoff(message.attempts)
    return "sent", "", timedelta(0)


async def _send_as_team(
    clients: TeamClients, render: Render, message: OutboxMessage, work: OutboxWork, now: datetime
) -> tuple[str, str, timedelta]:
    """Send with the message's own workspace's client; park it if there is none.

    A job (a kind in ``work.jobs``) needs no Slack client: it runs whether or not the
    app is still installed, since what it makes (a document) is kept regardless.
    """
    job = work.jobs.get(message.kind)
    if job is not None:
        return await _run_job(job, message, now)
    try:
        own = await clients.for_team(message.team_id)
    except Exception as exc:  # the store or a token rotation failed: try again later
        logger.warning("no client for %s: %s", message.team_id, type(exc).__name__)
        outcome = "failed" if message.attempts + 1 >= MAX_ATTEMPTS else "retry"
        return outcome, f"no client: {type(exc).__name__}", backoff(message.attempts)
    if own is None:
        return "failed", PARKED, timedelta(0)
    return await _send(own, render, message, work)


async def deliver_due(
    ctx: Context,
    client: Clients,
    clock: Clock,
    render: Render,
    limit: int = 50,
    stop: asyncio.Event | None = None,
    work: OutboxWork | None = None,
) -> Delivery:
    """Send up to ``limit`` due messages once each; reschedule what Slack could not take.

    Each message goes out with its own workspace's token; a workspace without an
    installation gets nothing, and its message is parked (given up, error ``PARKED``).
    Stops between two messages once ``stop`` is set; cancelled while sending, it gives
    the message back (due again at once) instead of leaving it leased for minutes.
    """
    clients = team_clients(client)
    work = work if work is not None else OutboxWork()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    parked = 0
    for _ in range(limit):
        if stop is not None and stop.is_set():
            break
        message = await _claim_next(ctx, clock)
        if message is None:
            break
        try:
            outcome, error, wait = await _send_as_team(clients, render, message, work, clock.now())
        except asyncio.CancelledError:
            await _release(ctx, clock, message)
            raise
        parked += error == PARKED
        now = clock.now()
        await _record_outcome(ctx, message, outcome, error, now + wait, now)
        counts[outcome] += 1
        metrics.MESSAGES.labels(outcome).inc()
    return Delivery(counts["sent"], counts["retry"], counts["failed"], parked)
