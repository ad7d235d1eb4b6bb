"""Rechnungsdaten and the seller: each value checked offline, a bad one named."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.parties import (
    BillingDetails,
    InvalidBillingDetail,
    Seller,
    SepaMandate,
    check_creditor_id,
    check_iban,
    mask_iban,
)
from domain.terms import Invoicing, PaymentMethod

SELLER = Seller(
    "CloudCRM GmbH",
    "Friedrichstraße 123",
    "10117",
    "Berlin",
    vat_id="DE123456788",
    iban="DE02120300000000202051",
    creditor_id="DE98ZZZ09999999999",
)


def test_rechnungsdaten_are_kept_compact_and_capitalised() -> None:
    details = BillingDetails.checked(
        company="  Kunde GmbH ", country="at", vat_id="ATU 1358 5627", invoice_email="a@b.at"
    )
    assert (details.company, details.country, details.vat_id) == (
        "Kunde GmbH",
        "AT",
        "ATU13585627",
    )
    assert BillingDetails.checked(company="   ") == BillingDetails()  # blank: not set


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"country": "Deutschland"}, "country"),
        ({"country": "D1"}, "country"),
        ({"country": "XX"}, "country"),  # no such country
        ({"country": "EL"}, "country"),  # Greece's VAT prefix; its country code is GR
        ({"country": "UK"}, "country"),  # GB
        ({"vat_id": "DE123456789"}, "vat_id"),  # wrong check digit
        ({"country": "AT", "vat_id": "DE123456788"}, "vat_id"),  # another country's id
        ({"invoice_email": "rechnung at kunde.de"}, "invoice_email"),
        ({"invoice_email": "a@b"}, "invoice_email"),
        ({"company": "x" * 201}, "company"),
        ({"street": "Weg\n1"}, "street"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(values: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidBillingDetail) as refused:
        BillingDetails.checked(**values)
    assert refused.value.field == field
    assert refused.value.params()["field"] == field


def test_a_change_checks_the_details_again_as_a_whole() -> None:
    details = BillingDetails.checked(country="AT", vat_id="ATU13585627")
    with pytest.raises(InvalidBillingDetail, match="vat_id"):
        details.changed(country="DE")  # the Austrian id no longer fits
    assert details.changed(country="DE", vat_id="DE123456788").country == "DE"


def test_a_sepa_mandate_needs_all_three_parts_well_formed() -> None:
    mandate = SepaMandate.checked("M-1", "DE02 1203 0000 0000 2020 51", date(2026, 1, 2))
    assert mandate.iban == "DE02120300000000202051"
    assert mask_iban(mandate.iban) == "DE02 **** 2051"
    for reference, iban, signed, field in (
        ("", "DE02120300000000202051", date(2026, 1, 2), "sepa_mandate"),
        ("M-1", "DE02120300000000202052", date(2026, 1, 2), "sepa_iban"),
        ("M-1", "DE02120300000000202051", None, "sepa_signed"),
    ):
        with pytest.raises(InvalidBillingDetail) as refused:
            SepaMandate.checked(reference, iban, signed)
        assert refused.value.field == field


def test_ibans_and_creditor_ids_are_checked_by_their_check_digits() -> None:
    assert check_creditor_id("DE98 ZZZ 09999999999") == "DE98ZZZ09999999999"
    with pytest.raises(InvalidBillingDetail):
        check_creditor_id("DE99ZZZ09999999999")
    with pytest.raises(InvalidBillingDetail):
        check_iban("DE00120300000000202051")


def test_without_a_company_the_invoice_names_the_slack_workspace() -> None:
    assert BillingDetails().buyer("Acme", "T1").name == "Acme"
    assert BillingDetails().buyer(None, "T1").name == "T1"
    assert BillingDetails(company="Acme GmbH").buyer("Acme", "T1").name == "Acme GmbH"


def test_a_mandate_means_a_direct_debit_otherwise_a_transfer_within_the_days() -> None:
    mandate = SepaMandate.checked("M-1", "DE02120300000000202051", date(2026, 1, 2))
    invoicing = Invoicing(SELLER, payment_days=14)
    debit = invoicing.terms(BillingDetails(mandate=mandate), None, "T1", date(2026, 5, 3))
    assert debit.payment.method is PaymentMethod.DIRECT_DEBIT
    assert debit.payment.due_on == date(2026, 5, 17)
    assert debit.payment.to_json()["debtor_iban"] == "DE02 **** 2051"
    assert debit.payment.to_record()["debtor_iban"] == "DE02120300000000202051"
    assert debit.payment.creditor_id == "DE98ZZZ09999999999"
    transfer = invoicing.terms(BillingDetails(), None, "T1", date(2026, 5, 3))
    assert transfer.payment.method is PaymentMethod.TRANSFER
    assert transfer.payment.seller_iban == SELLER.iban


def test_terms_are_stored_and_read_back_unchanged() -> None:
    from domain.terms import Terms

    mandate = SepaMandate.checked("M-1", "DE02120300000000202051", date(2026, 1, 2))
    details = BillingDetails.checked(company="Client", country="AT", vat_id="ATU13585627")
    terms = Invoicing(SELLER).terms(
        details.changed(mandate=mandate), "Acme", "T1", date(2026, 5, 3)
    )
    assert Terms.from_record(terms.to_record()) == terms
