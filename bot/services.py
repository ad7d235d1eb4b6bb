"""Use cases: short async functions over one unit of work each; ``now`` is always passed in.

Every write happens inside ``async with ctx.db.unit_of_work() as uow`` and is committed at
its end, so a crash half-way leaves nothing behind. ``now`` is an aware instant; each use
case turns it into the workspace's calendar date in its billing time zone.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.ports import AuditEntry
from domain.addons import (
    AddOn,
    BookingQuote,
    CancellationQuote,
    Outcome,
)
from domain.addons import (
    quote_booking as domain_quote_booking,
)
from domain.billing import Entitlements, close_period
from domain.billing import entitlements as domain_entitlements
from domain.billing import preview_invoice as domain_preview_invoice
from domain.catalog import Catalog
from domain.errors import (
    AnchorLocked,
    BookingQuoteExpired,
    InvalidTimezone,
    UnknownAddOn,
    UnknownInvoice,
    UnknownWorkspace,
)
from domain.invoices import Invoice
from domain.periods import Period
from domain.workspace import DEFAULT_TIMEZONE, Subscription
from storage.sqlite import (
    SqliteUnitOfWork,
    UnitOfWorkSource,
    stream_subscriptions,
)

SYSTEM_ACTOR = "billing-run"

logger = logging.getLogger("addons.billing")


@dataclass(frozen=True)
class Context:
    """What every use case needs: the store, the catalog and the defaults."""

    db: UnitOfWorkSource
    catalog: Catalog = field(default_factory=Catalog)
    default_locale: str = "de"
    default_timezone: str = DEFAULT_TIMEZONE
    billing_admins: tuple[str, ...] = ()


# -- workspaces -----------------------------------------------------------------------


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidTimezone(name) from None
    return name


async def _subscription(uow: SqliteUnitOfWork, team_id: str) -> Subscription:
    sub = await uow.subscriptions.get(team_id)
    if sub is None:
        raise UnknownWorkspace(team_id)
    return sub


async def _get_or_create(uow: SqliteUnitOfWork, ctx: Context, team_id: str,
                         now: datetime) -> Subscription:
    sub = await uow.subscriptions.get(team_id)
    if sub is not None:
        return sub
    fresh = Subscription(team_id, anchor=date.min, timezone=ctx.default_timezone,
                         locale=ctx.default_locale)
    today = fresh.today(now)
    sub = Subscription(team_id, today, ctx.default_timezone, ctx.default_locale, today)
    await uow.subscriptions.add(sub, now)
    await uow.audit.record(team_id, now, SYSTEM_ACTOR, "workspace_created",
                           anchor=today.isoformat())
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
    ctx: Context, team_id: str, anchor: date, now: datetime, *,
    timezone: str | None = None, locale: str | None = None, actor: str = "operator",
) -> Subscription:
    """Create or configure a workspace; the anchor is fixed once add-ons exist."""
    tz = _check_timezone(timezone or ctx.default_timezone)
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
            sub = Subscription(team_id, anchor, timezone or old.timezone,
                               locale or old.locale, start)
            await uow.subscriptions.save(sub)
        await uow.audit.record(team_id, now, actor, "workspace_set", anchor=anchor.isoformat(),
                               timezone=sub.timezone, locale=sub.locale)
        await uow.commit()
    return sub


async def get_workspace(ctx: Context, team_id: str) -> Subscription:
    """The workspace's subscription, or UnknownWorkspace."""
    async with ctx.db.unit_of_work(write=False) as uow:
        return await _subscription(uow, team_id)


# -- booking --------------------------------------------------------------------------


@dataclass(frozen=True)
class Booked:
    """The outcome of a confirmed booking; ``created`` is False for a repeat."""

    addon: AddOn
    quote: BookingQuote
    created: bool


async def quote_booking(
    ctx: Context, team_id: str, option: str, quantity: object, now: datetime
) -> BookingQuote:
    """Everything the booking confirmation shows: prices, prorated amount, billed until."""
    async with ctx.db.unit_of_work(write=False) as uow:
        sub = await _subscription(uow, team_id)
    return domain_quote_booking(ctx.catalog[option], quantity, sub.today(now), sub.schedule)


async def book(
    ctx: Context, team_id: str, option: str, quantity: object, now: datetime, *,
    key: str, actor: str, quoted_on: date | None = None,
) -> Booked:
    """Book an add-on once per ``key``: a repeated confirmation returns the first booking.

    ``quoted_on`` is the day the confirmation was drawn for: its prorated amount and
    billed-until date hold for that day only, so a confirmation submitted on another
    day books nothing (BookingQuoteExpired) instead of charging what was not shown.
    """
    async with ctx.db.unit_of_work() as uow:
        sub = await _subscription(uow, team_id)
        quote = domain_quote_booking(ctx.catalog[option], quantity, sub.today(now),
                                     sub.schedule)
        existing = await uow.idempotency.get(team_id, key)
        if existing is not None:
            addon = await uow.addons.get(team_id, existing)
            assert addon is not None
            # Report what the first confirmation booked, not a quote for today.
            first = BookingQuote(ctx.catalog[addon.option], addon.quantity, addon.booked_on,
                                 sub.schedule.period_containing(addon.booked_on))
            return Booked(addon, first, created=False)
        if quoted_on is not None and quoted_on != quote.booked_on:
            raise BookingQuoteExpired(quoted_on, quote.booked_on)
        addon = AddOn.booked(0, quote)
        addon.id = await uow.addons.add(team_id, addon, now)
        await uow.lines.add(team_id, quote.draft_line(addon.id))
        await uow.idempotency.put(team_id, key, addon.id, now)
        await uow.audit.record(team_id, now, actor, "book", addon.id, None, addon.status.value,
                               option=option, quantity=quote.quantity,
                               prorated=str(quote.prorated.amount))
        await uow.commit()
    return Booked(addon, quote, created=True)


# -- cancelling -----------------------------------------------------------------------


@dataclass(frozen=True)
class Cancelled:
    """The outcome of Kündigen as confirmed: the add-on after, and what it meant."""

    addon: AddOn
    quote: CancellationQuote


async def _addon(uow: SqliteUnitOfWork, team_id: str, addon_id: int) -> AddOn:
    addon = await uow.addons.get(team_id, addon_id)
    if addon is None:
        raise UnknownAddOn(addon_id)
    return addon


async def quote_cancellation(
    ctx: Context, team_id: str, addon_id: int, now: datetime
) -> CancellationQuote:
    """What Kündigen would do today: cancellation to the period end, or withdrawal."""
    async with ctx.db.unit_of_work(write=False) as uow:
        sub = await _subscription(uow, team_id)
        addon = await _addon(uow, team_id, addon_id)
        lines = await uow.lines.for_addon(team_id, addon_id)
    return addon.quote_cancellation(sub.today(now), sub.schedule, lines)


async def cancel(
    ctx: Context, team_id: str, addon_id: int, confirmed: Outcome, now: datetime, *,
    actor: str, confirmed_on: date | None = None,
) -> Cancelled:
    """Do what the admin confirmed; refuse if the facts moved meanwhile.

    OutcomeChanged if it is no longer a cancellation (or withdrawal), and
    CancellationDateChanged if ``confirmed_on`` is no longer the "Kündigung zum" date.
    """
    async with ctx.db.unit_of_work() as uow:
        sub = await _subscription(uow, team_id)
        addon = await _addon(uow, team_id, addon_id)
        lines = await uow.lines.for_addon(team_id, addon_id)
        today = sub.today(now)
        quote = addon.quote_cancellation(today, sub.schedule, lines)
        before = addon.status.value
        withdrawal = addon.cancel(today, sub.schedule, lines, confirmed, confirmed_on)
        if withdrawal is not None:
            await uow.lines.delete_drafts(team_id, withdrawal.removed_line_ids)
            await uow.lines.add_many(team_id, list(withdrawal.credit_lines))
            await _notify(uow, ctx, team_id, f"withdrawn:{addon.id}", "withdrawn",
                          {"addon_id": addon.id, "option": addon.option,
                           "quantity": addon.quantity, "on": today.isoformat(),
                           "refund_cents": quote.refund.cents}, now, also=actor)
        await uow.addons.save(team_id, addon)
        await uow.audit.record(team_id, now, actor, quote.outcome.value, addon.id, before,
                               addon.status.value, on=quote.on.isoformat(),
                               refund=str(quote.refund.amount))
        await uow.commit()
    return Cancelled(addon, quote)


async def undo_cancellation(
    ctx: Context, team_id: str, addon_id: int, now: datetime, *, actor: str
) -> AddOn:
    """Kündigung zurücknehmen: the add-on is active again; no amount changes."""
    async with ctx.db.unit_of_work() as uow:
        sub = await _subscription(uow, team_id)
        addon = await _addon(uow, team_id, addon_id)
        before = addon.status.value
        addon.undo_cancellation(sub.today(now))
        await uow.addons.save(team_id, addon)
        await uow.audit.record(team_id, now, actor, "undo_cancellation", addon.id, before,
                               addon.status.value)
        await uow.commit()
    return addon


# -- reading --------------------------------------------------------------------------


async def list_addons(ctx: Context, team_id: str) -> list[AddOn]:
    """All add-ons of the workspace, newest first."""
    async with ctx.db.unit_of_work(write=False) as uow:
        await _subscription(uow, team_id)
        return await uow.addons.newest_first(team_id)


async def get_addon(ctx: Context, team_id: str, addon_id: int) -> AddOn:
    """One add-on of this workspace; UnknownAddOn for any other id."""
    async with ctx.db.unit_of_work(write=False) as uow:
        return await _addon(uow, team_id, addon_id)


def _upcoming_period(sub: Subscription, today: date) -> Period:
    return sub.schedule.period(sub.schedule.period_containing(today).index + 1)


async def _preview(uow: SqliteUnitOfWork, ctx: Context, sub: Subscription,
                   today: date) -> Invoice:
    live = await uow.addons.live(sub.team_id)
    drafts = await uow.lines.drafts(sub.team_id)
    return domain_preview_invoice(sub.team_id, _upcoming_period(sub, today), live, drafts,
                                  ctx.catalog)


async def preview_invoice(ctx: Context, team_id: str, now: datetime) -> Invoice:
    """The upcoming consolidated invoice as it stands today (no number yet)."""
    async with ctx.db.unit_of_work(write=False) as uow:
        sub = await _subscription(uow, team_id)
        return await _preview(uow, ctx, sub, sub.today(now))


async def get_entitlements(ctx: Context, team_id: str, now: datetime) -> Entitlements:
    """Extra seats and gigabytes in force today."""
    async with ctx.db.unit_of_work(write=False) as uow:
        sub = await _subscription(uow, team_id)
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


async def overview(ctx: Context, team_id: str, now: datetime, invoices: int = 3) -> Overview:
    """The add-ons, what is in force, the upcoming invoice and the last invoices."""
    async with ctx.db.unit_of_work(write=False) as uow:
        sub = await _subscription(uow, team_id)
        today = sub.today(now)
        addons = await uow.addons.newest_first(team_id)
        upcoming = await _preview(uow, ctx, sub, today)
        last = await uow.invoices.newest_first(team_id, limit=invoices)
    in_force = domain_entitlements(addons, ctx.catalog, today)
    return Overview(sub, today, addons, in_force, upcoming, last)


async def list_invoices(ctx: Context, team_id: str) -> list[Invoice]:
    """The workspace's issued invoices, newest first."""
    async with ctx.db.unit_of_work(write=False) as uow:
        await _subscription(uow, team_id)
        return await uow.invoices.newest_first(team_id)


async def get_invoice(ctx: Context, number: int, team_id: str | None = None) -> Invoice:
    """One issued invoice; with ``team_id``, only if it belongs to that workspace."""
    async with ctx.db.unit_of_work(write=False) as uow:
        invoice = await uow.invoices.get(number, team_id)
    if invoice is None:
        raise UnknownInvoice(number)
    return invoice


async def audit_log(ctx: Context, team_id: str) -> list[AuditEntry]:
    """The workspace's audit log, newest first."""
    async with ctx.db.unit_of_work(write=False) as uow:
        await _subscription(uow, team_id)
        return await uow.audit.newest_first(team_id)


# -- notifications --------------------------------------------------------------------


async def _notify(
    uow: SqliteUnitOfWork, ctx: Context, team_id: str, event: str, kind: str,
    payload: dict[str, Any], now: datetime, also: str | None = None,
) -> None:
    """Queue one direct message per billing admin, in the transaction of the change.

    The recipients are the configured billing admins and every Slack user who has
    booked or cancelled in this workspace (only admins can); each (event, user) pair is
    queued once, whatever retries happen.
    """
    recipients = set(ctx.billing_admins) | set(await uow.audit.slack_actors(team_id))
    if also and also.startswith("U"):
        recipients.add(also)
    for user in sorted(recipients):
        await uow.outbox.add(team_id, f"{event}:{user}", kind, {**payload, "user": user}, now)


# -- the billing run ------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodTurn:
    """One workspace's turn of one period, as the billing run did it."""

    team_id: str
    period: Period
    invoice: Invoice | None
    deactivated: tuple[int, ...]
    renewed: int
    more_due: bool = False  # another period of this workspace is due already (catching up)


def _next_due(sub: Subscription, now: datetime, after: date | None = None) -> Period | None:
    """The oldest period of ``sub`` that has begun but not been turned yet."""
    start = sub.closed_through if after is None else after
    return next(sub.schedule.periods_starting_between(start, sub.today(now)), None)


async def _turn_one_period(ctx: Context, team_id: str, now: datetime) -> PeriodTurn | None:
    """Process the oldest due period of one workspace in one transaction, if any is due."""
    async with ctx.db.unit_of_work() as uow:
        sub = await _subscription(uow, team_id)
        period = _next_due(sub, now)
        if period is None:  # another process turned it meanwhile
            return None
        live = await uow.addons.live(team_id)
        drafts = await uow.lines.drafts(team_id)
        number = await uow.invoices.next_number()
        close = close_period(team_id, period, live, drafts, ctx.catalog, number)
        touched = {a.id for a in close.deactivated} | {r.addon_id for r in close.renewals}
        await uow.addons.save_many(team_id, [a for a in live if a.id in touched])
        if close.invoice is not None:
            await uow.invoices.add(close.invoice, now)
            await uow.lines.mark_invoiced(
                team_id, [line.id for line in close.carried if line.id is not None], number)
            await uow.lines.add_many(team_id, [r.on_invoice(number) for r in close.renewals])
            await _notify(uow, ctx, team_id, f"invoice:{number}", "invoice_issued",
                          {"number": number}, now)
        for addon in close.deactivated:
            await uow.audit.record(team_id, now, SYSTEM_ACTOR, "deactivate", addon.id,
                                   "cancellation_pending", addon.status.value,
                                   period_start=period.start.isoformat())
            await _notify(uow, ctx, team_id, f"ended:{addon.id}", "addon_ended",
                          {"addon_id": addon.id, "option": addon.option,
                           "quantity": addon.quantity, "on": _iso(addon.ended_on)}, now)
        if close.invoice is not None:
            await uow.audit.record(team_id, now, SYSTEM_ACTOR, "invoice_issued",
                                   number=number, total=str(close.invoice.total.amount),
                                   period_start=period.start.isoformat())
        await uow.subscriptions.save(Subscription(sub.team_id, sub.anchor, sub.timezone,
                                                  sub.locale, period.start))
        await uow.commit()
    return PeriodTurn(team_id, period, close.invoice, tuple(a.id for a in close.deactivated),
                      len(close.renewals), _next_due(sub, now, after=period.start) is not None)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


async def run_workspace(ctx: Context, team_id: str, now: datetime) -> list[PeriodTurn]:
    """Catch one workspace up, period by period, in order; each period is one transaction."""
    turns = []
    while (turn := await _turn_one_period(ctx, team_id, now)) is not None:
        turns.append(turn)
        if not turn.more_due:
            break
    return turns


async def iter_billing_run(
    ctx: Context, now: datetime, team_ids: Sequence[str] | None = None, *,
    skip_failures: bool = False,
) -> AsyncIterator[PeriodTurn]:
    """Every due turn of every workspace, as it is done; nothing piles up in memory.

    Workspaces are read a page at a time; only those with a period due take the write lock.
    With ``skip_failures`` a workspace whose turn fails is logged and skipped (its
    transaction rolled back, so it is due again next time) and the others go on.
    """
    async def due_team_ids() -> AsyncIterator[str]:
        if team_ids is not None:
            for team_id in team_ids:
                yield team_id
            return
        async for sub in stream_subscriptions(ctx.db):
            if _next_due(sub, now) is not None:
                yield sub.team_id

    async for team_id in due_team_ids():
        try:
            turns = await run_workspace(ctx, team_id, now)
        except Exception:
            if not skip_failures:
                raise
            logger.exception("billing turn of %s failed; it is due again next time", team_id)
            continue
        for turn in turns:
            yield turn


async def billing_run(
    ctx: Context, now: datetime, team_ids: Sequence[str] | None = None
) -> list[PeriodTurn]:
    """Issue every due consolidated invoice of every workspace; safe to rerun or kill."""
    return [turn async for turn in iter_billing_run(ctx, now, team_ids)]


def invoice_to_json(invoice: Invoice) -> dict[str, Any]:
    """The stable JSON form of an invoice (or of the preview, with number null)."""
    return {
        "number": invoice.number,
        "team_id": invoice.team_id,
        "issued_on": invoice.issued_on.isoformat(),
        "period_start": invoice.period.start.isoformat(),
        "period_end": invoice.period.end.isoformat(),
        "total": str(invoice.total.amount),
        "currency": invoice.total.currency,
        "lines": [
            {
                "kind": line.kind.value,
                "addon_id": line.addon_id,
                "option": line.option,
                "from": line.from_day.isoformat(),
                "to": line.to_day.isoformat(),
                "quantity": line.quantity,
                "amount": str(line.amount.amount),
            }
            for line in invoice.lines
        ],
    }


def addon_to_json(addon: AddOn) -> dict[str, Any]:
    """The stable JSON form of an add-on."""
    return {
        "id": addon.id,
        "option": addon.option,
        "quantity": addon.quantity,
        "status": addon.status.value,
        "booked_on": addon.booked_on.isoformat(),
        "billed_until": _iso(addon.billed_until),
        "effective_on": _iso(addon.effective_on),
        "ended_on": _iso(addon.ended_on),
    }
