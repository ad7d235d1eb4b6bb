"""The webhook sender: claims due events with a lease, POSTs them, records the answer.

Delivery is at-least-once: an event is marked sent only after a 2xx arrived; a sender
killed between the answer and that mark leaves the lease to run out, and the event is
sent again with the same ``webhook-id``. Each workspace's events go out in order (the
claim hands out only the oldest pending event of a workspace); different workspaces'
events go out side by side. The sender runs as its own task with short transactions of
its own, so a slow or dead receiver never holds up /addons or a billing run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import aiohttp

from bot.adapters.clock import Clock
from bot.adapters.webhooks.http import (
    RETRY_STATUSES,
    Attempt,
    WebhookClient,
    backoff,
    error_text,
    retry_after,
)
from bot.ports import Busy, UnitOfWorkSource, WebhookEvent
from bot.services.retry import retrying

logger = logging.getLogger("addons.webhooks")


@dataclass(frozen=True)
class WebhookConfig:
    """Where and how events are delivered."""

    url: str
    secret: str
    timeout: float = 10.0  # seconds for one whole exchange, answer included
    read_limit: int = 64 * 1024  # bytes of an answer read at most
    # Longer than one exchange can take: a lease that ran out while its sender still
    # waits for the answer would let a second sender post the same event meanwhile.
    lease: timedelta = timedelta(seconds=60)
    base_delay: float = 1.0  # the first retry's wait, doubled each time
    max_delay: float = 3600.0  # the longest wait between tries
    client_error_tries: int = 3  # a 4xx (other than 408/429) is given up after these
    batch: int = 20  # events claimed at once (at most one per workspace)
    poll_seconds: float = 1.0  # the wait when nothing was due


@dataclass(frozen=True)
class Delivery:
    """What one pass of the sender did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        """Events tried in this pass."""
        return self.sent + self.retried + self.failed


class WebhookSender:
    """Delivers the events of one store to one webhook."""

    def __init__(
        self,
        db: UnitOfWorkSource,
        config: WebhookConfig,
        session: aiohttp.ClientSession,
        clock: Clock,
        *,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._db = db
        self._config = config
        self._clock = clock
        self._rng = rng
        self.client = WebhookClient(
            session,
            config.url,
            config.secret,
            timeout=config.timeout,
            read_limit=config.read_limit,
        )

    @retrying
    async def claim(self) -> list[WebhookEvent]:
        """Lease the due events (the oldest pending one of each workspace)."""
        now = self._clock.now()
        async with self._db.unit_of_work() as uow:
            due = await uow.events.due(now, self._config.batch)
            for event in due:
                await uow.events.lease(event.id, now + self._config.lease)
            await uow.commit()
        return due

    def _judge(self, event: WebhookEvent, status: int, header: str | None) -> Attempt:
        """What an HTTP answer means for the event."""
        c = self._config
        if 200 <= status < 300:
            return Attempt("sent")
        error = f"http {status}"
        if status in RETRY_STATUSES or status >= 500:
            asked = retry_after(header, self._clock.now(), c.max_delay)
            wait = asked if asked is not None else self._backoff(event)
            return Attempt("retry", error, wait)
        if event.attempts + 1 >= c.client_error_tries:
            return Attempt("failed", error)
        return Attempt("retry", error, self._backoff(event))

    def _backoff(self, event: WebhookEvent) -> timedelta:
        c = self._config
        return backoff(event.attempts, c.base_delay, c.max_delay, self._rng)

    async def attempt(self, event: WebhookEvent) -> Attempt:
        """POST one event once; never raises for what the network or receiver does."""
        try:
            status, header = await self.client.post(event)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            return Attempt("retry", error_text(exc), self._backoff(event))
        return self._judge(event, status, header)

    @retrying
    async def _record(self, done: list[tuple[WebhookEvent, Attempt]]) -> None:
        """Record a pass's answers in one transaction (a crash before it: sent again)."""
        now = self._clock.now()
        async with self._db.unit_of_work() as uow:
            for event, attempt in done:
                if attempt.outcome == "sent":
                    await uow.events.mark_sent(event.id, now)
                elif attempt.outcome == "retry":
                    await uow.events.retry_later(event.id, now + attempt.wait, attempt.error)
                else:
                    await uow.events.mark_failed(event.id, now, attempt.error)
            await uow.commit()
        for event, attempt in done:
            if attempt.outcome == "failed":
                logger.warning("event %s given up: %s", event.webhook_id, attempt.error)

    async def deliver_due(self) -> Delivery:
        """One pass: claim what is due, send it side by side, record the answers."""
        claimed = await self.claim()
        if not claimed:
            return Delivery()
        attempts = await asyncio.gather(*(self.attempt(e) for e in claimed))
        await self._record(list(zip(claimed, attempts, strict=True)))
        outcomes = [a.outcome for a in attempts]
        return Delivery(outcomes.count("sent"), outcomes.count("retry"), outcomes.count("failed"))

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; wait a moment only when nothing was due."""
        while not stop.is_set():
            try:
                done = await self.deliver_due()
            except Busy:
                done = Delivery()
                logger.warning("database busy; the webhook sender tries again shortly")
            except Exception:  # the sender must outlive one bad pass; the trace is logged
                done = Delivery()
                logger.exception("webhook delivery pass failed")
            if done.total:
                continue
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._config.poll_seconds)


async def run_webhooks(
    db: UnitOfWorkSource, config: WebhookConfig, clock: Clock, stop: asyncio.Event
) -> None:
    """The sender over its own HTTP session, until ``stop`` is set."""
    connector = aiohttp.TCPConnector(limit=config.batch)
    async with aiohttp.ClientSession(connector=connector) as session:
        await WebhookSender(db, config, session, clock).run(stop)
