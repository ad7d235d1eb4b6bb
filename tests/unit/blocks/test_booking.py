"""The booking modal, its Bestätigen and the message after it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.addons import quote_booking
from handlers import requests
from handlers.blocks.booking import booking_confirmation_view, booking_done_message, booking_modal
from handlers.blocks.ids import CALLBACK_BOOK, CALLBACK_CONFIRM_BOOKING
from handlers.requests import BookingRequest
from tests.unit.blocks.samples import APRIL_3, CATALOG, LANGS, NONCE, SCHEDULE, block, md, plain


def test_the_booking_modal_carries_the_option_and_validates_on_submit() -> None:
    view = booking_modal(CATALOG["storage"], "de")
    assert view["callback_id"] == CALLBACK_BOOK
    assert view["submit"] == plain("Weiter")
    assert requests.parse_option_metadata(view["private_metadata"]) == "storage"
    quantity = block(view, "qty_storage")
    assert quantity["optional"] is False
    assert quantity["element"]["initial_value"] == "1"


# -- booking confirmation -------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_booking_confirmation_shows_what_will_be_charged(lang: str) -> None:
    quote = quote_booking(CATALOG["users"], 1, APRIL_3, SCHEDULE)
    view = booking_confirmation_view(quote, nonce=NONCE, lang=lang)
    assert view["callback_id"] == CALLBACK_CONFIRM_BOOKING
    expected: dict[str, Any] = {
        "de": {
            "submit": "Bestätigen",
            "close": "Abbrechen",
            "fields": [
                md("*Anzahl*\n1"),
                md("*Monatlicher Preis*\n5,90 € / Monat"),
                md("*Anteilig 03.04.2026–17.04.2026*\n2,85 €"),
                md("*Abgerechnet bis*\n17.04.2026"),
            ],
            "head": "*Zusätzliche Benutzer (+1)*\n5,90 € / Nutzer / Monat",
            "next": "wird mit Ihrer nächsten Sammelrechnung abgerechnet (am 18.04.2026)",
        },
        "en": {
            "submit": "Confirm",
            "close": "Back",
            "fields": [
                md("*Quantity*\n1"),
                md("*Monthly price*\n€5.90 / month"),
                md("*Prorated 2026-04-03–2026-04-17*\n€2.85"),
                md("*Billed until*\n2026-04-17"),
            ],
            "head": "*Additional users (+1)*\n€5.90 / user / month",
            "next": "billed with your next consolidated invoice (on 2026-04-18)",
        },
    }[lang]
    assert view["submit"] == plain(expected["submit"])
    assert view["close"] == plain(expected["close"])
    assert block(view, "booking")["fields"] == expected["fields"]
    assert block(view, "booking")["text"] == md(expected["head"])
    assert expected["next"] in block(view, "explanation")["text"]["text"]


def test_booking_confirmation_metadata_is_what_was_shown() -> None:
    quote = quote_booking(CATALOG["storage"], 3, APRIL_3, SCHEDULE)
    view = booking_confirmation_view(quote, nonce=NONCE, lang="de")
    assert json.loads(view["private_metadata"]) == {
        "option": "storage",
        "quantity": 3,
        "nonce": NONCE,
        "on": "2026-04-03",
    }
    assert requests.parse_booking_metadata(view["private_metadata"]) == BookingRequest(
        "storage", 3, NONCE, APRIL_3
    )
    assert "Erweiterter Speicherplatz (+30 GB)" in block(view, "booking")["text"]["text"]


def test_booking_done_message() -> None:
    quote = quote_booking(CATALOG["users"], 1, APRIL_3, SCHEDULE)
    message = booking_done_message(quote, "de")
    assert message["text"] == (
        "Gebucht: Zusätzliche Benutzer (+1). Steht Ihnen sofort zur Verfügung. Anteilig 2,85 €, "
        "abgerechnet bis 17.04.2026; wird mit Ihrer nächsten Sammelrechnung abgerechnet."
    )
    assert message["blocks"] == [
        {"type": "section", "block_id": "result", "text": md(message["text"])}
    ]
    assert "bereits" in booking_done_message(quote, "de", repeated=True)["text"]
