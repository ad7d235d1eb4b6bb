"""Issuing a Rechnungskorrektur: the one place where a correction is numbered and stored."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.ports import UnitOfWork
from bot.services.context import Context, subscription_of
from bot.services.documents import CORRECTION, queue_document
from bot.services.events import emit
from bot.services.notify import notify
from bot.services.shapes import correction_to_json
from domain.corrections import Correction
from domain.terms import Terms


async def issue_correction(
    uow: UnitOfWork, ctx: Context, correction: Correction, now: datetime, *, actor: str
) -> Correction:
    """Number, store and announce one correction, in the caller's transaction.

    It takes the next number of the corrections' own gapless sequence (advanced in the
    same transaction), and the billing admins get it as a direct message, like an
    invoice, and CloudCRM a ``correction.issued`` event.
    """
    numbered = replace(
        correction.numbered(await uow.corrections.next_number()),
        terms=await _terms_of(uow, ctx, correction),
    )
    number = numbered.number
    assert number is not None
    await uow.corrections.add(numbered, now)
    if ctx.documents:  # the DM and the event wait for the document (its job)
        await queue_document(uow, numbered.team_id, CORRECTION, number, now, also=actor)
    else:
        await _announce(uow, ctx, numbered, now, actor)
    await uow.audit.record(
        numbered.team_id,
        now,
        actor,
        "correction_issued",
        number=number,
        corrects=numbered.corrects,
        total=str(numbered.total.amount),
        gross=str(numbered.taxed.gross.amount) if numbered.taxed else None,
    )
    return numbered


async def _terms_of(uow: UnitOfWork, ctx: Context, correction: Correction) -> Terms | None:
    """The correction's terms: its invoice's buyer and tax category (fixed when that was
    issued), the seller and payment as they stand. None for an invoice issued before
    invoices carried terms: no VAT is reversed that was never charged."""
    invoice = await uow.invoices.get(correction.corrects, correction.team_id)
    if invoice is None or invoice.terms is None:
        return None
    sub = await subscription_of(uow, correction.team_id)
    return ctx.invoicing.correction_terms(invoice.terms, sub.details, correction.issued_on)


async def _announce(
    uow: UnitOfWork, ctx: Context, numbered: Correction, now: datetime, actor: str
) -> None:
    """The DM and the event of a correction issued without a document."""
    number = numbered.number
    await notify(
        uow,
        ctx,
        numbered.team_id,
        f"correction:{number}",
        "correction_issued",
        {"number": number, "corrects": numbered.corrects},
        now,
        also=actor,
    )
    await emit(uow, numbered.team_id, "correction.issued", correction_to_json(numbered), now)
