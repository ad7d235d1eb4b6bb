"""The billing run: each due period of each workspace, in order, one transaction per turn.

Running it twice, after a crash half-way, or in several processes at once never issues
an invoice twice: a turn re-reads which period is due under the write lock, and a period
whose turn committed is no longer due.

Over every due workspace (the schedule's run, ``billing run``), a turn first claims its
workspace without waiting: a workspace another process holds (another scheduler billing
it, or a click for a moment) is passed over in this run, and the next run picks it up if
it is still due. So several schedulers share the due workspaces instead of queueing on
each other workspace by workspace. Given workspaces (``team_ids``) are waited for.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from bot.ports import UnitOfWork, UnitOfWorkSource
from bot.services.context import SYSTEM_ACTOR, Context, subscription_of
from bot.services.documents import INVOICE, queue_document
from bot.services.events import emit, emit_addon, emit_entitlements
from bot.services.notify import notify
from bot.services.retry import retrying
from bot.services.shapes import invoice_to_json, iso
from domain.billing import PeriodClose, close_period
from domain.invoices import Invoice
from domain.periods import Period
from domain.workspace import Subscription

logger = logging.getLogger("addons.billing")


@dataclass(frozen=True)
class PeriodTurn:
    """One workspace's turn of one period, as the billing run did it."""

    team_id: str
    period: Period
    invoice: Invoice | None
    deactivated: tuple[int, ...]
    renewed: int
    more_due: bool = False  # another period of this workspace is due already (catching up)


async def stream_subscriptions(
    db: UnitOfWorkSource, page: int = 500
) -> AsyncIterator[Subscription]:
    """Every subscription in team-id order, a page at a time, no transaction held open."""
    after = ""
    while True:
        async with db.unit_of_work(write=False) as uow:
            subs = await uow.subscriptions.page_after(after, page)
        if not subs:
            return
        for sub in subs:
            yield sub
        after = subs[-1].team_id


def _next_due(sub: Subscription, now: datetime, after: date | None = None) -> Period | None:
    """The oldest period of ``sub`` that has begun but not been turned yet."""
    start = sub.closed_through if after is None else after
    return next(sub.schedule.periods_starting_between(start, sub.today(now)), None)


async def _record_ended(
    uow: UnitOfWork, ctx: Context, team_id: str, close: PeriodClose, now: datetime
) -> None:
    """What the turn did to the add-ons: each one ended (audit, DM, event) and the new
    totals; nothing here needs the invoice's number."""
    start = close.period.start.isoformat()
    for addon in close.deactivated:
        await uow.audit.record(
            team_id,
            now,
            SYSTEM_ACTOR,
            "deactivate",
            addon.id,
            "cancellation_pending",
            addon.status.value,
            period_start=start,
        )
        ended = {
            "addon_id": addon.id,
            "option": addon.option,
            "quantity": addon.quantity,
            "on": iso(addon.ended_on),
        }
        await notify(uow, ctx, team_id, f"ended:{addon.id}", "addon_ended", ended, now)
    for addon in close.deactivated:
        await emit_addon(uow, ctx, team_id, "addon.ended", addon, now)
    if close.deactivated:
        await emit_entitlements(uow, ctx, team_id, close.period.start, now)


async def _record_invoice(
    uow: UnitOfWork, ctx: Context, team_id: str, close: PeriodClose, now: datetime
) -> None:
    """The turn's numbered invoice: header, invoiced drafts, renewals, its DM or
    document, its event and audit entry."""
    invoice = close.invoice
    assert invoice is not None
    assert invoice.number is not None
    number = invoice.number
    await uow.invoices.add(invoice, now)
    await uow.lines.mark_invoiced(
        team_id, [line.id for line in close.carried if line.id is not None], number
    )
    await uow.lines.add_many(team_id, [r.on_invoice(number) for r in close.renewals])
    if ctx.documents:  # the DM and the event wait for the document (its job)
        await queue_document(uow, team_id, INVOICE, number, now)
    else:
        await notify(
            uow, ctx, team_id, f"invoice:{number}", "invoice_issued", {"number": number}, now
        )
        await emit(uow, team_id, "invoice.issued", invoice_to_json(invoice), now)
    await uow.audit.record(
        team_id,
        now,
        SYSTEM_ACTOR,
        "invoice_issued",
        number=number,
        total=str(invoice.total.amount),
        **_gross(invoice),
        period_start=close.period.start.isoformat(),
    )


def _gross(invoice: Invoice) -> dict[str, Any]:
    """VAT and gross for the audit log, where the invoice has its terms."""
    taxed = invoice.taxed
    if taxed is None:
        return {}
    return {"vat": str(taxed.vat.amount), "gross": str(taxed.gross.amount)}


@retrying
async def _turn_one_period(
    ctx: Context,
    team_id: str,
    now: datetime,
    issued_at: datetime | None = None,
    claim: bool = False,
) -> PeriodTurn | None:
    """Process the oldest due period of one workspace in one transaction, if any is due.

    With ``claim``, a workspace another transaction holds now is left alone (None)."""
    async with ctx.db.unit_of_work() as uow:
        if claim and not await uow.claim_workspace(team_id):
            logger.debug("%s is held by another process; passed over in this run", team_id)
            return None
        sub = await subscription_of(uow, team_id)
        period = _next_due(sub, now)
        if period is None:  # another process turned it meanwhile
            return None
        live = await uow.addons.live(team_id)
        drafts = await uow.lines.drafts(team_id)
        # the day it is really issued: a catch-up (or an --as-of run) is never backdated
        issued_on = max(period.start, sub.today(issued_at or now))
        terms = ctx.invoicing.terms(sub.details, sub.slack_name, team_id, issued_on)
        close = close_period(
            team_id,
            period,
            live,
            drafts,
            ctx.catalog,
            None,  # numbered last: see below
            issued_on=issued_on,
            plan=sub.plan,
            terms=terms,
        )
        touched = {a.id for a in close.deactivated} | {r.addon_id for r in close.renewals}
        await uow.addons.save_many(team_id, [a for a in live if a.id in touched])
        await _record_ended(uow, ctx, team_id, close, now)
        turned = replace(sub, last_closed=period.start)  # every other setting kept
        await uow.subscriptions.save(turned)
        if close.invoice is not None:
            # The number last: on PostgreSQL the counter row is held from here until the
            # commit, so the other schedulers' turns wait on it as briefly as can be;
            # what the invoice's message and event need is read before it.
            await uow.audit.slack_actors(team_id)
            await uow.events.next_sequence(team_id)
            close = close.numbered(await uow.invoices.next_number())
            await _record_invoice(uow, ctx, team_id, close, now)
        await uow.commit()
    more_due = _next_due(sub, now, after=period.start) is not None
    deactivated = tuple(a.id for a in close.deactivated)
    return PeriodTurn(team_id, period, close.invoice, deactivated, len(close.renewals), more_due)


async def run_workspace(
    ctx: Context,
    team_id: str,
    now: datetime,
    issued_at: datetime | None = None,
    *,
    claim: bool = False,
) -> list[PeriodTurn]:
    """Catch one workspace up, period by period, in order; each period is one transaction.

    The periods due are those begun by ``now``; the invoices are dated on the day of
    ``issued_at`` (the clock's instant; default ``now``). With ``claim``, a turn whose
    workspace another process holds is not waited for: the catching up stops there.
    """
    turns = []
    while (turn := await _turn_one_period(ctx, team_id, now, issued_at, claim)) is not None:
        turns.append(turn)
        if not turn.more_due:
            break
    return turns


async def _due_team_ids(
    ctx: Context, now: datetime, team_ids: Sequence[str] | None
) -> AsyncIterator[str]:
    """The given workspaces, or every workspace with a period due, read a page at a time."""
    if team_ids is not None:
        for team_id in team_ids:
            yield team_id
        return
    async for sub in stream_subscriptions(ctx.db):
        if _next_due(sub, now) is not None:
            yield sub.team_id


async def iter_billing_run(
    ctx: Context,
    now: datetime,
    team_ids: Sequence[str] | None = None,
    *,
    skip_failures: bool = False,
    issued_at: datetime | None = None,
) -> AsyncIterator[PeriodTurn]:
    """Every due turn of every workspace, as it is done; nothing piles up in memory.

    Workspaces are read a page at a time; only those with a period due take the write lock.
    Without ``team_ids`` each turn claims its workspace and passes over one another
    process holds (see the module docstring); given ``team_ids`` are waited for.
    With ``skip_failures`` a workspace whose turn fails is logged and skipped (its
    transaction rolled back, so it is due again next time) and the others go on.
    """
    claim = team_ids is None
    async for team_id in _due_team_ids(ctx, now, team_ids):
        try:
            turns = await run_workspace(ctx, team_id, now, issued_at, claim=claim)
        except Exception:
            if not skip_failures:
                raise
            logger.exception("billing turn of %s failed; it is due again next time", team_id)
            continue
        for turn in turns:
            yield turn


async def billing_run(
    ctx: Context,
    now: datetime,
    team_ids: Sequence[str] | None = None,
    *,
    issued_at: datetime | None = None,
) -> list[PeriodTurn]:
    """Issue every due consolidated invoice of every workspace; safe to rerun or kill."""
    return [turn async for turn in iter_billing_run(ctx, now, team_ids, issued_at=issued_at)]
