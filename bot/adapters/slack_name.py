"""Single-workspace mode: the workspace's name in Slack, as ``auth.test`` tells it.

Invoices to a workspace without a company name the workspace by its Slack name. In
OAuth mode each installation records it; with one bot token the process asks
``auth.test`` once when it starts (no scope needed) and keeps the name with the
workspace. Slack being slow or away never holds the start up: it is asked in the
background, and a failure is one warning line.
"""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot import services
from bot.services import Context

logger = logging.getLogger("addons.slack")

ASK_SECONDS = 10.0


async def learn_slack_name(client: AsyncWebClient, ctx: Context) -> str | None:
    """Ask Slack for the workspace's name and keep it; the name, or None if Slack did not
    say (logged)."""
    try:
        answer = await asyncio.wait_for(client.auth_test(), ASK_SECONDS)
    except Exception as error:  # Slack away, a revoked token: the name waits for a restart
        logger.warning("auth.test failed (%s): the workspace's Slack name is not known", error)
        return None
    team_id, name = answer.get("team_id"), answer.get("team")
    if not (isinstance(team_id, str) and isinstance(name, str) and name.strip()):
        return None
    try:
        await services.name_workspace(ctx, team_id, name.strip())
    except Exception as error:  # the store closing as the process stops
        logger.warning("the workspace's Slack name was not kept (%s)", error)
        return None
    return name.strip()
