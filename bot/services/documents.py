"""The invoice as a document: made once after the invoice's transaction, kept unchanged.

Issuing an invoice or a Rechnungskorrektur (with documents on) queues one ``document``
job in the outbox, in the issuing transaction. The sender runs the job: it renders the
PDF and the XML outside any transaction, then, in one transaction, stores their bytes
and SHA-256 (never again: a job that finds them stored changes nothing), queues the
billing admins' direct message, which now carries the PDF, and CloudCRM's event, which
names the document. A job that fails is retried by the outbox like any message.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from bot.ports import (
    DocumentLinks,
    DocumentRenderer,
    RenderedFile,
    StoredDocument,
    UnitOfWork,
)
from bot.services.context import Context, subscription_of
from bot.services.events import emit
from bot.services.notify import notify
from bot.services.shapes import correction_to_json, invoice_to_json
from domain.corrections import Correction
from domain.errors import UnknownCorrection, UnknownInvoice
from domain.invoices import Invoice

JOB = "document"  # the outbox kind of a rendering job
INVOICE, CORRECTION = "invoice", "correction"
FORMATS = ("pdf", "xml", "xrechnung")


async def queue_document(
    uow: UnitOfWork,
    team_id: str,
    owner: str,
    number: int,
    now: datetime,
    also: str | None = None,
) -> None:
    """Queue the rendering job of one issued invoice or correction, in its transaction.

    ``also`` is a Slack user who gets the direct message besides the billing admins
    (who withdrew, for a correction).
    """
    payload: dict[str, Any] = {"owner": owner, "number": number}
    if also is not None:
        payload["also"] = also
    await uow.outbox.add(team_id, f"{JOB}:{owner}:{number}", JOB, payload, now)


def document_json(stored: StoredDocument, url: str | None = None) -> dict[str, Any]:
    """What an event and a DM say of the PDF: ``{filename, sha256, bytes}`` (and a link)."""
    shown: dict[str, Any] = {
        "filename": stored.filename,
        "sha256": stored.sha256,
        "bytes": len(stored.content),
    }
    if url is not None:
        shown["url"] = url
    return shown


async def _source(
    uow: UnitOfWork, team_id: str, owner: str, number: int
) -> tuple[Invoice | Correction, Invoice | None]:
    """The invoice or correction to render (and, for a correction, the invoice it corrects)."""
    if owner == INVOICE:
        invoice = await uow.invoices.get(number, team_id)
        if invoice is None:
            raise UnknownInvoice(number)
        return invoice, None
    correction = await uow.corrections.get(number, team_id)
    if correction is None:
        raise UnknownCorrection(number)
    return correction, await uow.invoices.get(correction.corrects, team_id)


def _stored(
    owner: str, number: int, team_id: str, file: RenderedFile, now: datetime
) -> StoredDocument:
    digest = hashlib.sha256(file.content).hexdigest()
    return StoredDocument(
        owner, number, team_id, file.format, file.filename, file.content, digest, now
    )


async def make_document(
    ctx: Context,
    renderer: DocumentRenderer,
    links: DocumentLinks | None,
    team_id: str,
    owner: str,
    number: int,
    now: datetime,
    also: str | None = None,
) -> bool:
    """Render, store and announce one document; False if it was stored already."""
    async with ctx.db.unit_of_work(write=False) as uow:
        if await uow.documents.get(owner, number, "pdf") is not None:
            return False
        source, corrected = await _source(uow, team_id, owner, number)
        sub = await subscription_of(uow, team_id)
    files = await renderer.render(source, sub, corrected)
    async with ctx.db.unit_of_work() as uow:
        if await uow.documents.get(owner, number, "pdf") is not None:
            return False  # another sender was quicker; its bytes stay
        stored = [_stored(owner, number, team_id, file, now) for file in files]
        for document in stored:
            await uow.documents.add(document)
        pdf = next(d for d in stored if d.format == "pdf")
        url = links.url(owner, number, "pdf", now) if links is not None else None
        await _announce(uow, ctx, source, document_json(pdf, url), now, also)
        await uow.commit()
    return True


async def _announce(
    uow: UnitOfWork,
    ctx: Context,
    source: Invoice | Correction,
    document: dict[str, Any],
    now: datetime,
    also: str | None,
) -> None:
    """The direct message (with the PDF) and CloudCRM's event, now that the document exists."""
    team_id, number = source.team_id, source.number
    assert number is not None
    attached = {"filename": document["filename"], "bytes": document["bytes"]}
    if isinstance(source, Correction):
        payload = {"number": number, "corrects": source.corrects, "document": attached}
        await notify(
            uow, ctx, team_id, f"correction:{number}", "correction_issued", payload, now, also
        )
        body = {**correction_to_json(source), "document": document}
        await emit(uow, team_id, "correction.issued", body, now)
        return
    payload = {"number": number, "document": attached}
    await notify(uow, ctx, team_id, f"invoice:{number}", "invoice_issued", payload, now)
    body = {**invoice_to_json(source), "document": document}
    await emit(uow, team_id, "invoice.issued", body, now)


async def get_document(ctx: Context, owner: str, number: int, format: str) -> StoredDocument | None:
    """The stored bytes of one document in one format, exactly as made."""
    async with ctx.db.unit_of_work(write=False) as uow:
        return await uow.documents.get(owner, number, format)


async def document_owner_exists(ctx: Context, owner: str, number: int) -> bool:
    """Whether invoice (or correction) ``number`` was issued, whatever became of its files."""
    async with ctx.db.unit_of_work(write=False) as uow:
        if owner == INVOICE:
            return await uow.invoices.get(number) is not None
        return await uow.corrections.get(number) is not None
