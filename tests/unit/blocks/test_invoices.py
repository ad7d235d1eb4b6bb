"""Invoices: an issued invoice, the upcoming one's preview, and `/addons rechnung`."""

from __future__ import annotations

from typing import Any

from domain.invoices import Invoice, InvoiceLine, LineKind, PlanLine
from domain.money import Money
from handlers.blocks.invoices import (
    ENTWURF_LINES,
    entwurf_text,
    invoice_block_dicts,
    invoices_message,
)
from tests.unit.blocks.samples import (
    APRIL_3,
    APRIL_17,
    CATALOG,
    ISSUED,
    NEXT,
    UPCOMING,
    line,
    plain,
    texts,
)


def invoice_dicts(invoice: Invoice, lang: str) -> list[dict[str, Any]]:
    return [b for b in invoice_block_dicts(invoice, catalog=CATALOG, lang=lang)]


def test_invoice_preview_lists_lines_and_total() -> None:
    credit = InvoiceLine(
        LineKind.CREDIT, 3, "storage", 2, APRIL_3, APRIL_17, Money(-190), NEXT.start
    )
    invoice = Invoice(None, "T1", NEXT, (*UPCOMING.lines, credit))
    shown = texts(invoice_dicts(invoice, "de"))
    assert "Kommende Sammelrechnung am 18.04.2026" in shown
    assert "• Zusätzliche Benutzer (+1), anteilig 03.04.2026–17.04.2026: 2,85 €" in shown
    assert "• Zusätzliche Benutzer (+1), 03.04.2026–17.04.2026: 5,90 €" in shown
    assert (
        "• Rechnungskorrektur (Widerruf) Erweiterter Speicherplatz (+20 GB), "
        "03.04.2026–17.04.2026: -1,90 €"
    ) in shown
    assert "*Summe: 6,85 € zzgl. USt.*" in shown  # no terms (a preview without a seller)
    assert "Gutschrift" not in shown


def test_an_issued_invoice_in_english() -> None:
    shown = invoice_dicts(ISSUED, "en")
    assert shown[0]["text"] == plain("Invoice no. 17 of Mar 18, 2026")
    assert "Issued Mar 18, 2026, billing period Mar 18, 2026–Apr 17, 2026" in texts(shown)
    assert "*Total: €5.90 excl. VAT*" in texts(shown)


def test_a_huge_invoice_stays_within_a_message() -> None:
    lines = tuple(line(LineKind.RENEWAL, i, 590) for i in range(2000))
    shown = invoice_dicts(Invoice(None, "T1", NEXT, lines), "de")
    assert len(shown) <= 50
    assert "weitere Positionen" in texts(shown)


def test_invoices_message_has_upcoming_and_recent() -> None:
    message = invoices_message(UPCOMING, [ISSUED], catalog=CATALOG, lang="de")
    shown = texts(message["blocks"])
    assert "Summe: 8,75 € zzgl. USt." in shown
    assert "Nr. 17 vom 18.03.2026: 5,90 € zzgl. USt." in shown
    assert "Noch keine Rechnungen." in texts(
        invoices_message(None, [], catalog=CATALOG, lang="de")["blocks"]
    )


def test_the_entwurf_shows_ten_lines_with_the_tarif_first_and_counts_the_rest() -> None:
    lines = tuple(line(LineKind.RENEWAL, i, 590) for i in range(12))
    plan = PlanLine("CloudCRM Business", Money(4900), NEXT.start, NEXT.end)
    shown = entwurf_text(Invoice(None, "T1", NEXT, lines, plan=plan), CATALOG, "de").split("\n")
    bullets = [s for s in shown if s.startswith("• ")]
    assert len(bullets) == ENTWURF_LINES
    assert bullets[0].startswith("• CloudCRM Business")
    assert "… und 3 weitere Positionen" in shown  # 13 lines, 10 shown
    assert "*Summe: 119,80 € zzgl. USt.*" in shown  # every line summed, shown or not
