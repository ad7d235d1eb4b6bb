"""Workspaces: created on first use, configured by the operator, read by everyone."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from bot.ports import UnitOfWork
from bot.services.context import SYSTEM_ACTOR, Context, subscription_of
from bot.services.retry import retrying
from domain.errors import AnchorLocked, UnknownWorkspace
from domain.workspace import Subscription, check_customer, check_timezone


async def _get_or_create(
    uow: UnitOfWork, ctx: Context, team_id: str, now: datetime
) -> Subscription:
    sub = await uow.subscriptions.get(team_id)
    if sub is not None:
        return sub
    fresh = Subscription(
        team_id, anchor=date.min, timezone=ctx.default_timezone, locale=ctx.default_locale
    )
    today = fresh.today(now)
    sub = Subscription(team_id, today, ctx.default_timezone, ctx.default_locale, today)
    await uow.subscriptions.add(sub, now)
    await uow.audit.record(
        team_id, now, SYSTEM_ACTOR, "workspace_created", anchor=today.isoformat()
    )
    return sub


@retrying
async def ensure_workspace(ctx: Context, team_id: str, now: datetime) -> Subscription:
    """The workspace's subscription; the first use creates it with today as anchor."""
    async with ctx.db.unit_of_work(write=False) as uow:
        found = await uow.subscriptions.get(team_id)
    if found is not None:  # the common case: no write lock taken
        return found
    async with ctx.db.unit_of_work() as uow:
        sub = await _get_or_create(uow, ctx, team_id, now)
        await uow.commit()
    return sub


@retrying
async def set_workspace(
    ctx: Context,
    team_id: str,
    anchor: date | None,
    now: datetime,
    *,
    timezone: str | None = None,
    locale: str | None = None,
    actor: str = "operator",
    customer: str | None = None,
) -> Subscription:
    """Create or configure a workspace; the anchor is fixed once add-ons exist.

    ``anchor`` None keeps the workspace's anchor (UnknownWorkspace if there is none yet);
    ``customer`` None keeps its CloudCRM customer number.
    """
    tz = check_timezone(timezone or ctx.default_timezone)
    if customer is not None:
        check_customer(customer)
    async with ctx.db.unit_of_work() as uow:
        old = await uow.subscriptions.get(team_id)
        if old is None:
            if anchor is None:
                raise UnknownWorkspace(team_id)
            probe = Subscription(team_id, anchor, tz)
            start = probe.schedule.period_containing(probe.today(now)).start
            sub = Subscription(
                team_id, anchor, tz, locale or ctx.default_locale, start, customer=customer
            )
            await uow.subscriptions.add(sub, now)
        else:
            sub = await _reconfigure(uow, old, anchor or old.anchor, now, timezone, locale)
            sub = replace(sub, customer=customer if customer is not None else old.customer)
            await uow.subscriptions.save(sub)
        detail: dict[str, Any] = {
            "anchor": sub.anchor.isoformat(),
            "timezone": sub.timezone,
            "locale": sub.locale,
        }
        if customer is not None:
            detail["customer"] = customer
        await uow.audit.record(team_id, now, actor, "workspace_set", **detail)
        await uow.commit()
    return sub


async def _reconfigure(
    uow: UnitOfWork,
    old: Subscription,
    anchor: date,
    now: datetime,
    timezone: str | None,
    locale: str | None,
) -> Subscription:
    """The existing workspace with a new anchor, zone or language (AnchorLocked if it may not)."""
    team_id = old.team_id
    if old.anchor != anchor and await uow.addons.count(team_id):
        raise AnchorLocked(team_id)
    start = old.closed_through
    if old.anchor != anchor:  # "today" in the zone the workspace will have
        probe = Subscription(team_id, anchor, timezone or old.timezone)
        start = probe.schedule.period_containing(probe.today(now)).start
    return replace(
        old,
        anchor=anchor,
        timezone=timezone or old.timezone,
        locale=locale or old.locale,
        last_closed=start,
    )


async def get_workspace(ctx: Context, team_id: str) -> Subscription:
    """The workspace's subscription, or UnknownWorkspace."""
    async with ctx.db.unit_of_work(write=False) as uow:
        return await subscription_of(uow, team_id)


async def billing_admins_of(ctx: Context, team_id: str) -> frozenset[str]:
    """Who may book and see invoices in this workspace besides its Slack admins.

    The workspace's own list (``workspace set --billing-admins``), plus, in
    single-workspace mode only, ADDONS_BILLING_ADMINS (the context's ``billing_admins``).
    """
    async with ctx.db.unit_of_work(write=False) as uow:
        sub = await uow.subscriptions.get(team_id)
    own = sub.billing_admins if sub is not None else ()
    return frozenset(ctx.billing_admins) | frozenset(own)


@retrying
async def set_billing_admins(
    ctx: Context, team_id: str, admins: tuple[str, ...], now: datetime, actor: str = "operator"
) -> Subscription:
    """Replace the workspace's billing admins; UnknownWorkspace if it has no subscription."""
    async with ctx.db.unit_of_work() as uow:
        old = await subscription_of(uow, team_id)
        sub = replace(old, billing_admins=tuple(dict.fromkeys(admins)))
        await uow.subscriptions.save(sub)
        await uow.audit.record(
            team_id, now, actor, "billing_admins_set", billing_admins=list(sub.billing_admins)
        )
        await uow.commit()
    return sub


@retrying
async def record_installation(
    ctx: Context, team_id: str, now: datetime, action: str, actor: str, detail: dict[str, Any]
) -> None:
    """An audit entry for Slack's side of a workspace: installed, uninstalled, revoked.

    The workspace's subscription, add-ons and invoices are not touched: they are the
    customer's CloudCRM contract, not Slack's.
    """
    async with ctx.db.unit_of_work() as uow:
        await uow.audit.record(team_id, now, actor, action, **detail)
        await uow.commit()
