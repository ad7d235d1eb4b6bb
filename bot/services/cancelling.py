"""Kündigen and Widerruf, as confirmed, and Kündigung zurücknehmen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.ports import UnitOfWork
from bot.services.context import Context, Now, addon_of, instant, subscription_of
from bot.services.corrections import issue_correction
from bot.services.events import emit_addon, emit_entitlements
from bot.services.notify import notify
from bot.services.retry import retrying
from domain.addons import AddOn, CancellationQuote, Outcome
from domain.corrections import Correction, corrections_for
from domain.money import Money


@dataclass(frozen=True)
class Cancelled:
    """The outcome of Kündigen as confirmed: the add-on after, what it meant, and the
    Rechnungskorrekturen a withdrawal of invoiced amounts issued (numbered)."""

    addon: AddOn
    quote: CancellationQuote
    corrections: tuple[Correction, ...] = ()

    @property
    def refunded(self) -> Refunded:
        """What the Rechnungskorrekturen pay back: money that was invoiced, never drafts."""
        return refunded_by(self.corrections)


@dataclass(frozen=True)
class Refunded:
    """Net, VAT and gross paid back with Rechnungskorrekturen (positive amounts)."""

    net: Money
    vat: Money
    gross: Money


def refunded_by(corrections: Sequence[Correction]) -> Refunded:
    """The sum of what ``corrections`` pay back; one issued before invoices carried VAT
    pays back its net (no VAT was charged)."""
    net = sum((c.refund for c in corrections), Money.zero())
    vat = sum((-c.taxed.vat for c in corrections if c.taxed is not None), Money.zero())
    return Refunded(net, vat, net + vat)


def money_figures(quote: CancellationQuote, refunded: Refunded) -> dict[str, str]:
    """The two figures of a withdrawal, for the audit log and the CLI: what left the
    Entwurf (never charged, net) and what was refunded (invoiced: net and gross)."""
    return {
        "removed_from_drafts": str(quote.removed_from_drafts.amount),
        "refund": str(refunded.net.amount),
        "refund_gross": str(refunded.gross.amount),
    }


def _monthly(ctx: Context, addon: AddOn) -> Money:
    return ctx.catalog[addon.option].monthly_price(addon.quantity)


async def quote_cancellation(
    ctx: Context, team_id: str, addon_id: int, now: datetime
) -> CancellationQuote:
    """What Kündigen would do today: cancellation to the period end, or withdrawal."""
    async with ctx.db.unit_of_work(write=False) as uow:
        sub = await subscription_of(uow, team_id)
        addon = await addon_of(uow, team_id, addon_id)
        lines = await uow.lines.for_addon(team_id, addon_id)
    return addon.quote_cancellation(
        sub.today(now), sub.schedule, lines, _monthly(ctx, addon), sub.last_closed
    )


async def cancellation_offer(
    ctx: Context, team_id: str, addon_id: int, now: datetime
) -> tuple[AddOn, CancellationQuote]:
    """The add-on and what Kündigen would do today, read in one transaction."""
    async with ctx.db.unit_of_work(write=False) as uow:
        sub = await subscription_of(uow, team_id)
        addon = await addon_of(uow, team_id, addon_id)
        lines = await uow.lines.for_addon(team_id, addon_id)
    quote = addon.quote_cancellation(
        sub.today(now), sub.schedule, lines, _monthly(ctx, addon), sub.last_closed
    )
    return addon, quote


@retrying
async def cancel(
    ctx: Context,
    team_id: str,
    addon_id: int,
    confirmed: Outcome,
    clock: Now,
    *,
    actor: str,
    confirmed_on: date | None = None,
) -> Cancelled:
    """Do what the admin confirmed; refuse if the facts moved meanwhile.

    OutcomeChanged if it is no longer a cancellation (or withdrawal), and
    CancellationDateChanged if ``confirmed_on`` is no longer the "Kündigung zum" date.
    A withdrawal of amounts already invoiced issues one Rechnungskorrektur per invoice
    at once, in the same transaction. ``clock`` is read once the workspace is held; a
    Kündigung takes effect at the end of the last period already invoiced.
    """
    issued: list[Correction] = []
    async with ctx.db.unit_of_work() as uow:
        sub = await subscription_of(uow, team_id)  # PostgreSQL: waits for the workspace here
        now = instant(clock)
        addon = await addon_of(uow, team_id, addon_id)
        lines = await uow.lines.for_addon(team_id, addon_id)
        today = sub.today(now)
        monthly = _monthly(ctx, addon)
        quote = addon.quote_cancellation(today, sub.schedule, lines, monthly, sub.last_closed)
        before = addon.status.value
        withdrawal = addon.cancel(
            today, sub.schedule, lines, monthly, confirmed, confirmed_on, sub.last_closed
        )
        if withdrawal is not None:
            await uow.lines.delete_drafts(team_id, withdrawal.removed_line_ids)
            for correction in corrections_for(team_id, dict(withdrawal.reversed_lines), today):
                issued.append(await issue_correction(uow, ctx, correction, now, actor=actor))
            payload = {
                "addon_id": addon.id,
                "option": addon.option,
                "quantity": addon.quantity,
                "on": today.isoformat(),
                "refund_cents": quote.credited.cents,
                "removed_cents": quote.removed_from_drafts.cents,
                "corrections": [
                    {"number": c.number, "corrects": c.corrects, "refund_cents": c.refund.cents}
                    for c in issued
                ],
            }
            await notify(
                uow, ctx, team_id, f"withdrawn:{addon.id}", "withdrawn", payload, now, also=actor
            )
        await uow.addons.save(team_id, addon)
        await uow.audit.record(
            team_id,
            now,
            actor,
            quote.outcome.value,
            addon.id,
            before,
            addon.status.value,
            on=quote.on.isoformat(),
            **money_figures(quote, refunded_by(issued)),
        )
        await _emit_cancel(uow, ctx, team_id, addon, withdrawal is not None, today, now)
        await uow.commit()
    return Cancelled(addon, quote, tuple(issued))


@retrying
async def undo_cancellation(
    ctx: Context, team_id: str, addon_id: int, clock: Now, *, actor: str
) -> AddOn:
    """Kündigung zurücknehmen: the add-on is active again; no amount changes."""
    async with ctx.db.unit_of_work() as uow:
        sub = await subscription_of(uow, team_id)
        now = instant(clock)
        addon = await addon_of(uow, team_id, addon_id)
        before = addon.status.value
        addon.undo_cancellation(sub.today(now))
        await uow.addons.save(team_id, addon)
        await uow.audit.record(
            team_id, now, actor, "undo_cancellation", addon.id, before, addon.status.value
        )
        await emit_addon(uow, ctx, team_id, "addon.cancellation_revoked", addon, now)
        await uow.commit()
    return addon


async def _emit_cancel(
    uow: UnitOfWork,
    ctx: Context,
    team_id: str,
    addon: AddOn,
    withdrawn: bool,
    today: date,
    now: datetime,
) -> None:
    """addon.cancelled, or addon.withdrawn with the totals that changed at once."""
    if not withdrawn:
        await emit_addon(uow, ctx, team_id, "addon.cancelled", addon, now)
        return
    await emit_addon(uow, ctx, team_id, "addon.withdrawn", addon, now)
    await emit_entitlements(uow, ctx, team_id, today, now)
