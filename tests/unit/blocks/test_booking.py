"""The booking modal, its Bestätigen and the message after it."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from domain.addons import quote_booking
from domain.periods import BillingSchedule
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
                md("*Monatlicher Preis*\n5,90 € / Monat zzgl. USt."),
                md("*Anteilig 03.04.2026–17.04.2026*\n2,85 € zzgl. USt."),
                md("*Abgerechnet bis*\n17.04.2026"),
            ],
            "head": "*Zusätzliche Benutzer (+1)*\n5,90 € / Nutzer / Monat zzgl. USt.",
            "next": "Ihre nächste Sammelrechnung am 18.04.2026 enthält dafür 8,75 € zzgl. USt.: "
            "anteilig 2,85 € und 5,90 € für den Monat ab 18.04.2026.",
        },
        "en": {
            "submit": "Confirm",
            "close": "Back",
            "fields": [
                md("*Quantity*\n1"),
                md("*Monthly price*\n€5.90 / month excl. VAT"),
                md("*Prorated Apr 3, 2026–Apr 17, 2026*\n€2.85 excl. VAT"),
                md("*Billed until*\nApr 17, 2026"),
            ],
            "head": "*Additional users (+1)*\n€5.90 / user / month excl. VAT",
            "next": "Your next consolidated invoice on Apr 18, 2026 carries €8.75 excl. VAT for "
            "it: €2.85 prorated and €5.90 for the month from Apr 18, 2026.",
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
        "Gebucht: Zusätzliche Benutzer (+1). Steht Ihnen sofort zur Verfügung, abgerechnet bis "
        "17.04.2026. Ihre nächste Sammelrechnung am 18.04.2026 enthält dafür 8,75 € zzgl. USt.: "
        "anteilig 2,85 € und 5,90 € für den Monat ab 18.04.2026."
    )
    assert message["blocks"] == [
        {"type": "section", "block_id": "result", "text": md(message["text"])}
    ]
    assert "bereits" in booking_done_message(quote, "de", repeated=True)["text"]


def test_a_booking_on_the_first_day_of_a_period_is_a_whole_month_not_anteilig() -> None:
    first_day = SCHEDULE.period_containing(APRIL_3).end + timedelta(days=1)  # 18.04.2026
    quote = quote_booking(CATALOG["users"], 3, first_day, SCHEDULE)
    view = booking_confirmation_view(quote, nonce=NONCE, lang="de")
    fields = block(view, "booking")["fields"]
    assert fields[2] == md("*Ganzer Monat 18.04.2026–17.05.2026*\n17,70 € zzgl. USt.")
    assert "nteilig" not in str(view)
    assert (
        "Ihre nächste Sammelrechnung am 18.05.2026 enthält dafür 35,40 € zzgl. USt.: 17,70 € für "
        "den Monat ab 18.04.2026 und 17,70 € für den Monat ab 18.05.2026."
    ) in block(view, "explanation")["text"]["text"]


def test_on_a_calendar_month_schedule_the_months_have_their_names() -> None:
    schedule = BillingSchedule(date(2026, 1, 1))
    quote = quote_booking(CATALOG["users"], 1, date(2026, 4, 1), schedule)
    text = booking_done_message(quote, "en")["text"]
    assert "€11.80 excl. VAT for it: €5.90 for April 2026 and €5.90 for May 2026." in text
