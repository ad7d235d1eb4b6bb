"""What every listener needs, handed in by the composition root.

Listeners are module-level functions, so the dependencies reach them through Bolt's
request context: each module's ``register(app, deps)`` attaches :class:`ProvideDeps` as
listener middleware, which puts ``deps`` into the context before the listener runs, and
the listener reads them back with :func:`deps_of`. (Bolt fills a listener's arguments by
name; one it does not know arrives as None with only a warning, so the accessor checks
the type and fails loudly instead.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from slack_bolt.async_app import AsyncBoltContext, AsyncBoltRequest
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.ports import Clock
from bot.services import Context
from handlers.auth import UserDirectory

_CONTEXT_KEY = "addons_deps"
# How many listeners may be inside a use case at once. Every click is answered before its
# work, so under a burst nothing holds the work back but this: beyond a few at once they
# only queue inside the store, where the wait counts against its 2-second busy budget
# and a booking would be refused as busy; here they wait their turn without a deadline
# (Slack has its answer already). The SQLite pool has 4 connections, one for writing.
STORE_SLOTS = 8


@dataclass(frozen=True)
class SlackDeps:
    """Use-case context, clock, user directory and the default language."""

    ctx: Context
    clock: Clock
    users: UserDirectory
    default_lang: str = "de"
    gate: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(STORE_SLOTS), compare=False, repr=False
    )
    # OAuth mode: where the workspaces' installations live (None: one bot token)
    installations: AsyncInstallationStore | None = None


class ProvideDeps(AsyncMiddleware):
    """Listener middleware: hands ``deps`` to the listener through the request context."""

    def __init__(self, deps: SlackDeps) -> None:
        self._deps = deps

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # Bolt's name for the rest of the chain
    ) -> BoltResponse | None:
        """Put the dependencies into the context and let the listener run."""
        req.context[_CONTEXT_KEY] = self._deps
        return await next()


def deps_of(context: AsyncBoltContext) -> SlackDeps:
    """The dependencies :class:`ProvideDeps` put into this request's context."""
    deps = context.get(_CONTEXT_KEY)
    if not isinstance(deps, SlackDeps):
        raise RuntimeError("no SlackDeps in the context: register listeners with register()")
    return deps
