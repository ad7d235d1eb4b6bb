"""The documents' bytes are stored once and read back byte for byte, on every engine."""

from __future__ import annotations

import hashlib

import pytest

from bot import services
from bot.ports import StoredDocument
from tests.storage.helpers import at

# Every byte value, so that no engine's text handling could slip in unnoticed.
CONTENT = bytes(range(256)) * 40 + b"%PDF-1.7\r\n\x00\xff"


def document(team: str, format: str = "pdf") -> StoredDocument:
    return StoredDocument(
        "invoice",
        1,
        team,
        format,
        "Rechnung-1.pdf",
        CONTENT,
        hashlib.sha256(CONTENT).hexdigest(),
        at("2026-04-18"),
    )


async def test_a_stored_document_reads_back_byte_for_byte(
    ctx: services.Context, workspace: str
) -> None:
    async with ctx.db.unit_of_work() as uow:
        await uow.documents.add(document(workspace))
        await uow.documents.add(document(workspace, "xml"))
        await uow.commit()
    stored = await services.get_document(ctx, "invoice", 1, "pdf")
    assert stored == document(workspace)
    assert await services.get_document(ctx, "invoice", 1, "xrechnung") is None
    assert await services.get_document(ctx, "correction", 1, "pdf") is None


async def test_a_document_cannot_be_stored_twice(ctx: services.Context, workspace: str) -> None:
    async with ctx.db.unit_of_work() as uow:
        await uow.documents.add(document(workspace))
        await uow.commit()
    async with ctx.db.unit_of_work() as uow:
        with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
            await uow.documents.add(document(workspace))
    assert await services.get_document(ctx, "invoice", 1, "pdf") == document(workspace)
