"""What the admin reads about money (issue 20): net prices, the Entwurf with net, USt and
gross in the invoice's order, corrections next to their invoices, how it is paid, and the
Rechnungsdaten modal."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.billing import Entitlements, plan_line
from domain.corrections import Correction
from domain.invoices import LineKind
from domain.money import Money
from domain.parties import BillingDetails, InvalidBillingDetail
from domain.workspace import Plan
from handlers.blocks.details import billing_details_modal, details_error, details_summary
from handlers.blocks.invoices import (
    correction_blocks,
    entwurf_text,
    invoice_block_dicts,
    recent_invoices_text,
)
from handlers.blocks.overview import overview_view
from handlers.requests import billing_details_from_state
from tests.unit.blocks.samples import (
    APRIL_3,
    APRIL_17,
    CATALOG,
    DETAILS,
    ISSUED,
    NEXT,
    REVERSE_CHARGE,
    UPCOMING,
    WITH_MANDATE,
    block,
    line,
    subscription,
    terms,
    texts,
    withdrawn,
)

TARIF = Plan("CloudCRM Business", Money(4900))


def test_the_entwurf_shows_net_vat_and_gross_with_the_tarif_first() -> None:
    upcoming = replace(UPCOMING, plan=plan_line(TARIF, NEXT), terms=terms())
    assert entwurf_text(upcoming, CATALOG, "de") == (
        "*Entwurf Ihrer nächsten Sammelrechnung (am 18.04.2026)*\n"
        "• CloudCRM Business, 18.04.2026–17.05.2026: 49,00 €\n"
        "• Zusätzliche Benutzer (+1), anteilig 03.04.2026–17.04.2026: 2,85 €\n"
        "• Zusätzliche Benutzer (+1), 03.04.2026–17.04.2026: 5,90 €\n"
        "Summe netto: 57,75 €\n"
        "USt. 19 %: 10,97 €\n"
        "*Gesamtbetrag brutto: 68,72 €*"
    )


def test_a_reverse_charge_entwurf_says_so_in_english() -> None:
    upcoming = replace(UPCOMING, terms=terms(REVERSE_CHARGE))
    text = entwurf_text(upcoming, CATALOG, "en")
    assert text.endswith("Net total: €8.75\nVAT 0%: €0.00. Reverse charge\n*Total (gross): €8.75*")


def test_an_issued_invoice_says_when_it_is_debited_and_from_which_account() -> None:
    invoice = replace(ISSUED, issued=NEXT.start, terms=terms(WITH_MANDATE))
    shown = texts(invoice_block_dicts(invoice, catalog=CATALOG, lang="de"))
    assert "Rechnungsdatum 18.04.2026, Abrechnungszeitraum 18.03.2026–17.04.2026" in shown
    assert "Summe netto: 5,90 €\nUSt. 19 %: 1,12 €\n*Gesamtbetrag brutto: 7,02 €*" in shown
    assert (
        "Der Betrag von 7,02 € wird am 02.05.2026 von DE89 **** 3000 abgebucht "
        "(Mandat M-1, Gläubiger-ID DE98ZZZ09999999999)."
    ) in shown
    transfer = replace(ISSUED, issued=NEXT.start, terms=terms(DETAILS))
    assert "Payable by May 2, 2026 without deduction to IBAN DE02120300000000202051." in texts(
        invoice_block_dicts(transfer, catalog=CATALOG, lang="en")
    )


def test_an_issued_invoice_and_its_correction_name_seller_and_buyer() -> None:
    invoice = replace(ISSUED, issued=NEXT.start, terms=terms(REVERSE_CHARGE))
    seller = "CloudCRM GmbH, Friedrichstraße 123, 10117 Berlin, DE, USt-IdNr. DE123456788"
    assert f"Von {seller} an Alt AG, AT, USt-IdNr. ATU13585627" in texts(
        invoice_block_dicts(invoice, catalog=CATALOG, lang="de")
    )
    assert "From CloudCRM GmbH, " in texts(
        correction_blocks(_correction(), catalog=CATALOG, lang="en")
    )
    assert "an Muster GmbH, Berlin, DE" in texts(
        correction_blocks(_correction(), catalog=CATALOG, lang="de")
    )


def _correction() -> Correction:
    credit = line(LineKind.RENEWAL, 2, 590, 17).credit(APRIL_17)
    return Correction(1, "T1", 17, APRIL_17, (credit,), terms(DETAILS, APRIL_17))


def test_letzte_rechnungen_list_a_correction_under_the_invoice_it_corrects() -> None:
    issued = replace(ISSUED, terms=terms())
    assert recent_invoices_text([issued], "de", [_correction()]) == (
        "*Letzte Rechnungen*\n"
        "Nr. 17 vom 18.03.2026: 5,90 € netto, 7,02 € brutto\n"
        "↳ Rechnungskorrektur K-1 vom 17.04.2026: -5,90 € netto, -7,02 € brutto"
    )


def test_a_correction_says_what_is_refunded_net_vat_and_gross() -> None:
    shown = texts(correction_blocks(_correction(), catalog=CATALOG, lang="de"))
    assert "Rechnungskorrektur K-1 vom 17.04.2026" in shown
    assert "Summe netto: -5,90 €\nUSt. 19 %: -1,12 €\n*Gesamtbetrag brutto: -7,02 €*" in shown
    assert "7,02 € erstatten wir Ihnen bis 01.05.2026." in shown


def test_a_withdrawn_row_reads_as_not_charged() -> None:
    view = overview_view(
        catalog=CATALOG,
        addons=[withdrawn(3, APRIL_3)],
        in_force=Entitlements(0, 0),
        upcoming=None,
        lang="de",
    )
    assert block(view, "addon_3")["fields"][1]["text"] == "*PREIS*\n— (nicht berechnet)"


def test_the_rechnungsdaten_line_falls_back_to_the_slack_name() -> None:
    assert details_summary(subscription(BillingDetails()), "de") == (
        "Noch keine Rechnungsdaten hinterlegt; Rechnungen gehen an Acme."
    )
    assert details_summary(subscription(WITH_MANDATE), "en") == (
        "Muster GmbH, Berlin, DE · SEPA direct debit: mandate M-1, DE89 **** 3000, "
        "signed Apr 1, 2026"
    )


def test_the_modal_reads_back_what_it_drew() -> None:
    modal = billing_details_modal(WITH_MANDATE, "de")
    state: dict[str, dict[str, dict[str, str | None]]] = {}
    for b in modal["blocks"]:
        if b["type"] != "input":
            continue
        element = b["element"]
        if element["type"] == "datepicker":
            state[b["block_id"]] = {"value": {"selected_date": element.get("initial_date")}}
        else:
            state[b["block_id"]] = {"value": {"value": element.get("initial_value")}}
    # the IBAN is drawn masked: it reads back as the stored one, and is no IBAN without it
    assert billing_details_from_state(state, WITH_MANDATE.mandate) == WITH_MANDATE
    with pytest.raises(InvalidBillingDetail, match="sepa_iban"):
        billing_details_from_state(state)


def test_a_refused_field_is_named_by_its_block() -> None:
    assert details_error(InvalidBillingDetail("country", "Deutschland"), "de") == {
        "country": "Bitte den zweistelligen ISO-Ländercode angeben, z. B. DE, AT oder FR."
    }
    assert details_error(InvalidBillingDetail("sepa_signed", ""), "en") == {
        "sepa_signed": "For a SEPA mandate, please give the mandate reference, the IBAN and "
        "the date."
    }
