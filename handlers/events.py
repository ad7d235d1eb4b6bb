"""Slack's word that the app was removed: app_uninstalled and tokens_revoked.

Each acts on what the event really names and audits only what really happened:
- the installation is looked up by the event's enterprise id (the top-level field, or
  ``authorizations[0]`` where Slack puts it for Enterprise Grid) and team id; an event
  naming another enterprise, or a team that has no installation, deletes nothing and
  writes no audit entry;
- ``tokens_revoked`` deletes the installation only if the revoked bot user ids include
  the installation's own bot; user tokens (``tokens.oauth``) are never kept by this app
  (bot-only install), so there is nothing to delete for them;
- an event older than the current installation (a late ``app_uninstalled``, Slack's
  retry with ``X-Slack-Retry-Num`` of the removal before a reinstall) changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.services import get_workspace, record_installation
from domain.errors import UnknownWorkspace
from handlers.common import logger
from handlers.deps import ProvideDeps, SlackDeps, deps_of


def register(app: AsyncApp, deps: SlackDeps) -> None:
    """Register app_uninstalled and tokens_revoked."""
    app.event("app_uninstalled", middleware=[ProvideDeps(deps)])(uninstalled)
    app.event("tokens_revoked", middleware=[ProvideDeps(deps)])(tokens_revoked)


async def uninstalled(body: dict[str, Any], context: AsyncBoltContext) -> None:
    """The app was removed from a workspace: forget its tokens, keep its contract."""
    await _forget(body, context, "slack_uninstalled", None)


async def tokens_revoked(
    body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
) -> None:
    """Bot tokens were revoked: forget the installation if its own bot is among them."""
    tokens = event.get("tokens") or {}
    bots = tokens.get("bot") if isinstance(tokens, Mapping) else None
    if isinstance(bots, list) and bots:
        await _forget(body, context, "slack_tokens_revoked", {str(b) for b in bots})


def enterprise_of(body: Mapping[str, Any]) -> str | None:
    """The enterprise an event names: its own field, else its first authorization's."""
    enterprise = body.get("enterprise_id")
    if not enterprise:
        authorizations = body.get("authorizations")
        if isinstance(authorizations, list) and authorizations:
            first = authorizations[0]
            enterprise = first.get("enterprise_id") if isinstance(first, Mapping) else None
    return str(enterprise) if enterprise else None


async def _forget(
    body: dict[str, Any], context: AsyncBoltContext, action: str, bot_users: set[str] | None
) -> None:
    """Delete the workspace's installation and tokens if the event names them; audit it.

    Its add-ons, invoices and billing schedule go on: they are the customer's CloudCRM
    contract, not Slack's. Its queued direct messages are parked by the sender.
    """
    deps = deps_of(context)
    team = str(body.get("team_id") or "")
    if not team:
        return
    if deps.installations is None:  # one bot token from the environment: nothing to delete
        if await _known(deps, team):
            await record_installation(deps.ctx, team, deps.clock.now(), action, "slack", {})
        return
    enterprise = enterprise_of(body)
    bot = await deps.installations.async_find_bot(enterprise_id=enterprise, team_id=team)
    if bot is None:
        logger.info(
            "%s for %s (enterprise %s): no such installation, nothing changed",
            action,
            team,
            enterprise,
        )
        return
    if bot_users is not None and bot.bot_user_id not in bot_users:
        logger.info("%s for %s names other bots: nothing changed", action, team)
        return
    event_time = body.get("event_time")
    # event_time is whole seconds: one from the installation's own second is not older
    if isinstance(event_time, int | float) and event_time < int(bot.installed_at):
        logger.info("%s for %s predates its installation: nothing changed", action, team)
        return
    await deps.installations.async_delete_bot(enterprise_id=bot.enterprise_id, team_id=team)
    await deps.installations.async_delete_installation(
        enterprise_id=bot.enterprise_id, team_id=team
    )
    detail = {"enterprise_id": bot.enterprise_id} if bot.enterprise_id else {}
    await record_installation(deps.ctx, team, deps.clock.now(), action, "slack", detail)
    logger.info("%s: %s", action, team)


async def _known(deps: SlackDeps, team: str) -> bool:
    """Whether the workspace has a subscription here (a team never seen has none)."""
    try:
        await get_workspace(deps.ctx, team)
    except UnknownWorkspace:
        return False
    return True
