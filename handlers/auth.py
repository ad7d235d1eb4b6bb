"""Who is asking: Slack's users.info (cached briefly) decides rights and language."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

MAX_CACHED_USERS = 1000


@dataclass(frozen=True)
class Viewer:
    """The Slack user behind a request, as far as rights and language go."""

    user_id: str
    team_id: str
    is_admin: bool
    locale: str | None


class UserDirectory:
    """users.info with a short cache, so a busy admin does not hit Slack's rate limits."""

    def __init__(
        self,
        billing_admins: tuple[str, ...] = (),
        ttl_seconds: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._billing_admins = frozenset(billing_admins)
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._cache: dict[tuple[str, str], tuple[float, Viewer]] = {}

    def cached(self, team_id: str, user_id: str) -> Viewer | None:
        """The user as last seen, if still fresh; no I/O (to answer Slack at once)."""
        hit = self._cache.get((team_id, user_id))
        if hit is not None and self._monotonic() - hit[0] < self._ttl:
            return hit[1]
        return None

    async def viewer(self, client: AsyncWebClient, team_id: str, user_id: str) -> Viewer:
        """Rights and locale of ``user_id``; asks Slack at most once per TTL."""
        key = (team_id, user_id)
        hit = self._cache.get(key)
        now = self._monotonic()
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        try:
            response = await client.users_info(user=user_id, include_locale=True)
        except SlackApiError as error:
            # A user Slack does not know (deleted, or another org's) has no rights here;
            # any other failure is the caller's to report.
            if error.response is None or error.response.get("error") != "user_not_found":
                raise
            return Viewer(user_id, team_id, False, None)
        user: dict[str, Any] = response.get("user") or {}
        is_admin = bool(
            user.get("is_admin") or user.get("is_owner") or user_id in self._billing_admins
        )
        # A user of another workspace is never an admin of this one.
        if user.get("team_id") not in (None, team_id) and user_id not in self._billing_admins:
            is_admin = False
        viewer = Viewer(user_id, team_id, is_admin, user.get("locale"))
        if len(self._cache) >= MAX_CACHED_USERS:  # keep memory bounded: drop what expired
            self._cache = {k: v for k, v in self._cache.items() if now - v[0] < self._ttl}
        self._cache[key] = (now, viewer)
        return viewer
