"""Every view the app can draw passes slack_sdk's validation of Slack's limits."""

from __future__ import annotations

import pytest

from domain.addons import CancellationQuote, Outcome, quote_booking
from domain.corrections import Refund
from domain.money import Money
from handlers.blocks.booking import booking_confirmation_view, booking_modal
from handlers.blocks.cancelling import cancellation_confirmation_view
from handlers.blocks.home import home_non_admin_view
from handlers.blocks.overview import loading_view
from handlers.blocks.replies import notice_view
from tests.unit.blocks.samples import APRIL_3, CATALOG, LANGS, NONCE, SCHEDULE, active


@pytest.mark.parametrize("lang", LANGS)
def test_every_view_passes_slack_sdk_validation(lang: str) -> None:
    quote = quote_booking(CATALOG["storage"], 1000, APRIL_3, SCHEDULE)
    views = [
        loading_view(lang),
        notice_view(lang, "x"),
        booking_modal(CATALOG["users"], lang),
        booking_confirmation_view(quote, nonce=NONCE, lang=lang),
        cancellation_confirmation_view(
            active(1),
            CancellationQuote(1, Outcome.WITHDRAWAL, APRIL_3, Money(1), (Refund(1, Money(2)),)),
            catalog=CATALOG,
            lang=lang,
        ),
        home_non_admin_view(lang),
    ]
    for view in views:
        assert view.to_dict()["type"] in ("modal", "home")
