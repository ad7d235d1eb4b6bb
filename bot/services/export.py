"""Invoices for accounting: every workspace's invoices issued in a date range."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

from bot.services.billing_run import stream_subscriptions
from bot.services.context import Context
from domain.invoices import Invoice
from domain.workspace import Subscription


async def invoices_issued_between(
    ctx: Context, first: date, last: date
) -> AsyncIterator[tuple[Subscription, Invoice]]:
    """Each invoice issued from ``first`` to ``last`` (inclusive), by workspace, oldest first.

    Workspaces are read a page at a time and each one's invoices in a short read of its
    own: nothing piles up in memory and no transaction stays open.
    """
    async for sub in stream_subscriptions(ctx.db):
        async with ctx.db.unit_of_work(write=False) as uow:
            invoices = await uow.invoices.newest_first(sub.team_id)
        for invoice in reversed(invoices):
            if first <= invoice.issued_on <= last:
                yield sub, invoice
