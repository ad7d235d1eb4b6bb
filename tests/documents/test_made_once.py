"""Each invoice's document is made once, after its transaction, and its DM carries it."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from facturx import get_xml_from_pdf

from bot import services
from bot.adapters.dm_sender import OutboxWork
from domain.addons import Outcome
from tests.documents.world import TEAM, at, configure, world
from tests.slack.mock_slack import ADMIN, MockSlack


async def test_the_invoice_dm_carries_its_pdf_which_is_stored_once_with_its_hash(
    slack_mock: MockSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, slack_mock, tmp_path / "a.db")
    async with world(slack_mock) as w:
        await w.book_one_user()
        w.clock.set(at(date(2026, 4, 18)))
        [turn], delivery = await w.tick()
        assert turn.invoice is not None
        assert turn.invoice.number == 1
        assert delivery.sent == 2  # the document job, then the DM with the PDF
        stored = await services.get_document(w.rt.ctx, services.INVOICE, 1, "pdf")
        assert stored is not None
        assert stored.filename == "Rechnung-1.pdf"
        assert stored.sha256 == hashlib.sha256(stored.content).hexdigest()
        [dm] = [p for p in slack_mock.posted if p.kind == "dm"]
        assert dm.user == ADMIN
        [file] = dm.files
        assert (file.filename, file.content) == ("Rechnung-1.pdf", stored.content)
        assert "8,75 €" in json.dumps(dm.message["blocks"], ensure_ascii=False)
        assert slack_mock.calls_to("chat.postMessage") == []
        _, xml = get_xml_from_pdf(stored.content, check_xsd=True)
        assert b"<ram:DuePayableAmount>10.41</ram:DuePayableAmount>" in xml  # 8.75 + 19 %


async def test_a_document_is_never_made_twice(
    slack_mock: MockSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, slack_mock, tmp_path / "a.db")
    async with world(slack_mock) as w:
        await w.book_one_user()
        w.clock.set(at(date(2026, 4, 18)))
        await w.tick()
        first = await services.get_document(w.rt.ctx, services.INVOICE, 1, "pdf")
        job = w.rt.outbox_work().jobs[services.JOB]
        assert job is not None
        again = await services.make_document(
            w.rt.ctx, _failing_renderer(), None, TEAM, services.INVOICE, 1, w.clock.now()
        )
        assert again is False
        assert await services.get_document(w.rt.ctx, services.INVOICE, 1, "pdf") == first


class _FailingRenderer:
    async def render(self, *args: object) -> tuple[()]:
        raise AssertionError("a stored document is never rendered again")


def _failing_renderer() -> _FailingRenderer:
    return _FailingRenderer()


async def test_a_failed_rendering_is_retried_and_the_dm_waits_for_its_document(
    slack_mock: MockSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, slack_mock, tmp_path / "a.db")
    async with world(slack_mock) as w:
        await w.book_one_user()
        w.clock.set(at(date(2026, 4, 18)))
        real = w.rt.outbox_work()
        calls = []

        async def broken(message: object, now: object) -> None:
            calls.append(message)
            raise OSError("disk full")

        monkeypatch.setattr(w.rt, "outbox_work", lambda: OutboxWork({services.JOB: broken}))
        _, delivery = await w.tick()
        assert (delivery.sent, delivery.retried) == (0, 1)
        assert slack_mock.posted == []  # no DM without its document
        assert await services.get_document(w.rt.ctx, services.INVOICE, 1, "pdf") is None
        monkeypatch.setattr(w.rt, "outbox_work", lambda: real)
        w.clock.set(at(date(2026, 4, 19)))  # past the backoff
        _, delivery = await w.tick()
        assert delivery.sent == 2
        assert [p.files[0].filename for p in slack_mock.posted] == ["Rechnung-1.pdf"]


async def test_a_rechnungskorrektur_gets_its_own_document_naming_the_invoice(
    slack_mock: MockSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, slack_mock, tmp_path / "a.db")
    async with world(slack_mock, start=date(2026, 4, 17)) as w:
        addon_id = await w.book_one_user()
        w.clock.set(at(date(2026, 4, 18)))
        await w.tick()  # invoice 1 carries the proration of 17.04.
        await services.cancel(
            w.rt.ctx, TEAM, addon_id, Outcome.WITHDRAWAL, w.clock.now(), actor=ADMIN
        )
        await w.tick()
        stored = await services.get_document(w.rt.ctx, services.CORRECTION, 1, "pdf")
        assert stored is not None
        assert stored.filename == "Rechnungskorrektur-K-1.pdf"
        _, xml = get_xml_from_pdf(stored.content, check_xsd=True)
        assert b"<ram:TypeCode>384</ram:TypeCode>" in xml
        assert b"<ram:IssuerAssignedID>1</ram:IssuerAssignedID>" in xml
        names = [f.filename for p in slack_mock.posted for f in p.files]
        assert names == ["Rechnung-1.pdf", "Rechnungskorrektur-K-1.pdf"]


async def test_invoice_issued_names_the_document_and_a_signed_link(
    slack_mock: MockSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(
        monkeypatch, slack_mock, tmp_path / "a.db", ADDONS_PUBLIC_URL="https://addons.example"
    )
    async with world(slack_mock) as w:
        await w.book_one_user()
        w.clock.set(at(date(2026, 4, 18)))
        await w.tick()
        events = await services.list_webhook_events(w.rt.ctx)
        [issued] = [json.loads(e.body) for e in events if e.type == "invoice.issued"]
        stored = await services.get_document(w.rt.ctx, services.INVOICE, 1, "pdf")
        assert stored is not None
        document = issued["data"]["document"]
        assert document["filename"] == "Rechnung-1.pdf"
        assert document["sha256"] == stored.sha256
        assert document["bytes"] == len(stored.content)
        assert document["url"].startswith("https://addons.example/documents/invoice/1/pdf?")
        assert issued["data"]["total"] == "8.75"
