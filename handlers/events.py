"""Slack's word that the app was removed: app_uninstalled and tokens_revoked."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.services import record_installation
from handlers.common import logger
from handlers.deps import ProvideDeps, SlackDeps, deps_of


def register(app: AsyncApp, deps: SlackDeps) -> None:
    """Register app_uninstalled and tokens_revoked."""
    app.event("app_uninstalled", middleware=[ProvideDeps(deps)])(uninstalled)
    app.event("tokens_revoked", middleware=[ProvideDeps(deps)])(tokens_revoked)


async def uninstalled(body: dict[str, Any], context: AsyncBoltContext) -> None:
    """The app was removed from a workspace: forget its tokens, keep its contract."""
    await _forget(body, context, "slack_uninstalled")


async def tokens_revoked(
    body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
) -> None:
    """The bot's token was revoked: the same as an uninstall (user tokens are never kept)."""
    tokens = event.get("tokens") or {}
    if tokens.get("bot"):
        await _forget(body, context, "slack_tokens_revoked")


async def _forget(body: dict[str, Any], context: AsyncBoltContext, action: str) -> None:
    """Delete the workspace's installation and tokens; write the audit entry.

    Its add-ons, invoices and billing schedule go on: they are the customer's CloudCRM
    contract, not Slack's. Its queued direct messages are parked by the sender.
    """
    deps = deps_of(context)
    team = str(body.get("team_id") or "")
    if not team:
        return
    enterprise = body.get("enterprise_id")
    if deps.installations is not None:
        await deps.installations.async_delete_bot(enterprise_id=enterprise, team_id=team)
        await deps.installations.async_delete_installation(enterprise_id=enterprise, team_id=team)
    await record_installation(deps.ctx, team, deps.clock.now(), action, "slack", {})
    logger.info("%s: %s", action, team)
