"""Workspaces: created on first use, configured by the operator, read by everyone."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from bot.ports import UnitOfWork
from bot.services.context import SYSTEM_ACTOR, Context, subscription_of
from domain.errors import AnchorLocked
from domain.workspace import Subscription, check_timezone


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


async def set_workspace(
    ctx: Context,
    team_id: str,
    anchor: date,
    now: datetime,
    *,
    timezone: str | None = None,
    locale: str | None = None,
    actor: str = "operator",
) -> Subscription:
    """Create or configure a workspace; the anchor is fixed once add-ons exist."""
    tz = check_timezone(timezone or ctx.default_timezone)
    async with ctx.db.unit_of_work() as uow:
        old = await uow.subscriptions.get(team_id)
        if old is None:
            probe = Subscription(team_id, anchor, tz)
            start = probe.schedule.period_containing(probe.today(now)).start
            sub = Subscription(team_id, anchor, tz, locale or ctx.default_locale, start)
            await uow.subscriptions.add(sub, now)
        else:
            if old.anchor != anchor and await uow.addons.count(team_id):
                raise AnchorLocked(team_id)
            start = old.closed_through
            if old.anchor != anchor:  # "today" in the zone the workspace will have
                probe = Subscription(team_id, anchor, timezone or old.timezone)
                start = probe.schedule.period_containing(probe.today(now)).start
            sub = Subscription(
                team_id,
                anchor,
                timezone or old.timezone,
                locale or old.locale,
                start,
                billing_admins=old.billing_admins,
            )
            await uow.subscriptions.save(sub)
        await uow.audit.record(
            team_id,
            now,
            actor,
            "workspace_set",
            anchor=anchor.isoformat(),
            timezone=sub.timezone,
            locale=sub.locale,
        )
        await uow.commit()
    return sub


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
