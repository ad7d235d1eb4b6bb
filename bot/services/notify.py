"""Direct messages to the billing admins, queued in the outbox with the change itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.ports import UnitOfWork
from bot.services.context import Context


async def notify(
    uow: UnitOfWork,
    ctx: Context,
    team_id: str,
    event: str,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    also: str | None = None,
) -> None:
    """Queue one direct message per billing admin, in the transaction of the change.

    The recipients are the configured billing admins and every Slack user who has
    booked or cancelled in this workspace (only admins can); each (event, user) pair is
    queued once, whatever retries happen.
    """
    recipients = set(ctx.billing_admins) | set(await uow.audit.slack_actors(team_id))
    if also and also.startswith("U"):
        recipients.add(also)
    for user in sorted(recipients):
        await uow.outbox.add(team_id, f"{event}:{user}", kind, {**payload, "user": user}, now)
