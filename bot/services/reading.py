"""What the admins and the operator read: add-ons, the overview, invoices, the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from bot.ports import AuditEntry, UnitOfWork
from bot.services.context import Context, addon_of, subscription_of
from bot.services.workspaces import ensure_workspace
from domain.addons import AddOn, Status
from domain.billing import Entitlements
from domain.billing import entitlements as domain_entitlements
from domain.billing import preview_invoice as domain_preview_invoice
from domain.billing import preview_invoices as domain_preview_invoices
from domain.corrections import Correction
from domain.errors import UnknownCorrection, UnknownInvoice
from domain.invoices import Invoice
from domain.periods import Period
from domain.terms import Terms
from domain.workspace import Subscription

_LIVE = (Status.ACTIVE, Status.CANCELLATION_PENDING)


async def list_addons(ctx: Context, team_id: str) -> list[AddOn]:
    """All add-ons of the workspace, newest first."""
    async with ctx.db.unit_of_work(write=False) as uow:
        await subscription_of(uow, team_id)
        return await uow.addons.newest_first(team_id)


async def get_addon(ctx: Context, team_id: str, addon_id: int) -> AddOn:
    """One add-on of this workspace; UnknownAddOn for any other id."""
    async with ctx.db.unit_of_work(write=False) as uow:
        return await addon_of(uow, team_id, addon_id)


def _upcoming_period(sub: Subscription, today: date) -> Period:
    return sub.schedule.period(sub.schedule.period_containing(today).index + 1)


async def _preview(
    uow: UnitOfWork,
    ctx: Context,
    sub: Subscription,
    today: date,
    addons: list[AddOn] | None = None,
) -> Invoice:
    """The upcoming invoice; ``addons`` (all of them, already read) spares a query."""
    if addons is None:
        live = await uow.addons.live(sub.team_id)
    else:  # what AddOnRepository.live() would read: active or cancelled, oldest first
        live = sorted((a for a in addons if a.status in _LIVE), key=lambda a: a.id)
    drafts = await uow.lines.drafts(sub.team_id)
    period = _upcoming_period(sub, today)
    return domain_preview_invoice(
        sub.team_id,
        period,
        live,
        drafts,
        ctx.catalog,
        plan=sub.plan,
        terms=_terms(ctx, sub, period.start),
    )


def _terms(ctx: Context, sub: Subscription, issued_on: date) -> Terms:
    """The terms a document issued on ``issued_on`` would have, as things stand."""
    return ctx.invoicing.terms(sub.details, sub.slack_name, sub.team_id, issued_on)


async def preview_invoice(ctx: Context, team_id: str, now: datetime) -> Invoice:
    """The upcoming consolidated invoice as it stands today (no number yet)."""
    async with ctx.db.unit_of_work(write=False) as uow:
        sub = await subscription_of(uow, team_id)
        return await _preview(uow, ctx, sub, sub.today(now))


async def preview_invoices(ctx: Context, team_id: str, now: datetime) -> list[Invoice]:
    """Every invoice due and not yet issued (a workspace the billing run has not caught
    up with), then the upcoming one: what the runs will issue, in order (no numbers)."""
    async with ctx.db.unit_of_work(write=False) as uow:
        sub = await subscription_of(uow, team_id)
        today = sub.today(now)
        periods = [
            *sub.schedule.periods_starting_between(sub.closed_through, today),
            _upcoming_period(sub, today),
        ]
        live = await uow.addons.live(team_id)
        drafts = await uow.lines.drafts(team_id)
    shown = domain_preview_invoices(
        team_id,
        periods,
        live,
        drafts,
        ctx.catalog,
        plan=sub.plan,
        terms=_terms(ctx, sub, max(today, periods[-1].start)),
    )
    # what is due already will be issued today (never backdated), the rest on its day
    return [replace(i, issued=max(today, i.period.start)) for i in shown]


async def get_entitlements(ctx: Context, team_id: str, now: datetime) -> Entitlements:
    """Extra seats and gigabytes in force today."""
    async with ctx.db.unit_of_work(write=False) as uow:
        sub = await subscription_of(uow, team_id)
        live = await uow.addons.live(team_id)
    return domain_entitlements(live, ctx.catalog, sub.today(now))


@dataclass(frozen=True)
class Overview:
    """Everything the /addons overview shows, read in one transaction."""

    subscription: Subscription
    today: date
    addons: list[AddOn]
    entitlements: Entitlements
    upcoming: Invoice
    last_invoices: list[Invoice]
    # the Rechnungskorrekturen of those invoices, newest first (shown next to them)
    last_corrections: list[Correction] = field(default_factory=list)


async def overview(ctx: Context, team_id: str, now: datetime, invoices: int = 3) -> Overview:
    """The add-ons, what is in force, the upcoming invoice and the last invoices."""
    async with ctx.db.unit_of_work(write=False) as uow:
        sub = await subscription_of(uow, team_id)
        return await _overview(uow, ctx, sub, now, invoices)


async def ensured_overview(
    ctx: Context, team_id: str, now: datetime, invoices: int = 3
) -> Overview:
    """The overview, the workspace created first if this is its first use.

    One read transaction; a write only the first time a workspace is seen (then the
    overview of the new, empty workspace is read right after its creation).
    """
    async with ctx.db.unit_of_work(write=False) as uow:
        sub = await uow.subscriptions.get(team_id)
        if sub is not None:  # the common case: one read, no write lock
            return await _overview(uow, ctx, sub, now, invoices)
    await ensure_workspace(ctx, team_id, now)
    return await overview(ctx, team_id, now, invoices)


async def _overview(
    uow: UnitOfWork, ctx: Context, sub: Subscription, now: datetime, invoices: int
) -> Overview:
    today = sub.today(now)
    addons = await uow.addons.newest_first(sub.team_id)
    upcoming = await _preview(uow, ctx, sub, today, addons)
    last = await uow.invoices.newest_first(sub.team_id, limit=invoices)
    in_force = domain_entitlements(addons, ctx.catalog, today)
    shown = {invoice.number for invoice in last}
    corrections = (
        [c for c in await uow.corrections.newest_first(sub.team_id) if c.corrects in shown]
        if last
        else []
    )
    return Overview(sub, today, addons, in_force, upcoming, last, corrections)


async def list_invoices(ctx: Context, team_id: str) -> list[Invoice]:
    """The workspace's issued invoices, newest first."""
    async with ctx.db.unit_of_work(write=False) as uow:
        await subscription_of(uow, team_id)
        return await uow.invoices.newest_first(team_id)


async def get_invoice(ctx: Context, number: int, team_id: str | None = None) -> Invoice:
    """One issued invoice; with ``team_id``, only if it belongs to that workspace."""
    async with ctx.db.unit_of_work(write=False) as uow:
        invoice = await uow.invoices.get(number, team_id)
    if invoice is None:
        raise UnknownInvoice(number)
    return invoice


async def list_corrections(ctx: Context, team_id: str) -> list[Correction]:
    """The workspace's Rechnungskorrekturen, newest first."""
    async with ctx.db.unit_of_work(write=False) as uow:
        await subscription_of(uow, team_id)
        return await uow.corrections.newest_first(team_id)


async def list_documents(ctx: Context, team_id: str) -> list[Invoice | Correction]:
    """Invoices and corrections together, newest first (a correction after its invoice)."""
    async with ctx.db.unit_of_work(write=False) as uow:
        await subscription_of(uow, team_id)
        invoices = await uow.invoices.newest_first(team_id)
        corrections = await uow.corrections.newest_first(team_id)
    documents: list[Invoice | Correction] = [*invoices, *corrections]
    # Same day: the correction comes later than the invoice it may correct.
    return sorted(
        documents,
        key=lambda d: (d.issued_on, isinstance(d, Correction), d.number or 0),
        reverse=True,
    )


async def get_correction(ctx: Context, number: int, team_id: str | None = None) -> Correction:
    """One Rechnungskorrektur; with ``team_id``, only if it belongs to that workspace."""
    async with ctx.db.unit_of_work(write=False) as uow:
        correction = await uow.corrections.get(number, team_id)
    if correction is None:
        raise UnknownCorrection(number)
    return correction


async def audit_log(ctx: Context, team_id: str) -> list[AuditEntry]:
    """The workspace's audit log, newest first."""
    async with ctx.db.unit_of_work(write=False) as uow:
        await subscription_of(uow, team_id)
        return await uow.audit.newest_first(team_id)
