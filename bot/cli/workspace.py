"""`addons-bot workspace set`: create or configure a workspace's subscription."""

from __future__ import annotations

from bot import services
from bot.cli.invocation import Run


async def workspace_set(run: Run) -> int:
    """Create or configure the workspace; print it with its current period."""
    args = run.args
    sub = await services.set_workspace(
        run.ctx,
        args.team_id,
        args.anchor,
        run.now,
        timezone=args.tz,
        locale=args.locale,
        actor="operator",
    )
    period = sub.schedule.period_containing(sub.today(run.now))
    if args.json:
        return run.json(
            {
                "team_id": sub.team_id,
                "anchor": sub.anchor.isoformat(),
                "timezone": sub.timezone,
                "locale": sub.locale,
                "period_start": period.start.isoformat(),
                "period_end": period.end.isoformat(),
            }
        )
    return run.say(
        f"Workspace {sub.team_id}: anchor {sub.anchor}, time zone {sub.timezone}, "
        f"locale {sub.locale}; current period {period.start}..{period.end}."
    )
