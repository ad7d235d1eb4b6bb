"""Kündigen: what a cancellation or a Widerruf will do, Bestätigen, and what it did."""

from __future__ import annotations

import json
from typing import Any

from domain.addons import CancellationQuote, Outcome
from domain.money import Money
from handlers import requests
from handlers.blocks.cancelling import (
    cancellation_confirmation_view,
    cancellation_done_message,
    cancellation_sentences,
)
from handlers.blocks.ids import CALLBACK_CONFIRM_CANCEL
from handlers.requests import CancellationRequest
from tests.unit.blocks.samples import APRIL_3, APRIL_17, CATALOG, active, block, md, plain, texts


def cancel_view(quote: CancellationQuote, lang: str = "de") -> dict[str, Any]:
    result: dict[str, Any] = cancellation_confirmation_view(
        active(7), quote, catalog=CATALOG, lang=lang
    )
    return result


def test_a_cancellation_says_until_when_it_stays_usable() -> None:
    view = cancel_view(CancellationQuote(7, Outcome.CANCELLATION, APRIL_17, Money(0), Money(0)))
    assert view["callback_id"] == CALLBACK_CONFIRM_CANCEL
    assert view["title"] == plain("Kündigung bestätigen")
    assert block(view, "cancellation")["text"] == md(
        "*Zusätzliche Benutzer (+1)*\n*Kündigung zum 17.04.2026, bis dahin nutzbar.*"
    )
    assert requests.parse_cancellation_metadata(view["private_metadata"]) == CancellationRequest(
        7, Outcome.CANCELLATION, APRIL_17
    )


def test_a_withdrawal_says_what_leaves_the_invoice() -> None:
    view = cancel_view(CancellationQuote(7, Outcome.WITHDRAWAL, APRIL_3, Money(285), Money(0)))
    assert view["title"] == plain("Widerruf bestätigen")
    assert block(view, "cancellation")["text"] == md(
        "*Zusätzliche Benutzer (+1)*\n*Widerruf: sofort storniert, 2,85 € werden von Ihrer "
        "Sammelrechnung entfernt.*"
    )
    assert json.loads(view["private_metadata"]) == {
        "addon_id": 7,
        "outcome": "withdrawal",
        "on": "2026-04-03",
    }


def test_a_withdrawal_of_invoiced_days_announces_a_rechnungskorrektur() -> None:
    view = cancel_view(CancellationQuote(7, Outcome.WITHDRAWAL, APRIL_3, Money(590), Money(19)))
    text = block(view, "cancellation")["text"]["text"]
    assert "5,90 € werden von Ihrer Sammelrechnung entfernt" in text
    assert (
        "Bereits berechnete 0,19 € erscheinen auf Ihrer nächsten Sammelrechnung als "
        "Rechnungskorrektur." in text
    )
    assert "Gutschrift" not in texts(view)


def test_a_withdrawal_with_only_invoiced_days() -> None:
    quote = CancellationQuote(7, Outcome.WITHDRAWAL, APRIL_3, Money(0), Money(590))
    assert cancellation_sentences(quote, "en") == [
        "Withdrawal: cancelled at once.",
        "€5.90 already invoiced will appear on your next consolidated invoice as an invoice "
        "correction.",
    ]


def test_a_free_withdrawal() -> None:
    quote = CancellationQuote(7, Outcome.WITHDRAWAL, APRIL_3, Money(0), Money(0))
    assert cancellation_sentences(quote, "de") == [
        "Widerruf: sofort storniert, es wird nichts berechnet."
    ]


def test_cancellation_in_english() -> None:
    view = cancel_view(
        CancellationQuote(7, Outcome.CANCELLATION, APRIL_17, Money(0), Money(0)), "en"
    )
    assert view["title"] == plain("Confirm cancellation")
    assert view["submit"] == plain("Confirm")
    assert view["close"] == plain("Back")
    assert "Cancellation effective 2026-04-17, usable until then." in texts(view)


def test_done_messages_for_cancel_withdraw_and_undo() -> None:
    quote = CancellationQuote(7, Outcome.CANCELLATION, APRIL_17, Money(0), Money(0))
    assert cancellation_done_message(active(7), quote, catalog=CATALOG, lang="de")["text"] == (
        "Gekündigt: Zusätzliche Benutzer (+1). Kündigung zum 17.04.2026, bis dahin nutzbar."
    )
    quote = CancellationQuote(7, Outcome.WITHDRAWAL, APRIL_3, Money(285), Money(0))
    assert cancellation_done_message(active(7), quote, catalog=CATALOG, lang="en")["text"] == (
        "Withdrawn: Additional users (+1). Withdrawal: cancelled at once, €2.85 will be removed "
        "from your consolidated invoice."
    )
