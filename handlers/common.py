"""Shared steps of every listener: who is asking, in which language, and failing politely.

Why every listener catches its own errors after ``ack()``: Bolt's AsyncApp (with
``process_before_response=False``) runs a listener in a background task and polls for the
ack every 10 ms; an exception raised after ``ack()`` but before the next poll resets the
ack, and Slack then gets a 404 "unhandled request" after 3 s. So each listener turns
any failure into a polite, translated answer itself and logs the unexpected ones here;
``@app.error`` in bot/adapters/slack_app.py is the one place for whatever escapes before an ack.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot import services
from bot.ports import Busy
from domain.errors import DomainError
from handlers.auth import Viewer
from handlers.blocks.home import home_view
from handlers.blocks.kit import ViewDict
from handlers.blocks.overview import Memo, overview_view
from handlers.deps import SlackDeps
from handlers.i18n import error_text, language_for, t
from handlers.requests import MetadataError

logger = logging.getLogger("addons.handlers")

Reply = Callable[[str], Awaitable[Any]]


@dataclass(frozen=True)
class Asker:
    """The user behind a request, with rights and language resolved."""

    viewer: Viewer
    lang: str

    @property
    def team_id(self) -> str:
        return self.viewer.team_id

    @property
    def user_id(self) -> str:
        return self.viewer.user_id

    @property
    def is_admin(self) -> bool:
        return self.viewer.is_admin


def _field(body: Mapping[str, Any], outer: str, inner: str) -> object:
    value = body.get(outer)
    return value.get(inner) if isinstance(value, Mapping) else None


class TeamsDisagree(MetadataError):
    """A request whose fields name two different workspaces: refused, nothing changed."""


def _authorized_team(body: Mapping[str, Any]) -> object:
    authorizations = body.get("authorizations")
    if isinstance(authorizations, list) and authorizations:
        first = authorizations[0]
        return first.get("team_id") if isinstance(first, Mapping) else None
    return None


def team_of(body: Mapping[str, Any]) -> str:
    """The one workspace of a signed request; Bolt's authorization uses it too.

    Commands name it as ``team_id``, interactions as ``team.id`` (and a modal as
    ``view.app_installed_team_id``, which Bolt alone would prefer), events as ``team_id``
    and ``authorizations[0].team_id``. Every one of them that is present must agree:
    otherwise a request could act in one workspace with another's token, so it is
    refused (TeamsDisagree). Only when none is present does ``user.team_id`` count.
    """
    team_field = body.get("team")
    named = {
        value
        for value in (
            body.get("team_id"),
            team_field if isinstance(team_field, str) else _field(body, "team", "id"),
            _field(body, "view", "app_installed_team_id"),
            _authorized_team(body),
        )
        if isinstance(value, str) and value
    }
    if len(named) > 1:
        raise TeamsDisagree(f"the request names several workspaces: {sorted(named)}")
    team = named.pop() if named else _field(body, "user", "team_id")
    if not isinstance(team, str) or not team:
        raise MetadataError("the request names no workspace")
    return team


def user_of(body: Mapping[str, Any]) -> str:
    """The user of a signed request."""
    user = body.get("user_id") or _field(body, "user", "id") or _field(body, "event", "user")
    if not isinstance(user, str) or not user:
        raise MetadataError("the request names no user")
    return user


def trigger_of(body: Mapping[str, Any]) -> str:
    """The trigger_id that lets the app open or push a view (valid for 3 s)."""
    trigger = body.get("trigger_id")
    if not isinstance(trigger, str) or not trigger:
        raise MetadataError("the request carries no trigger_id")
    return trigger


async def asker(deps: SlackDeps, client: AsyncWebClient, body: Mapping[str, Any]) -> Asker:
    """Resolve rights and language of the request's user (users.info, cached)."""
    viewer = await deps.users.viewer(client, team_of(body), user_of(body))
    return Asker(viewer, language_for(viewer.locale, deps.default_lang))


def failure_text(error: Exception, lang: str) -> str:
    """The translated sentence for anything that stopped a request; logs the unexpected."""
    if isinstance(error, DomainError):
        return error_text(lang, error)
    if isinstance(error, TeamsDisagree):
        return t(lang, "error.teams_disagree")
    if isinstance(error, MetadataError):
        return t(lang, "error.invalid_view")
    if isinstance(error, Busy):
        return t(lang, "error.busy")
    logger.error("unexpected error in a Slack listener", exc_info=error)
    return t(lang, "error.unexpected")


async def fail_politely(error: Exception, lang: str, reply: Reply) -> None:
    """Tell the user what went wrong in their language; nothing was changed."""
    text = failure_text(error, lang)
    try:
        await reply(text)
    except Exception as reply_error:  # Slack unreachable: the log is all that is left
        logger.error("could not tell the user about a failure", exc_info=reply_error)


async def draw_overview(
    deps: SlackDeps,
    team_id: str,
    lang: str,
    *,
    home: bool = False,
    offset: int = 0,
    errors: Mapping[str, str] | None = None,
) -> ViewDict:
    """The overview (modal or App Home) as it stands now."""
    drawn = _drawing(deps, await _overview_state(deps, team_id), lang, offset=offset)
    if home:
        return home_view(**drawn)
    return overview_view(errors=errors, **drawn)


async def draw_overview_and_home(
    deps: SlackDeps, team_id: str, lang: str
) -> tuple[ViewDict, ViewDict]:
    """The overview modal and App Home from one read: after a change both are redrawn."""
    drawn = _drawing(deps, await _overview_state(deps, team_id), lang)
    memo: Memo = {}  # the totals and the table drawn once for both
    return overview_view(errors=None, memo=memo, **drawn), home_view(memo=memo, **drawn)


async def _overview_state(deps: SlackDeps, team_id: str) -> services.Overview:
    now = deps.clock.now()
    async with deps.gate:
        return await services.ensured_overview(deps.ctx, team_id, now)


def _drawing(
    deps: SlackDeps, state: services.Overview, lang: str, *, offset: int = 0
) -> dict[str, Any]:
    return {
        "catalog": deps.ctx.catalog,
        "addons": state.addons,
        "in_force": state.entitlements,
        "upcoming": state.upcoming,
        "recent": state.last_invoices,
        "corrections": state.last_corrections,
        "subscription": state.subscription,
        "lang": lang,
        "offset": offset,
    }


async def publish_home(deps: SlackDeps, client: AsyncWebClient, who: Asker) -> None:
    """Redraw App Home for this user after a change."""
    view = await draw_overview(deps, who.team_id, who.lang, home=True)
    await client.views_publish(user_id=who.user_id, view=view)
