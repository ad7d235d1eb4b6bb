"""What the Slack side and the use cases share: the clock, each workspace's client, the
renderer of queued messages, the front door of every request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

if TYPE_CHECKING:  # Slack's client is imported where it is used: the CLI never needs it
    from slack_sdk.web.async_client import AsyncWebClient

from bot.ports.queue import OutboxMessage

# The key under which the Slack HTTP adapter puts an asyncio.Event into a request's
# context, set once the answer to Slack has been written (see handlers/answered.py).
ANSWERED = "addons_answered"


class Clock(Protocol):
    """Something that says what time it is (aware, UTC)."""

    def now(self) -> datetime: ...


class TeamClients(Protocol):
    """The client that speaks for one workspace; None if the app is not installed there."""

    async def for_team(self, team_id: str) -> AsyncWebClient | None: ...


# One client for every workspace (single-workspace mode), or each workspace's own.
Clients: TypeAlias = "AsyncWebClient | TeamClients"


class NotARecipient(Exception):
    """The message's recipient may no longer see prices and invoices (no longer an admin)."""


# Turns a queued direct message into chat.postMessage's arguments (NotARecipient if its
# recipient may no longer read it).
Render = Callable[["OutboxMessage"], Awaitable[dict[str, Any]]]


class FrontDoor(Protocol):
    """What the Slack HTTP adapter asks before Bolt sees a signed request, and the words
    of the answers it gives itself (the handlers implement it; bootstrap hands it in)."""

    def admit(self, body: Mapping[str, Any]) -> str | dict[str, Any] | None:
        """The request's one workspace; a polite answer instead if its team fields
        disagree (refused, nothing done); None if it names no workspace (Bolt's own)."""
        ...

    def busy(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """The answer when the store cannot be read: busy, nothing changed, try again."""
        ...

    def tell(self, body: Mapping[str, Any], text: str) -> dict[str, Any]:
        """``text`` as a valid answer to this kind of request."""
        ...
