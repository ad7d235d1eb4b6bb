"""`addons-bot workspace set` and `show`: a workspace's subscription and settings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bot import services
from bot.entrypoints.cli.dates import anchor_problem
from bot.entrypoints.cli.invocation import Run, fail
from bot.entrypoints.cli.workspace_billing import billing_change, billing_text, refusal
from domain.errors import UnknownWorkspace
from domain.parties import InvalidBillingDetail
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
    try:
        sub = await services.set_workspace(
            run.ctx,
            args.team_id,
            args.anchor,
            run.now,
            timezone=args.tz,
            locale=args.locale,
            actor="operator",
            customer=args.customer,
            billing=billing_change(args),
        )
    except InvalidBillingDetail as error:
        return fail(refusal(error))
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

    since = await installed_since(run.rt.db, sub.team_id)
    shown = workspace_json(sub, run.now, since)
    if run.args.json:
        return run.json(shown)
    admins = ", ".join(sub.billing_admins) or "none"
    seller = run.ctx.invoicing.seller
    slack = f"installed on {shown['installed_on']}" if since else "not installed (OAuth)"
    customer = f", customer {sub.customer}" if sub.customer else ""
    return run.say(
        f"Workspace {sub.team_id}: anchor {sub.anchor}, time zone {sub.timezone}, "
        f"locale {sub.locale}{customer}; current period "
        f"{shown['period_start']}..{shown['period_end']}.",
        f"Billing admins: {admins}. Slack: {slack}.",
        *billing_text(sub, debits=bool(seller and seller.creditor_id)),
    )


def workspace_json(sub: Subscription, now: datetime, since: datetime | None) -> dict[str, Any]:
    """``workspace show --json``: the workspace's shape plus its Slack installation."""
    return {
        **services.workspace_to_json(sub, now),
        "installed": since is not None,
        "installed_on": since.date().isoformat() if since is not None else None,
    }


async def workspace_list(run: Run) -> int:
    """Every workspace with what an operator looks for first; filters narrow it."""
    from bot.adapters.slack_install.store import installations

    slack = await installations(run.rt.db)
    rows: list[dict[str, Any]] = []
    for row in await services.list_workspaces(run.ctx, run.now):
        sub = row.subscription
        name, since = slack.get(sub.team_id, (None, None))
        if run.args.not_installed and since is not None:
            continue
        if run.args.without_customer and sub.customer:
            continue
        rows.append(
            {
                "team_id": sub.team_id,
                "name": name,
                "installed": since is not None,
                "customer": sub.customer,
                "plan": (
                    {"name": sub.plan.name, "price": str(sub.plan.price.amount)}
                    if sub.plan
                    else None
                ),
                "active_addons": row.active_addons,
                "next_invoice_on": row.next_invoice_on.isoformat(),
            }
        )
    if run.args.json:
        return run.json(rows)
    if not rows:
        return run.say("No workspaces.")
    lines = [
        f"{r['team_id']}  {r['name'] or '-'}  "
        f"{'installed' if r['installed'] else 'not installed'}  "
        f"customer {r['customer'] or '-'}  "
        f"Tarif {_plan_text(r['plan'])}  "
        f"{r['active_addons']} active add-ons  "
        f"next invoice {r['next_invoice_on']}"
        for r in rows
    ]
    return run.say(*lines)


def _plan_text(plan: dict[str, str] | None) -> str:
    """ "CloudCRM Business 49.00 EUR", or "-" without a Tarif."""
    return f"{plan['name']} {plan['price']} EUR" if plan else "-"


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
