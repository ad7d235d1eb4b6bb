"""Issuing a Rechnungskorrektur: the one place where a correction is numbered and stored."""

from __future__ import annotations

from datetime import datetime

from bot.ports import UnitOfWork
from bot.services.context import Context
from bot.services.documents import CORRECTION, queue_document
from bot.services.events import emit
from bot.services.notify import notify
from bot.services.shapes import correction_to_json
from domain.corrections import Correction


async def issue_correction(
    uow: UnitOfWork, ctx: Context, correction: Correction, now: datetime, *, actor: str
) -> Correction:
    """Number, store and announce one correction, in the caller's transaction.

    It takes the next number of the corrections' own gapless sequence (advanced in the
    same transaction), and the billing admins get it as a direct message, like an
    invoice, and CloudCRM a ``correction.issued`` event.
    """
    numbered = correction.numbered(await uow.corrections.next_number())
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
    )
    return numbered


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
