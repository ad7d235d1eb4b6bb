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

    The recipients are the workspace's billing admins (its own list; the environment's
    in single-workspace mode) and every Slack user who has
    booked or cancelled in this workspace (only admins can); each (event, user) pair is
    queued once, whatever retries happen.
    """
    sub = await uow.subscriptions.get(team_id)
    own = sub.billing_admins if sub is not None else ()
    recipients = set(ctx.billing_admins) | set(own) | set(await uow.audit.slack_actors(team_id))
    if also and also.startswith("U"):
        recipients.add(also)
    for user in sorted(recipients):
        await uow.outbox.add(team_id, f"{event}:{user}", kind, {**payload, "user": user}, now)
