"""One signed POST to CloudCRM, and what its answer means for the event.

The signature is the ``standardwebhooks`` library's (v1, HMAC-SHA256 over
``id.timestamp.body``); the timestamp header is the wall clock at sending, as receivers
check it against theirs. An answer is read at most ``read_limit`` bytes and the whole
exchange at most ``timeout`` seconds: a huge or endless body never holds the sender.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import aiohttp
from standardwebhooks.webhooks import Webhook

from bot.ports import WebhookEvent

RETRY_STATUSES = frozenset({408, 429})
USER_AGENT = "addons-bot-webhooks/1"


@dataclass(frozen=True)
class Attempt:
    """What to record after one try: ``sent``, ``retry`` (after ``wait``) or ``failed``."""

    outcome: str
    error: str = ""
    wait: timedelta = timedelta(0)


def backoff(
    attempts: int, base: float, ceiling: float, rng: Callable[[], float] = random.random
) -> timedelta:
    """Exponential backoff with jitter: between half and all of ``base * 2**attempts``."""
    delay = min(ceiling, base * 2 ** min(attempts, 30))
    return timedelta(seconds=delay / 2 + rng() * delay / 2)


def retry_after(value: str | None, now: datetime, ceiling: float) -> timedelta | None:
    """The wait a Retry-After header asks for (seconds or an HTTP date), at most ``ceiling``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = max(0.0, (when - now).total_seconds())
    return timedelta(seconds=min(seconds, ceiling))


def error_text(exc: BaseException) -> str:
    # The type and the OS's reason only: an exception's text may quote the URL.
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "timeout"
    reason = getattr(exc, "strerror", None) or getattr(exc, "os_error", None)
    return f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__


class WebhookClient:
    """Signs and POSTs events to one URL over one kept-alive session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        secret: str,
        *,
        timeout: float = 10.0,
        read_limit: int = 64 * 1024,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._session = session
        self._url = url
        self._webhook = Webhook(secret)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._read_limit = read_limit
        self._wall = wall

    def headers(self, event: WebhookEvent) -> dict[str, str]:
        """The Standard Webhooks headers for ``event``, signed now."""
        stamp = self._wall().replace(microsecond=0)
        return {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": event.webhook_id,
            "webhook-timestamp": str(int(stamp.timestamp())),
            "webhook-signature": self._webhook.sign(event.webhook_id, stamp, event.body),
        }

    async def post(self, event: WebhookEvent) -> tuple[int, str | None]:
        """POST the event; (status, Retry-After). Network errors and timeouts raise."""
        async with self._session.post(
            self._url,
            data=event.body.encode(),
            headers=self.headers(event),
            timeout=self._timeout,
            allow_redirects=False,
        ) as response:
            # Read no more than the limit; an answer longer than that is cut off by
            # closing the connection instead of draining it.
            await response.content.read(self._read_limit)
            if not response.content.at_eof():
                response.close()
            return response.status, response.headers.get("retry-after")
