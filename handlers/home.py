"""App Home: the overview for admins, a short explanation for everyone else."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from handlers.blocks.home import home_non_admin_view
from handlers.common import asker, draw_overview, logger
from handlers.deps import ProvideDeps, SlackDeps, deps_of


def register(app: AsyncApp, deps: SlackDeps) -> None:
    """Register app_home_opened."""
    app.event("app_home_opened", middleware=[ProvideDeps(deps)])(home_opened)


async def home_opened(
    body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Publish App Home for whoever opened it (Bolt acknowledges events itself)."""
    if event.get("tab", "home") != "home":
        return
    deps = deps_of(context)
    try:
        who = await asker(deps, client, body)
        if who.is_admin:
            view = await draw_overview(deps, who.team_id, who.lang, home=True)
        else:
            view = home_non_admin_view(who.lang)
        await client.views_publish(user_id=who.user_id, view=view)
    except Exception as error:  # nobody to answer in a modal: the log it is
        logger.error("could not publish App Home", exc_info=error)
