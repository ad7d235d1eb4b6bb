"""OAuth states: signed, so that a forged one is told from an expired one; used once; purged.

A state is ``<expiry, unix seconds>.<random>.<HMAC of both>``, keyed with the client
secret: only this app can make one, and its age can be read without the database. The
row in ``slack_oauth_states`` makes it usable once; expired rows are purged on a
schedule (``purge_expired_states``), as every anonymous look at the install page
issues one.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import delete, insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.ports import Clock
from storage.tables import slack_oauth_states

logger = logging.getLogger("addons.install")

# How long an "Add to Slack" click may take from the install page to the redirect.
STATE_SECONDS = 600
Verdict = Literal["genuine", "expired", "forged"]


def _naive_utc(moment: datetime) -> datetime:
    """The column is a naive DateTime holding UTC (slack_sdk's convention)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


class SignedStateStore(AsyncOAuthStateStore):
    """slack_sdk's state store contract on the app's table, with signed states."""

    def __init__(
        self, engine: AsyncEngine, secret: str, clock: Clock, seconds: int = STATE_SECONDS
    ) -> None:
        self._engine = engine
        self._key = hashlib.sha256(b"addons oauth state\0" + secret.encode()).digest()
        self._clock = clock
        self.expiration_seconds = seconds

    @property
    def logger(self) -> logging.Logger:
        """The store's logger."""
        return logger

    def _mac(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:18]
        return base64.urlsafe_b64encode(digest).decode()

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        """A new state, valid for ``expiration_seconds`` and stored to be used once."""
        expires = self._clock.now() + timedelta(seconds=self.expiration_seconds)
        body = f"{int(expires.timestamp())}.{secrets.token_urlsafe(18)}"
        state = f"{body}.{self._mac(body)}"
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(slack_oauth_states).values(state=state, expire_at=_naive_utc(expires))
            )
        return state

    async def async_consume(self, state: str) -> bool:
        """True once for a state issued here and not expired; False otherwise."""
        if self.judge(state) != "genuine":
            return False
        now = _naive_utc(self._clock.now())
        table = slack_oauth_states
        async with self._engine.begin() as conn:
            # One statement: two callbacks racing with the same state cannot both win.
            done = await conn.execute(
                delete(table).where(table.c.state == state, table.c.expire_at > now)
            )
        return bool(done.rowcount)

    def judge(self, state: str | None) -> Verdict:
        """Whether ``state`` was made here, and if so whether it has expired."""
        body, _, mac = (state or "").rpartition(".")
        expiry, _, _ = body.partition(".")
        if not (mac and expiry.isdigit() and hmac.compare_digest(mac, self._mac(body))):
            return "forged"
        if int(expiry) <= self._clock.now().timestamp():
            return "expired"
        return "genuine"


async def purge_expired_states(engine: AsyncEngine, now: datetime) -> int:
    """Delete the states that expired by ``now``; how many there were."""
    table = slack_oauth_states
    async with engine.begin() as conn:
        done = await conn.execute(delete(table).where(table.c.expire_at <= _naive_utc(now)))
    return int(done.rowcount or 0)


async def purge_states_until(
    engine: AsyncEngine, clock: Clock, interval_seconds: float, stop: asyncio.Event
) -> None:
    """Purge expired states at start-up and then every ``interval_seconds`` until ``stop``."""
    while not stop.is_set():
        try:
            purged = await purge_expired_states(engine, clock.now())
            if purged:
                logger.info("purged %d expired OAuth states", purged)
        except SQLAlchemyError as error:  # the next beat tries again
            logger.warning("purging expired OAuth states failed: %s", type(error).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_seconds)
