"""Every view and message the app can draw is what slack_sdk's models would send, within
Slack's limits: the builders make plain dicts, and these tests keep slack_sdk's checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from domain.addons import CancellationQuote, Outcome, quote_booking
from domain.billing import Entitlements
from domain.corrections import Refund
from domain.invoices import Invoice, LineKind
from domain.money import Money
from domain.parties import BillingDetails
from handlers.blocks.booking import (
    booking_confirmation_view,
    booking_done_message,
    booking_modal,
)
from handlers.blocks.cancelling import cancellation_confirmation_view, cancellation_done_message
from handlers.blocks.details import billing_details_modal
from handlers.blocks.home import home_non_admin_view, home_view
from handlers.blocks.invoices import invoice_block_dicts, invoice_blocks, invoices_message
from handlers.blocks.overview import loading_view, overview_view
from handlers.blocks.progress import result_view, working_view
from handlers.blocks.replies import (
    help_message,
    list_message,
    notice_view,
    refusal_message,
    text_message,
)
from tests.unit.blocks.samples import (
    APRIL_3,
    CATALOG,
    ISSUED,
    LANGS,
    NEXT,
    NONCE,
    PERIOD,
    SCHEDULE,
    UPCOMING,
    WITH_MANDATE,
    active,
    line,
    many,
    pending,
    subscription,
    terms,
    withdrawn,
)
from tests.unit.blocks.slack_checks import checked, checked_message

WORKING = (
    "working.book",
    "working.cancel",
    "working.withdraw",
    "working.quote",
    "working.details",
)
TITLES = ("overview.title", "booking.title", "cancel.title", "withdraw.title", "details.title")
WITHDRAWAL = CancellationQuote(1, Outcome.WITHDRAWAL, APRIL_3, Money(1), (Refund(1, Money(2)),))
CANCELLATION = CancellationQuote(1, Outcome.CANCELLATION, date(2026, 4, 17), Money(0))
LONG_INVOICE = Invoice(
    18, "T1", PERIOD, tuple(line(LineKind.RENEWAL, i, 590, 18) for i in range(1, 400))
)


def _overviews(lang: str) -> list[dict[str, Any]]:
    drawn = []
    for addons in ([], [active(1), pending(2), withdrawn(3, APRIL_3)], many(120, 40, 200)):
        for offset in (0, 50, 10_000):
            common: dict[str, Any] = {
                "catalog": CATALOG,
                "addons": addons,
                "in_force": Entitlements(3, 30),
                "recent": [ISSUED, LONG_INVOICE],
                "lang": lang,
                "offset": offset,
            }
            for upcoming in (None, UPCOMING):
                drawn.append(overview_view(upcoming=upcoming, **common))
                drawn.append(
                    overview_view(upcoming=upcoming, errors={"users": "zu viel"}, **common)
                )
                drawn.append(home_view(upcoming=upcoming, **common))
    return drawn


def every_view(lang: str) -> list[dict[str, Any]]:
    """One of each view the app can draw, in ``lang``, at the sizes that test the limits."""
    views = [
        loading_view(lang),
        notice_view(lang, "x"),
        notice_view(lang, "x" * 5000),
        home_non_admin_view(lang),
        *(working_view(lang, key, title_key=title) for key in WORKING for title in TITLES),
        *(result_view(lang, "Gebucht.", title_key=title) for title in TITLES),
        result_view(lang, "y" * 5000),
        *_overviews(lang),
    ]
    for option in CATALOG:
        for quantity in (1, option.max_quantity):
            views.append(booking_modal(option, lang, quantity))
            quote = quote_booking(option, quantity, APRIL_3, SCHEDULE)
            views.append(booking_confirmation_view(quote, nonce=NONCE, lang=lang))
    for offer in (WITHDRAWAL, CANCELLATION):
        views.append(cancellation_confirmation_view(active(1), offer, catalog=CATALOG, lang=lang))
    views += [billing_details_modal(d, lang) for d in (BillingDetails(), WITH_MANDATE)]
    views.append(
        overview_view(
            catalog=CATALOG,
            addons=[withdrawn(3, APRIL_3)],
            in_force=Entitlements(0, 0),
            upcoming=replace(UPCOMING, terms=terms()),
            recent=[replace(ISSUED, terms=terms())],
            lang=lang,
            subscription=subscription(WITH_MANDATE),
        )
    )
    return views


def every_message(lang: str) -> list[dict[str, Any]]:
    """One of each message the app can post, in ``lang``."""
    quote = quote_booking(CATALOG["users"], 1, APRIL_3, SCHEDULE)
    return [
        dict(text_message("x")),
        dict(refusal_message(lang)),
        dict(help_message(lang, CATALOG)),
        dict(help_message(lang, CATALOG, unknown="drucker" * 20)),
        dict(list_message([], catalog=CATALOG, lang=lang)),
        dict(list_message(many(120, 40, 400), catalog=CATALOG, lang=lang)),
        dict(invoices_message(None, [], catalog=CATALOG, lang=lang)),
        dict(invoices_message(UPCOMING, [ISSUED, LONG_INVOICE], catalog=CATALOG, lang=lang)),
        dict(booking_done_message(quote, lang)),
        dict(booking_done_message(quote, lang, repeated=True)),
        *(
            dict(cancellation_done_message(active(1), q, catalog=CATALOG, lang=lang))
            for q in (WITHDRAWAL, CANCELLATION)
        ),
        *(
            {"text": "invoice", "blocks": invoice_block_dicts(i, catalog=CATALOG, lang=lang)}
            for i in (ISSUED, LONG_INVOICE, UPCOMING, replace(ISSUED, terms=terms(WITH_MANDATE)))
        ),
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_every_view_is_what_slack_sdk_would_send_within_slacks_limits(lang: str) -> None:
    views = every_view(lang)
    assert len(views) > 80  # the sizes above, in every combination
    for view in views:
        checked(view)


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_what_slack_sdk_would_send_within_slacks_limits(lang: str) -> None:
    for payload in every_message(lang):
        checked_message(payload)


def test_a_view_slack_would_refuse_is_caught() -> None:
    too_long = notice_view("de", "x")
    too_long["title"]["text"] = "T" * 25
    with pytest.raises(Exception, match="title"):
        checked(too_long)
    too_many = notice_view("de", "x")
    too_many["blocks"] = [dict(too_many["blocks"][0], block_id=f"b{i}") for i in range(101)]
    with pytest.raises(Exception, match="blocks"):
        checked(too_many)


def test_a_button_slack_would_refuse_is_caught() -> None:
    view = overview_view(
        catalog=CATALOG, addons=[active(1)], in_force=Entitlements(0, 0), upcoming=None, lang="de"
    )
    row = next(b for b in view["blocks"] if b["block_id"] == "addon_1")
    row["accessory"]["style"] = "red"  # Slack knows primary and danger
    with pytest.raises(Exception, match="style"):
        checked(view)


def test_invoice_blocks_as_models_match_the_dicts() -> None:
    models = invoice_blocks(LONG_INVOICE, catalog=CATALOG, lang="de")
    dicts = invoice_block_dicts(LONG_INVOICE, catalog=CATALOG, lang="de")
    assert [b.to_dict() for b in models] == dicts


def test_the_next_period_sample_is_the_upcoming_invoice() -> None:
    assert UPCOMING.period == NEXT
