"""`addons-bot workspace set` and `show`: a workspace's subscription and settings."""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

from bot import services
from bot.entrypoints.cli.dates import anchor_problem
from bot.entrypoints.cli.invocation import Run, fail
from domain.errors import UnknownWorkspace
from domain.workspace import Subscription


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
    if args.billing_admins is not None:
        sub = await services.set_billing_admins(
            run.ctx, args.team_id, args.billing_admins, run.now, actor="operator"
        )
    return await _print(run, sub)


async def workspace_show(run: Run) -> int:
    """Print the workspace: subscription, billing admins and its Slack installation."""
    try:
        sub = await services.get_workspace(run.ctx, run.args.team_id)
    except UnknownWorkspace:
        return fail(f"no workspace {run.args.team_id}")
    return await _print(run, sub)


async def _print(run: Run, sub: Subscription) -> int:
    from bot.adapters.slack_install.store import installed_since

    period = sub.schedule.period_containing(sub.today(run.now))
    since = await installed_since(run.rt.db, sub.team_id)
    shown: dict[str, Any] = {
        "team_id": sub.team_id,
        "anchor": sub.anchor.isoformat(),
        "timezone": sub.timezone,
        "locale": sub.locale,
        "customer": sub.customer,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "billing_admins": list(sub.billing_admins),
        "installed": since is not None,
        "installed_on": since.date().isoformat() if since is not None else None,
    }
    if run.args.json:
        return run.json(shown)
    admins = ", ".join(sub.billing_admins) or "none"
    slack = f"installed on {shown['installed_on']}" if since else "not installed (OAuth)"
    customer = f", customer {sub.customer}" if sub.customer else ""
    return run.say(
        f"Workspace {sub.team_id}: anchor {sub.anchor}, time zone {sub.timezone}, "
        f"locale {sub.locale}{customer}; current period {period.start}..{period.end}.",
        f"Billing admins: {admins}. Slack: {slack}.",
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
