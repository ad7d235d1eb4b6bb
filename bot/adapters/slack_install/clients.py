"""A Web API client per workspace for the schedule and the outbox sender."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk.errors import SlackApiError, SlackTokenRotationError
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
    """OAuth mode: each workspace's own bot token, rotated (and saved) when due."""

    def __init__(
        self,
        store: EncryptedInstallationStore,
        rotator: AsyncTokenRotator,
        make_client: Callable[[str], AsyncWebClient],
    ) -> None:
        self._store = store
        self._rotator = rotator
        self._make_client = make_client

    async def for_team(self, team_id: str) -> AsyncWebClient | None:
        """A client with the workspace's current token; None if it has no installation."""
        bot = await self._store.find_team_bot(team_id)
        if bot is None or bot.bot_token is None:
            return None
        if bot.bot_refresh_token is not None:
            try:
                fresh = await self._rotator.perform_bot_token_rotation(
                    bot=bot, minutes_before_expiration=ROTATE_MINUTES_BEFORE
                )
            except (SlackTokenRotationError, SlackApiError) as error:
                # The old token may still work until it expires; the send says if not.
                logger.warning("token rotation for %s failed: %s", team_id, type(error).__name__)
                fresh = None
            if fresh is not None:
                await self._store.async_save_bot(fresh)
                bot = fresh
        assert bot.bot_token is not None
        return self._make_client(bot.bot_token)
