"""`addons-bot workspace set`: create or configure a workspace's subscription."""

from __future__ import annotations

from datetime import UTC, date

from bot import services
from bot.cli.dates import anchor_problem
from bot.cli.invocation import Run, fail
from domain.errors import UnknownWorkspace


async def workspace_set(run: Run) -> int:
    """Create or configure the workspace; print it with its current period."""
    args = run.args
    if args.anchor is None and not await _exists(run, args.team_id):
        return fail(f"workspace {args.team_id} does not exist yet: give --anchor to create it")
    if args.anchor is not None:
        problem = anchor_problem(args.anchor, run.now.astimezone(UTC).date())
        if problem is not None and not await _has_anchor(run, args.team_id, args.anchor):
            return fail(problem)
    sub = await services.set_workspace(
        run.ctx,
        args.team_id,
        args.anchor,
        run.now,
        timezone=args.tz,
        locale=args.locale,
        actor="operator",
        customer=args.customer,
    )
    period = sub.schedule.period_containing(sub.today(run.now))
    if args.json:
        return run.json(
            {
                "team_id": sub.team_id,
                "anchor": sub.anchor.isoformat(),
                "timezone": sub.timezone,
                "locale": sub.locale,
                "customer": sub.customer,
                "period_start": period.start.isoformat(),
                "period_end": period.end.isoformat(),
            }
        )
    customer = f", customer {sub.customer}" if sub.customer else ""
    return run.say(
        f"Workspace {sub.team_id}: anchor {sub.anchor}, time zone {sub.timezone}, "
        f"locale {sub.locale}{customer}; current period {period.start}..{period.end}."
    )


async def _has_anchor(run: Run, team_id: str, anchor: date) -> bool:
    """Whether the workspace exists with this anchor already (naming it again moves nothing)."""
    try:
        return (await services.get_workspace(run.ctx, team_id)).anchor == anchor
    except UnknownWorkspace:
        return False


async def _exists(run: Run, team_id: str) -> bool:
    """Whether the workspace has a subscription already."""
    try:
        await services.get_workspace(run.ctx, team_id)
    except UnknownWorkspace:
        return False
    return True
