"""Through the billing run: the stored document says what the invoice's stored terms say.

A French workspace with a USt-IdNr and a SEPA mandate is billed by the schedule; its
invoice's document (made by the sender from the invoice as stored, terms and all) is
reverse charge, collected by direct debit, and totals what CloudCRM's event says; its
Rechnungskorrektur stays reverse charge. Both pass the EN 16931 XSD and Schematron.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from facturx import get_xml_from_pdf
from lxml import etree

from bot import services
from bot.adapters.documents.cii import NSMAP
from domain.addons import Outcome
from domain.tax import TaxCategory
from tests.documents import ledger
from tests.documents.checks import problems_of
from tests.documents.world import TEAM, World, at, configure, world
from tests.slack.mock_slack import ADMIN, MockSlack

pytest.importorskip("saxonche", reason="the Schematron needs the dev extra (saxonche)")

SUMMATION = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"


def values(xml: bytes, path: str) -> list[str]:
    return [str(v) for v in etree.fromstring(xml).xpath(path, namespaces=NSMAP)]


async def stored_xml(w: World, owner: str, number: int) -> bytes:
    stored = await services.get_document(w.rt.ctx, owner, number, "pdf")
    assert stored is not None
    _, xml = get_xml_from_pdf(stored.content, check_xsd=True)
    return bytes(xml)


async def issued_events(w: World, kind: str) -> list[dict[str, object]]:
    events = await services.list_webhook_events(w.rt.ctx)
    return [json.loads(e.body)["data"] for e in events if e.type == kind]


async def test_a_reverse_charge_workspace_paying_by_sepa_gets_documents_that_say_so(
    slack_mock: MockSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(
        monkeypatch, slack_mock, tmp_path / "a.db", ADDONS_SELLER_CREDITOR_ID=ledger.CREDITOR_ID
    )
    async with world(slack_mock, start=date(2026, 4, 17)) as w:
        async with w.rt.ctx.db.unit_of_work() as uow:
            sub = await uow.subscriptions.get(TEAM)
            assert sub is not None
            details = ledger.details(TaxCategory.REVERSE_CHARGE, sepa=True)
            await uow.subscriptions.save(replace(sub, details=details))
            await uow.commit()
        addon_id = await w.book_one_user()
        w.clock.set(at(date(2026, 4, 18)))
        await w.tick()

        xml = await stored_xml(w, services.INVOICE, 1)
        assert problems_of(xml) == []
        assert set(values(xml, "//ram:CategoryCode/text()")) == {"AE"}
        assert values(xml, "//ram:BuyerTradeParty/ram:Name/text()") == ["Exemple SARL"]
        assert values(xml, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode/text()") == [
            "59"
        ]
        assert values(xml, "//ram:DirectDebitMandateID/text()") == ["ADDONS-T0001"]
        [event] = await issued_events(w, "invoice.issued")
        assert values(xml, SUMMATION + "TaxBasisTotalAmount/text()") == [event["net"]]
        assert values(xml, SUMMATION + "TaxTotalAmount/text()") == [event["vat"]] == ["0.00"]
        assert values(xml, SUMMATION + "GrandTotalAmount/text()") == [event["gross"]]
        assert values(xml, SUMMATION + "DuePayableAmount/text()") == [event["gross"]]

        await services.cancel(
            w.rt.ctx, TEAM, addon_id, Outcome.WITHDRAWAL, w.clock.now(), actor=ADMIN
        )
        await w.tick()
        xml = await stored_xml(w, services.CORRECTION, 1)
        assert problems_of(xml) == []
        assert set(values(xml, "//ram:CategoryCode/text()")) == {"AE"}
        assert values(xml, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()") == ["1"]
        [event] = await issued_events(w, "correction.issued")
        assert values(xml, SUMMATION + "GrandTotalAmount/text()") == [event["gross"]]
