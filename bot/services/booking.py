"""Hinzubuchen: the quote the confirmation shows, and the booking it confirms, once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.services.context import Context, Now, instant, subscription_of
from bot.services.events import emit_addon, emit_entitlements
from bot.services.retry import retrying
from domain.addons import AddOn, BookingQuote
from domain.addons import quote_booking as domain_quote_booking
from domain.errors import BookingQuoteExpired


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
        sub = await subscription_of(uow, team_id)
    return domain_quote_booking(
        ctx.catalog[option], quantity, sub.today(now), sub.schedule, sub.last_closed
    )


@retrying
async def book(
    ctx: Context,
    team_id: str,
    option: str,
    quantity: object,
    clock: Now,
    *,
    key: str,
    actor: str,
    quoted_on: date | None = None,
) -> Booked:
    """Book an add-on once per ``key``: a repeated confirmation returns the first booking.

    ``quoted_on`` is the day the confirmation was drawn for: its prorated amount and
    billed-until date hold for that day only, so a confirmation submitted on another
    day books nothing (BookingQuoteExpired) instead of charging what was not shown.
    ``clock`` is read once the workspace is held, so a period turn that committed while
    this waited is seen; periods already invoiced get their renewal on the next invoice.
    """
    async with ctx.db.unit_of_work() as uow:
        sub = await subscription_of(uow, team_id)  # PostgreSQL: waits for the workspace here
        now = instant(clock)
        quote = domain_quote_booking(
            ctx.catalog[option], quantity, sub.today(now), sub.schedule, sub.last_closed
        )
        existing = await uow.idempotency.get(team_id, key)
        if existing is not None:
            addon = await uow.addons.get(team_id, existing)
            assert addon is not None
            # Report what the first confirmation booked, not a quote for today.
            first = BookingQuote(
                ctx.catalog[addon.option],
                addon.quantity,
                addon.booked_on,
                sub.schedule.period_containing(addon.booked_on),
            )
            return Booked(addon, first, created=False)
        if quoted_on is not None and quoted_on != quote.booked_on:
            raise BookingQuoteExpired(quoted_on, quote.booked_on)
        addon = AddOn.booked(0, quote)
        addon.id = await uow.addons.add(team_id, addon, now)
        await uow.lines.add(team_id, quote.draft_line(addon.id))
        for line in quote.catch_up_lines(addon.id):
            await uow.lines.add(team_id, line)
        await uow.idempotency.put(team_id, key, addon.id, now)
        await uow.audit.record(
            team_id,
            now,
            actor,
            "book",
            addon.id,
            None,
            addon.status.value,
            option=option,
            quantity=quote.quantity,
            prorated=str(quote.prorated.amount),
        )
        await emit_addon(uow, ctx, team_id, "addon.booked", addon, now)
        await emit_entitlements(uow, ctx, team_id, quote.booked_on, now)
        await uow.commit()
    return Booked(addon, quote, created=True)
