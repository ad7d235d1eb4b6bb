"""Invoices for accounting: every workspace's invoices and corrections issued in a range."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

from bot.services.billing_run import stream_subscriptions
from bot.services.context import Context
from domain.corrections import Correction
from domain.invoices import Invoice
from domain.workspace import Subscription


async def documents_issued_between(
    ctx: Context, first: date, last: date
) -> AsyncIterator[tuple[Subscription, Invoice | Correction]]:
    """Each invoice and Rechnungskorrektur issued from ``first`` to ``last`` (inclusive),
    by workspace, oldest first (on one day, a correction after the invoices).

    Workspaces are read a page at a time and each one's documents in a short read of its
    own: nothing piles up in memory and no transaction stays open.
    """
    async for sub in stream_subscriptions(ctx.db):
        async with ctx.db.unit_of_work(write=False) as uow:
            invoices = await uow.invoices.newest_first(sub.team_id)
            corrections = await uow.corrections.newest_first(sub.team_id)
        everything: list[Invoice | Correction] = [*invoices, *corrections]
        documents = [d for d in everything if first <= d.issued_on <= last]
        documents.sort(key=lambda d: (d.issued_on, isinstance(d, Correction), d.number or 0))
        for document in documents:
            yield sub, document
