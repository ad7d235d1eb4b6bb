"""Kündigen and Widerruf, as confirmed, and Kündigung zurücknehmen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.services.context import Context, addon_of, subscription_of
from bot.services.notify import notify
from domain.addons import AddOn, CancellationQuote, Outcome


@dataclass(frozen=True)
class Cancelled:
    """The outcome of Kündigen as confirmed: the add-on after, and what it meant."""

    addon: AddOn
    quote: CancellationQuote


async def quote_cancellation(
    ctx: Context, team_id: str, addon_id: int, now: datetime
) -> CancellationQuote:
    """What Kündigen would do today: cancellation to the period end, or withdrawal."""
    async with ctx.db.unit_of_work(write=False) as uow:
        sub = await subscription_of(uow, team_id)
        addon = await addon_of(uow, team_id, addon_id)
        lines = await uow.lines.for_addon(team_id, addon_id)
    return addon.quote_cancellation(sub.today(now), sub.schedule, lines)


async def cancellation_offer(
    ctx: Context, team_id: str, addon_id: int, now: datetime
) -> tuple[AddOn, CancellationQuote]:
    """The add-on and what Kündigen would do today, read in one transaction."""
    async with ctx.db.unit_of_work(write=False) as uow:
        sub = await subscription_of(uow, team_id)
        addon = await addon_of(uow, team_id, addon_id)
        lines = await uow.lines.for_addon(team_id, addon_id)
    return addon, addon.quote_cancellation(sub.today(now), sub.schedule, lines)


async def cancel(
    ctx: Context,
    team_id: str,
    addon_id: int,
    confirmed: Outcome,
    now: datetime,
    *,
    actor: str,
    confirmed_on: date | None = None,
) -> Cancelled:
    """Do what the admin confirmed; refuse if the facts moved meanwhile.

    OutcomeChanged if it is no longer a cancellation (or withdrawal), and
    CancellationDateChanged if ``confirmed_on`` is no longer the "Kündigung zum" date.
    """
    async with ctx.db.unit_of_work() as uow:
        sub = await subscription_of(uow, team_id)
        addon = await addon_of(uow, team_id, addon_id)
        lines = await uow.lines.for_addon(team_id, addon_id)
        today = sub.today(now)
        quote = addon.quote_cancellation(today, sub.schedule, lines)
        before = addon.status.value
        withdrawal = addon.cancel(today, sub.schedule, lines, confirmed, confirmed_on)
        if withdrawal is not None:
            await uow.lines.delete_drafts(team_id, withdrawal.removed_line_ids)
            await uow.lines.add_many(team_id, list(withdrawal.credit_lines))
            payload = {
                "addon_id": addon.id,
                "option": addon.option,
                "quantity": addon.quantity,
                "on": today.isoformat(),
                "refund_cents": quote.refund.cents,
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
            refund=str(quote.refund.amount),
        )
        await uow.commit()
    return Cancelled(addon, quote)


async def undo_cancellation(
    ctx: Context, team_id: str, addon_id: int, now: datetime, *, actor: str
) -> AddOn:
    """Kündigung zurücknehmen: the add-on is active again; no amount changes."""
    async with ctx.db.unit_of_work() as uow:
        sub = await subscription_of(uow, team_id)
        addon = await addon_of(uow, team_id, addon_id)
        before = addon.status.value
        addon.undo_cancellation(sub.today(now))
        await uow.addons.save(team_id, addon)
        await uow.audit.record(
            team_id, now, actor, "undo_cancellation", addon.id, before, addon.status.value
        )
        await uow.commit()
    return addon
