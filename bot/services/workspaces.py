"""Workspaces: created on first use, configured by the operator, read by everyone."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from bot.ports import UnitOfWork
from bot.services.context import SYSTEM_ACTOR, Context, subscription_of
from bot.services.events import emit
from bot.services.retry import retrying
from bot.services.shapes import details_to_json, workspace_to_json
from bot.services.workspace_changes import BillingChange, billing_changes, with_billing
from domain.errors import AnchorLocked, UnknownWorkspace
from domain.parties import BillingDetails
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
    billing: BillingChange | None = None,
) -> Subscription:
    """Create or configure a workspace; the anchor is fixed once add-ons exist.

    ``anchor`` None keeps the workspace's anchor (UnknownWorkspace if there is none yet);
    ``customer`` None keeps its CloudCRM customer number; ``billing`` changes only the
    Rechnungsdaten, mandate and Tarif values it names. A value that does not validate
    raises its DomainError (InvalidBillingDetail names the field) and nothing is stored.
    A new Tarif price is read by the billing run when it issues: it applies from the
    next Sammelrechnung on, never to one issued already.
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
            if billing is not None:
                sub = with_billing(sub, billing, sub.today(now))
            await uow.subscriptions.add(sub, now)
        else:
            sub = await _reconfigure(uow, old, anchor or old.anchor, now, timezone, locale)
            sub = replace(sub, customer=customer if customer is not None else old.customer)
            if billing is not None:
                sub = with_billing(sub, billing, sub.today(now))
            await uow.subscriptions.save(sub)
        detail: dict[str, Any] = {
            "anchor": sub.anchor.isoformat(),
            "timezone": sub.timezone,
            "locale": sub.locale,
        }
        if customer is not None:
            detail["customer"] = customer
        detail.update(billing_changes(old, sub))
        await uow.audit.record(team_id, now, actor, "workspace_set", **detail)
        if told_to_cloudcrm(sub) != told_to_cloudcrm(old):
            await emit(uow, team_id, "workspace.updated", workspace_to_json(sub, now), now)
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
async def set_billing_details(
    ctx: Context, team_id: str, details: BillingDetails, now: datetime, actor: str = "operator"
) -> Subscription:
    """Replace the workspace's Rechnungsdaten (already checked: BillingDetails.checked).

    Audit-logged; CloudCRM hears ``workspace.updated`` when they changed. Documents
    already issued keep the terms they were issued with.
    """
    async with ctx.db.unit_of_work() as uow:
        old = await subscription_of(uow, team_id)
        sub = replace(old, details=details)
        await uow.subscriptions.save(sub)
        await uow.audit.record(team_id, now, actor, "billing_details_set", **details_to_json(sub))
        if sub.details != old.details:
            await emit(uow, team_id, "workspace.updated", workspace_to_json(sub, now), now)
        await uow.commit()
    return sub


async def name_workspace(ctx: Context, team_id: str, name: str) -> bool:
    """Keep the workspace's name in Slack (invoices name it without a company); whether it
    changed. A workspace not set up yet is left alone: it is named on the next start."""
    async with ctx.db.unit_of_work() as uow:
        sub = await uow.subscriptions.get(team_id)
        if sub is None or sub.slack_name == name:
            return False
        await uow.subscriptions.save(replace(sub, slack_name=name))
        await uow.commit()
    return True


def told_to_cloudcrm(sub: Subscription | None) -> tuple[object, ...]:
    """What of a workspace CloudCRM hears about when it changes (``workspace.updated``):
    the customer number, the Tarif and the billing data, not its anchor or language."""
    if sub is None:  # a workspace created without any of them tells nothing yet
        return (None, None, BillingDetails())
    return (sub.customer, sub.plan, sub.details)


# Slack's side of a workspace as CloudCRM hears of it (the audit action -> the event).
LIFE_EVENTS = {
    "slack_installed": "workspace.installed",
    "slack_uninstalled": "workspace.uninstalled",
    "slack_tokens_revoked": "workspace.uninstalled",
}


@retrying
async def record_installation(
    ctx: Context, team_id: str, now: datetime, action: str, actor: str, detail: dict[str, Any]
) -> None:
    """An audit entry for Slack's side of a workspace: installed, uninstalled, revoked;
    and for CloudCRM the matching ``workspace.*`` event, in the same transaction.

    The workspace's subscription, add-ons and invoices are not touched: they are the
    customer's CloudCRM contract, not Slack's.
    """
    async with ctx.db.unit_of_work() as uow:
        await uow.audit.record(team_id, now, actor, action, **detail)
        life = LIFE_EVENTS.get(action)
        if life is not None:
            await emit(uow, team_id, life, {"reason": action, **detail}, now)
        await uow.commit()


@dataclass(frozen=True)
class WorkspaceRow:
    """One line of ``workspace list``: the workspace, its active add-ons, its next invoice."""

    subscription: Subscription
    active_addons: int
    next_invoice_on: date


async def list_workspaces(ctx: Context, now: datetime, page: int = 500) -> list[WorkspaceRow]:
    """Every workspace in team-id order, with what an operator looks for first."""
    rows: list[WorkspaceRow] = []
    after = ""
    async with ctx.db.unit_of_work(write=False) as uow:
        while batch := await uow.subscriptions.page_after(after, page):
            for sub in batch:
                live = await uow.addons.live(sub.team_id)
                active = sum(1 for addon in live if addon.in_force_on(sub.today(now)))
                rows.append(WorkspaceRow(sub, active, next_invoice_on(sub, now)))
            after = batch[-1].team_id
    return rows


def next_invoice_on(sub: Subscription, now: datetime) -> date:
    """The day the next Sammelrechnung is issued: the start of the first period not yet
    invoiced, or today when the workspace is behind (a catch-up issues today)."""
    due = sub.schedule.period_containing(sub.closed_through).end + timedelta(days=1)
    return max(due, sub.today(now))
