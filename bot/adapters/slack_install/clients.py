"""A Web API client per workspace for the schedule and the outbox sender."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack_install.store import EncryptedInstallationStore
from bot.ports import TeamClients

__all__ = ["Installed", "OneWorkspace", "TeamClients"]

logger = logging.getLogger("addons.install")

# Rotate a token this long before it expires (Bolt's default for requests, too).
ROTATE_MINUTES_BEFORE = 120


class OneWorkspace:
    """Single-workspace mode: the one bot token from the environment, for every team."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def for_team(self, team_id: str) -> AsyncWebClient | None:
        """The environment's client, whatever the team."""
        return self._client


class Installed:
    """OAuth mode: each workspace's own bot token, rotated (and saved) when due.

    Slack's refresh tokens are single-use, so a workspace's token is rotated by one
    caller at a time: single-flight within this process (one asyncio lock per
    workspace) and under a lock across processes (``EncryptedInstallationStore.rotating``).
    Whoever waited reads the bot again and uses the token the other rotation stored.
    Bolt's authorization (every request) and the schedule's clients share this.
    """

    def __init__(
        self,
        store: EncryptedInstallationStore,
        rotator: AsyncTokenRotator,
        make_client: Callable[[str], AsyncWebClient],
    ) -> None:
        self._store = store
        self._rotator = rotator
        self._make_client = make_client
        self._flights: dict[str, asyncio.Lock] = {}
        self.rotations = 0  # how many refresh tokens this process spent

    async def for_team(self, team_id: str) -> AsyncWebClient | None:
        """A client with the workspace's current token; None if it has no installation."""
        bot = await self.current_bot(team_id)
        if bot is None or bot.bot_token is None:
            return None
        return self._make_client(bot.bot_token)

    async def current_bot(self, team_id: str) -> Bot | None:
        """The workspace's bot with a token that is not due; None if not installed.

        StorageBusy if the installations cannot be read (never "not installed").
        """
        seen = await self._store.find_team_bot(team_id)
        if seen is None or seen.bot_token is None or not _due(seen):
            return seen
        flight = self._flights.setdefault(team_id, asyncio.Lock())
        async with flight, self._store.rotating(team_id) as held:
            bot = await held.read()
            if bot is None or bot.bot_refresh_token != seen.bot_refresh_token:
                return bot  # uninstalled, or rotated by someone else while this waited
            try:
                fresh = await self._rotator.perform_bot_token_rotation(
                    bot=bot, minutes_before_expiration=ROTATE_MINUTES_BEFORE
                )
            except (SlackTokenRotationError, SlackApiError) as error:
                # The old token may still work until it expires; the call says if not.
                logger.warning("token rotation for %s failed: %s", team_id, type(error).__name__)
                return bot
            if fresh is None:
                return bot
            await held.save(fresh)
            self.rotations += 1
        return fresh


def _due(bot: Bot) -> bool:
    """Whether the bot's token expires within the rotation margin."""
    expires = bot.bot_token_expires_at
    return (
        bot.bot_refresh_token is not None
        and expires is not None
        and expires <= time.time() + ROTATE_MINUTES_BEFORE * 60
    )
