"""Block Kit builders, compared on their ``.to_dict()`` output; no Slack, no mocks."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from domain.addons import AddOn, CancellationQuote, Outcome, Status, quote_booking
from domain.billing import Entitlements
from domain.catalog import Catalog, Option
from domain.invoices import Invoice, InvoiceLine, LineKind
from domain.money import Money
from domain.periods import BillingSchedule
from handlers import requests
from handlers.blocks.booking import booking_confirmation_view, booking_done_message, booking_modal
from handlers.blocks.cancelling import (
    cancellation_confirmation_view,
    cancellation_done_message,
    cancellation_sentences,
)
from handlers.blocks.home import home_non_admin_view, home_view
from handlers.blocks.ids import (
    ACTION_ADD,
    ACTION_CANCEL,
    ACTION_OPEN_BOOKING,
    ACTION_PAGE_NEXT,
    ACTION_PAGE_PREV,
    ACTION_UNDO,
    CALLBACK_BOOK,
    CALLBACK_CONFIRM_BOOKING,
    CALLBACK_CONFIRM_CANCEL,
    CALLBACK_OVERVIEW,
)
from handlers.blocks.invoices import invoice_blocks, invoices_message
from handlers.blocks.overview import entitlements_text, loading_view, overview_view
from handlers.blocks.replies import help_message, list_message, notice_view, refusal_message
from handlers.requests import (
    BookingRequest,
    CancellationRequest,
    MetadataError,
    QuantityInputError,
)

CATALOG = Catalog()
SCHEDULE = BillingSchedule(date(2026, 1, 18))  # period 18.03.2026–17.04.2026 (31 days)
APRIL_3 = date(2026, 4, 3)
APRIL_17 = date(2026, 4, 17)
PERIOD = SCHEDULE.period_containing(APRIL_3)
NEXT = SCHEDULE.period(PERIOD.index + 1)
NONCE = "0b6c1f2e-4d5a-4c3b-9a8f-7e6d5c4b3a21"
LANGS = ["de", "en"]


def active(
    addon_id: int, option: str = "users", quantity: int = 1, booked_on: date = APRIL_3
) -> AddOn:
    return AddOn(addon_id, option, quantity, booked_on, APRIL_17)


def pending(addon_id: int, option: str = "storage", quantity: int = 3) -> AddOn:
    return AddOn(
        addon_id,
        option,
        quantity,
        date(2026, 1, 5),
        APRIL_17,
        Status.CANCELLATION_PENDING,
        effective_on=APRIL_17,
    )


def ended(addon_id: int, on: date) -> AddOn:
    return AddOn(addon_id, "users", 1, on - timedelta(days=60), on, Status.ENDED, ended_on=on)


def withdrawn(addon_id: int, on: date) -> AddOn:
    return AddOn(addon_id, "users", 2, on - timedelta(days=3), None, Status.WITHDRAWN, ended_on=on)


def line(kind: LineKind, addon_id: int, cents: int, number: int | None = None) -> InvoiceLine:
    return InvoiceLine(
        kind,
        addon_id,
        "users",
        1,
        APRIL_3,
        APRIL_17,
        Money(cents),
        NEXT.start,
        invoice_number=number,
    )


UPCOMING = Invoice(
    None, "T1", NEXT, (line(LineKind.PRORATION, 1, 285), line(LineKind.RENEWAL, 2, 590))
)
ISSUED = Invoice(17, "T1", PERIOD, (line(LineKind.RENEWAL, 2, 590, 17),))


def overview(addons: list[AddOn], lang: str = "de", **kwargs: Any) -> dict[str, Any]:
    view = overview_view(
        catalog=CATALOG,
        addons=addons,
        in_force=Entitlements(3, 30),
        upcoming=UPCOMING,
        recent=[ISSUED],
        lang=lang,
        **kwargs,
    )
    result: dict[str, Any] = view.to_dict()  # validates Slack's limits
    return result


def home(addons: list[AddOn], lang: str = "de", **kwargs: Any) -> dict[str, Any]:
    view = home_view(
        catalog=CATALOG,
        addons=addons,
        in_force=Entitlements(3, 30),
        upcoming=UPCOMING,
        recent=[ISSUED],
        lang=lang,
        **kwargs,
    )
    result: dict[str, Any] = view.to_dict()
    return result


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    assert len(found) == 1, block_id
    return found[0]


def texts(payload: Any) -> str:
    """Every "text" string in a view or message, joined: what a reader sees."""
    if isinstance(payload, dict):
        own = [payload["text"]] if isinstance(payload.get("text"), str) else []
        return "\n".join(own + [texts(v) for v in payload.values() if isinstance(v, dict | list)])
    if isinstance(payload, list):
        return "\n".join(texts(v) for v in payload)
    return ""


def row_ids(view: dict[str, Any]) -> list[int]:
    return [
        int(b["block_id"].removeprefix("addon_"))
        for b in view["blocks"]
        if b.get("block_id", "").startswith("addon_")
    ]


def md(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


# -- overview modal -------------------------------------------------------------------


def test_overview_is_a_modal_with_a_submit_because_it_holds_inputs() -> None:
    view = overview([])
    assert view["type"] == "modal"
    assert view["callback_id"] == CALLBACK_OVERVIEW
    assert view["title"] == plain("Zusatzoptionen")
    assert view["submit"] == plain("Fertig")
    assert view["close"] == plain("Schließen")


def test_each_option_shows_label_price_a_number_input_and_hinzufuegen() -> None:
    view = overview([])
    assert block(view, "option_users")["text"] == md(
        "*Zusätzliche Benutzer*\nIhr Team wächst? Buchen Sie weitere Lizenzen.\n"
        "5,90 € / Nutzer / Monat"
    )
    assert block(view, "option_storage")["text"]["text"].endswith("5,90 € / 10 GB / Monat")
    assert block(view, "qty_users") == {
        "type": "input",
        "block_id": "qty_users",
        "label": plain("Anzahl"),
        "optional": True,
        "hint": plain("Eine ganze Zahl von 1 bis 1.000."),
        "element": {
            "type": "number_input",
            "action_id": "qty",
            "is_decimal_allowed": False,
            "initial_value": "1",
            "min_value": "1",
            "max_value": "1000",
            "placeholder": plain("1 bis 1.000"),
        },
    }
    assert block(view, "add_storage") == {
        "type": "actions",
        "block_id": "add_storage",
        "elements": [
            {
                "type": "button",
                "action_id": ACTION_ADD,
                "value": "storage",
                "style": "primary",
                "text": plain("Hinzufügen"),
            }
        ],
    }


def test_the_input_maximum_is_the_option_maximum() -> None:
    catalog = Catalog(
        [
            Option(
                "users",
                "Zusätzliche Benutzer",
                "Additional users",
                Money(590),
                1,
                "seat",
                max_quantity=50,
            )
        ]
    )
    view = overview_view(
        catalog=catalog, addons=[], in_force=Entitlements(0, 0), upcoming=None, lang="de"
    ).to_dict()
    assert block(view, "qty_users")["element"]["max_value"] == "50"


def test_an_active_row_has_a_red_kuendigen_button_with_its_id() -> None:
    assert block(overview([active(7)]), "addon_7") == {
        "type": "section",
        "block_id": "addon_7",
        "fields": [
            md("*OPTION*\nZusätzliche Benutzer (+1)"),
            md("*PREIS*\n5,90 €"),
            md("*ABGERECHNET BIS*\n17.04.2026"),
            md("*STATUS / AKTION*\nAktiv"),
        ],
        "accessory": {
            "type": "button",
            "action_id": ACTION_CANCEL,
            "value": "7",
            "style": "danger",
            "text": plain("Kündigen"),
        },
    }


def test_a_pending_row_says_kuendigung_zum_and_offers_to_take_it_back() -> None:
    assert block(overview([pending(8)]), "addon_8") == {
        "type": "section",
        "block_id": "addon_8",
        "fields": [
            md("*OPTION*\nErweiterter Speicherplatz (+30 GB)"),
            md("*PREIS*\n17,70 €"),
            md("*ABGERECHNET BIS*\n17.04.2026"),
            md("*STATUS / AKTION*\nKündigung zum 17.04.2026"),
        ],
        "accessory": {
            "type": "button",
            "action_id": ACTION_UNDO,
            "value": "8",
            "text": plain("Kündigung zurücknehmen"),
        },
    }


def test_ended_and_withdrawn_rows_only_say_so() -> None:
    view = overview([ended(3, date(2026, 2, 17)), withdrawn(4, date(2026, 3, 1))])
    assert block(view, "addon_3")["fields"][3] == md("*STATUS / AKTION*\nBeendet am 17.02.2026")
    assert block(view, "addon_4")["fields"][3] == md("*STATUS / AKTION*\nWiderrufen am 01.03.2026")
    assert block(view, "addon_4")["fields"][2] == md("*ABGERECHNET BIS*\n–")
    assert "accessory" not in block(view, "addon_3")
    assert "accessory" not in block(view, "addon_4")


def test_rows_show_live_add_ons_first_then_the_newest_ended() -> None:
    addons = [
        ended(1, date(2025, 5, 17)),
        active(2, booked_on=date(2026, 3, 20)),
        withdrawn(3, date(2026, 3, 25)),
        pending(4),
        active(5, booked_on=APRIL_3),
    ]
    assert row_ids(overview(addons)) == [5, 2, 4, 3, 1]


def test_the_table_title_and_an_empty_table() -> None:
    view = overview([])
    assert block(view, "table_title")["text"] == plain("Ihre Zusatzoptionen")
    assert block(view, "table_empty")["text"] == md("Sie haben noch keine Zusatzoptionen gebucht.")


def test_entitlements_upcoming_total_and_last_invoices_close_the_overview() -> None:
    view = overview([active(1)])
    assert block(view, "entitlements")["text"] == md("Zusätzlich in Kraft: 3 Benutzer, 30 GB")
    assert block(view, "upcoming")["text"] == md(
        "Nächste Sammelrechnung am 18.04.2026, bisher: 8,75 €"
    )
    assert block(view, "invoices")["text"] == md(
        "*Letzte Rechnungen*\nNr. 17 vom 18.03.2026: 5,90 €"
    )


def test_entitlements_without_add_ons() -> None:
    assert entitlements_text(Entitlements(0, 0), "de") == (
        "Zusätzlich in Kraft: keine Zusatzoptionen"
    )
    assert entitlements_text(Entitlements(1, 0), "en") == "Extra in force now: 1 user"


def test_the_overview_in_english() -> None:
    view = overview([active(7), pending(8)], lang="en")
    assert view["title"] == plain("Add-ons")
    assert block(view, "option_users")["text"]["text"].endswith("€5.90 / user / month")
    assert block(view, "option_storage")["text"]["text"].endswith("€5.90 / 10 GB / month")
    assert block(view, "table_title")["text"] == plain("Your add-ons")
    assert block(view, "addon_7")["fields"] == [
        md("*OPTION*\nAdditional users (+1)"),
        md("*PRICE*\n€5.90"),
        md("*BILLED UNTIL*\n2026-04-17"),
        md("*STATUS / ACTION*\nActive"),
    ]
    assert block(view, "addon_7")["accessory"]["text"] == plain("Cancel")
    assert block(view, "addon_8")["fields"][3] == md(
        "*STATUS / ACTION*\nCancellation effective 2026-04-17"
    )
    assert block(view, "addon_8")["accessory"]["text"] == plain("Undo cancellation")
    assert block(view, "upcoming")["text"] == md(
        "Next consolidated invoice on 2026-04-18, so far: €8.75"
    )


def test_an_input_error_is_shown_under_its_input() -> None:
    view = overview([], errors={"users": "Die Anzahl muss mindestens 1 sein."})
    ids = [b.get("block_id") for b in view["blocks"]]
    assert ids.index("qty_error_users") == ids.index("qty_users") + 1
    assert block(view, "qty_error_users")["elements"] == [
        md(":warning: *Die Anzahl muss mindestens 1 sein.*")
    ]
    assert "qty_error_storage" not in ids


# -- Slack's limits: hundreds of add-ons ----------------------------------------------


def many(live: int, pending_count: int, ended_count: int) -> list[AddOn]:
    addons: list[AddOn] = []
    for i in range(ended_count):
        addons.append(ended(1000 + i, date(2020, 1, 17) + timedelta(days=7 * i)))
    for i in range(pending_count):
        addons.append(pending(500 + i))
    for i in range(live):
        addons.append(active(1 + i, booked_on=date(2026, 3, 18) + timedelta(days=i % 30)))
    return addons


@pytest.mark.parametrize("lang", LANGS)
def test_300_add_ons_fit_in_100_blocks_with_every_live_row(lang: str) -> None:
    addons = many(live=12, pending_count=3, ended_count=285)
    view = overview(addons, lang=lang)
    assert len(view["blocks"]) <= 100
    shown = row_ids(view)
    assert {a.id for a in addons if a.is_live} <= set(shown)
    newest_ended = sorted(
        (a for a in addons if not a.is_live), key=lambda a: a.ended_on or a.booked_on, reverse=True
    )
    assert shown[15:] == [a.id for a in newest_ended[: len(shown) - 15]]
    fold = block(view, "table_fold")["elements"][0]["text"]
    hidden = 300 - len(shown)
    expected = {
        "de": f"… und {hidden} weitere beendete Zusatzoptionen",
        "en": f"… and {hidden} more ended add-ons",
    }[lang]
    assert fold == expected
    more = block(view, "table_pages")["elements"]
    assert [(b["action_id"], b["value"]) for b in more] == [(ACTION_PAGE_NEXT, str(len(shown)))]


def test_the_300_add_on_home_view_also_fits() -> None:
    view = home(many(live=12, pending_count=3, ended_count=285))
    assert len(view["blocks"]) <= 100
    assert "table_fold" in [b.get("block_id") for b in view["blocks"]]


def test_the_folded_rows_can_be_paged_through_without_gaps() -> None:
    addons = many(live=150, pending_count=0, ended_count=150)
    seen: list[int] = []
    offset = 0
    for _ in range(10):
        view = overview(addons, offset=offset)
        assert len(view["blocks"]) <= 100
        seen += row_ids(view)
        pages = [b for b in view["blocks"] if b.get("block_id") == "table_pages"]
        nexts = [e for e in pages[0]["elements"] if e["action_id"] == ACTION_PAGE_NEXT]
        if not nexts:
            break
        offset = requests.parse_offset(nexts[0]["value"])
    assert sorted(seen) == sorted(a.id for a in addons)
    assert len(seen) == len(set(seen))


def test_a_later_page_says_which_rows_it_shows_and_goes_back() -> None:
    addons = many(live=150, pending_count=0, ended_count=0)
    view = overview(addons, offset=85)
    assert block(view, "table_fold")["elements"][0]["text"] == "Zeilen 86–150 von 150"
    assert [(b["action_id"], b["value"]) for b in block(view, "table_pages")["elements"]] == [
        (ACTION_PAGE_PREV, "0")
    ]


def test_a_live_fold_does_not_call_the_hidden_rows_ended() -> None:
    view = overview(many(live=120, pending_count=0, ended_count=0))
    assert block(view, "table_fold")["elements"][0]["text"] == ("… und 35 weitere Zusatzoptionen")


def test_a_stale_offset_shows_the_last_page() -> None:
    view = overview(many(live=3, pending_count=0, ended_count=0), offset=500)
    assert len(row_ids(view)) == 3


# -- App Home -------------------------------------------------------------------------


def test_home_has_no_inputs_and_hinzufuegen_opens_the_booking_modal() -> None:
    view = home([active(7)])
    assert view["type"] == "home"
    assert "input" not in [b["type"] for b in view["blocks"]]
    assert block(view, "option_users")["accessory"] == {
        "type": "button",
        "action_id": ACTION_OPEN_BOOKING,
        "value": "users",
        "style": "primary",
        "text": plain("Hinzufügen"),
    }
    assert block(view, "addon_7")["accessory"]["action_id"] == ACTION_CANCEL


@pytest.mark.parametrize("lang", LANGS)
def test_home_for_members_explains_and_shows_no_prices(lang: str) -> None:
    view = home_non_admin_view(lang).to_dict()
    assert view["type"] == "home"
    shown = texts(view)
    assert "€" not in shown
    assert ("Admin" in shown) if lang == "de" else ("admin" in shown)


def test_the_booking_modal_carries_the_option_and_validates_on_submit() -> None:
    view = booking_modal(CATALOG["storage"], "de").to_dict()
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
    view = booking_confirmation_view(quote, nonce=NONCE, lang=lang).to_dict()
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
    view = booking_confirmation_view(quote, nonce=NONCE, lang="de").to_dict()
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


def test_a_fresh_nonce_is_a_uuid() -> None:
    assert uuid.UUID(requests.new_nonce())
    assert requests.new_nonce() != requests.new_nonce()


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


# -- cancellation confirmation --------------------------------------------------------


def cancel_view(quote: CancellationQuote, lang: str = "de") -> dict[str, Any]:
    result: dict[str, Any] = cancellation_confirmation_view(
        active(7), quote, catalog=CATALOG, lang=lang
    ).to_dict()
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


# -- parsers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "not json",
        "[]",
        '"users"',
        '{"option":"users","quantity":1}',
        '{"option":"users","quantity":1,"nonce":"' + NONCE + '","extra":1}',
        '{"option":"users","quantity":0,"nonce":"' + NONCE + '"}',
        '{"option":"users","quantity":true,"nonce":"' + NONCE + '"}',
        '{"option":"users","quantity":"3","nonce":"' + NONCE + '"}',
        '{"option":"users","quantity":1.5,"nonce":"' + NONCE + '"}',
        '{"option":"users","quantity":1,"nonce":"abc"}',
        '{"option":"Users!","quantity":1,"nonce":"' + NONCE + '"}',
        '{"option":7,"quantity":1,"nonce":"' + NONCE + '"}',
        "x" * 3001,
    ],
)
def test_malformed_booking_metadata_is_refused(raw: object) -> None:
    with pytest.raises(MetadataError):
        requests.parse_booking_metadata(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "{}",
        '{"addon_id":7}',
        '{"addon_id":"7","outcome":"cancellation"}',
        '{"addon_id":0,"outcome":"cancellation"}',
        '{"addon_id":7,"outcome":"refund"}',
        '{"addon_id":7,"outcome":"cancellation","x":null}',
    ],
)
def test_malformed_cancellation_metadata_is_refused(raw: str) -> None:
    with pytest.raises(MetadataError):
        requests.parse_cancellation_metadata(raw)


def test_metadata_round_trips() -> None:
    request = BookingRequest("users", 1000, NONCE)
    assert requests.parse_booking_metadata(request.to_metadata()) == request
    cancel = CancellationRequest(12345, Outcome.WITHDRAWAL)
    assert requests.parse_cancellation_metadata(cancel.to_metadata()) == cancel


@pytest.mark.parametrize(("value", "expected"), [("7", 7), (" 42 ", 42)])
def test_addon_ids_from_buttons_and_text(value: str, expected: int) -> None:
    assert requests.parse_addon_id(value) == expected


@pytest.mark.parametrize("value", ["", "0", "-1", "abc", "1.5", None, "9" * 30])
def test_bad_addon_ids_are_refused(value: object) -> None:
    with pytest.raises(MetadataError):
        requests.parse_addon_id(value)


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", 1), (" 3 ", 3), ("1000", 1000), ("+5", 5), ("007", 7)]
)
def test_good_quantities(raw: str, expected: int) -> None:
    assert requests.parse_quantity(raw, 1000) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "empty"),
        ("", "empty"),
        ("  ", "empty"),
        ("0", "zero"),
        ("-0", "zero"),
        ("-3", "negative"),
        ("−3", "negative"),
        ("2.5", "decimal"),
        ("2,5", "decimal"),
        ("3.0", "decimal"),
        ("1001", "too_large"),
        ("9" * 25, "too_large"),
        ("abc", "not_a_number"),
        ("3 GB", "not_a_number"),
        ("1e3", "not_a_number"),
    ],
)
def test_bad_quantities_name_their_problem(raw: object, reason: str) -> None:
    with pytest.raises(QuantityInputError) as caught:
        requests.parse_quantity(raw, 1000)
    assert caught.value.reason == reason


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "reason", ["empty", "not_a_number", "zero", "negative", "decimal", "too_large"]
)
def test_every_quantity_problem_has_an_inline_text(reason: str, lang: str) -> None:
    text = QuantityInputError(reason, 1000).text(lang)
    assert text
    assert "{" not in text


def test_quantity_errors_are_keyed_by_the_input_block() -> None:
    error = QuantityInputError("too_large", 1000)
    assert requests.quantity_errors("users", error, "de") == {
        "qty_users": "Höchstens 1.000 auf einmal."
    }


def test_quantity_is_read_from_the_view_state() -> None:
    state = {
        "qty_users": {"qty": {"type": "number_input", "value": "3"}},
        "qty_storage": {"qty": {"type": "number_input", "value": None}},
    }
    assert requests.quantity_from_state(state, "users") == "3"
    assert requests.quantity_from_state(state, "storage") is None
    assert requests.quantity_from_state({}, "users") is None


# -- text forms, invoices, lists ------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_help_lists_every_text_form(lang: str) -> None:
    text = help_message(lang, CATALOG)["text"]
    words = {
        "de": ["hilfe", "liste", "buchen", "kündigen", "rechnung"],
        "en": ["help", "list", "book", "cancel", "invoice"],
    }[lang]
    for word in words:
        assert f"`/addons {word}" in text
    assert "`users`" in text
    assert "`storage`" in text
    assert "<" not in text  # mrkdwn: written &lt; so Slack does not take it for a link


def test_help_for_an_unknown_word_repeats_it_safely() -> None:
    text = help_message("de", CATALOG, unknown="<!here>")["text"]
    assert text.startswith("Das habe ich nicht verstanden: „&lt;!here&gt;“.")


def test_refusal_message() -> None:
    assert "Admins" in refusal_message("de")["text"]


def invoice_dicts(invoice: Invoice, lang: str) -> list[dict[str, Any]]:
    return [b.to_dict() for b in invoice_blocks(invoice, catalog=CATALOG, lang=lang)]


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
    assert "*Summe: 6,85 €*" in shown
    assert "Gutschrift" not in shown


def test_an_issued_invoice_in_english() -> None:
    shown = invoice_dicts(ISSUED, "en")
    assert shown[0]["text"] == plain("Invoice no. 17 of 2026-03-18")
    assert "*Total: €5.90*" in texts(shown)


def test_a_huge_invoice_stays_within_a_message() -> None:
    lines = tuple(line(LineKind.RENEWAL, i, 590) for i in range(2000))
    shown = invoice_dicts(Invoice(None, "T1", NEXT, lines), "de")
    assert len(shown) <= 50
    assert "weitere Positionen" in texts(shown)


def test_invoices_message_has_upcoming_and_recent() -> None:
    message = invoices_message(UPCOMING, [ISSUED], catalog=CATALOG, lang="de")
    shown = texts(message["blocks"])
    assert "Summe: 8,75 €" in shown
    assert "Nr. 17 vom 18.03.2026: 5,90 €" in shown
    assert "Noch keine Rechnungen." in texts(
        invoices_message(None, [], catalog=CATALOG, lang="de")["blocks"]
    )


def test_list_message_numbers_every_add_on() -> None:
    message = list_message([active(7), pending(8)], catalog=CATALOG, lang="de")
    shown = texts(message["blocks"])
    assert "• Nr. 7: Zusätzliche Benutzer (+1), 5,90 €, abgerechnet bis 17.04.2026, Aktiv" in shown
    assert (
        "• Nr. 8: Erweiterter Speicherplatz (+30 GB), 17,70 €, abgerechnet bis 17.04.2026, "
        "Kündigung zum 17.04.2026" in shown
    )


def test_list_message_with_300_add_ons_fits_a_message() -> None:
    message = list_message(many(12, 3, 285), catalog=CATALOG, lang="en")
    assert len(message["blocks"]) <= 50
    assert "No. 1:" in texts(message["blocks"])


def test_list_message_without_add_ons() -> None:
    message = list_message([], catalog=CATALOG, lang="en")
    assert message["text"] == "Your add-ons: You have not booked any add-ons yet."


def test_an_option_removed_from_the_catalog_still_draws() -> None:
    orphan = AddOn(9, "printer", 2, APRIL_3, APRIL_17)
    view = overview([orphan])
    assert block(view, "addon_9")["fields"][:2] == [md("*OPTION*\nprinter (×2)"), md("*PREIS*\n–")]


def test_labels_from_settings_are_escaped_in_mrkdwn() -> None:
    catalog = Catalog([Option("users", "Benutzer <extra> & mehr", "Users", Money(590), 1, "seat")])
    view = overview_view(
        catalog=catalog, addons=[active(1)], in_force=Entitlements(0, 0), upcoming=None, lang="de"
    ).to_dict()
    assert block(view, "option_users")["text"]["text"].startswith(
        "*Benutzer &lt;extra&gt; &amp; mehr*"
    )
    assert block(view, "addon_1")["fields"][0] == md(
        "*OPTION*\nBenutzer &lt;extra&gt; &amp; mehr (+1)"
    )


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
            CancellationQuote(1, Outcome.WITHDRAWAL, APRIL_3, Money(1), Money(2)),
            catalog=CATALOG,
            lang=lang,
        ),
        home_non_admin_view(lang),
    ]
    for view in views:
        assert view.to_dict()["type"] in ("modal", "home")
