"""`addons-bot entitlements`: the seats and gigabytes a workspace's add-ons give today."""

from __future__ import annotations

from bot import services
from bot.entrypoints.cli.invocation import Run


async def entitlements(run: Run) -> int:
    """Extra seats and storage in force today, with the workspace's customer number."""
    team_id = run.args.team_id
    sub = await services.get_workspace(run.ctx, team_id)
    totals = await services.get_entitlements(run.ctx, team_id, run.now)
    as_of = sub.today(run.now).isoformat()
    if run.args.json:
        return run.json(
            {
                "team_id": team_id,
                "customer": sub.customer,
                "seats": totals.seats,
                "storage_gb": totals.gigabytes,
                "as_of": as_of,
            }
        )
    customer = f" (customer {sub.customer})" if sub.customer else ""
    return run.say(
        f"In force for {team_id}{customer} on {as_of}: "
        f"+{totals.seats} seats, +{totals.gigabytes} GB storage."
    )
