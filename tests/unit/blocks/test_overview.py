"""The overview modal, compared on its ```` output: offers, table, totals, paging."""

from __future__ import annotations

from datetime import date

import pytest

from domain.addons import AddOn
from domain.billing import Entitlements
from domain.catalog import Catalog, Option
from domain.money import Money
from handlers import requests
from handlers.blocks.ids import (
    ACTION_ADD,
    ACTION_CANCEL,
    ACTION_PAGE_NEXT,
    ACTION_PAGE_PREV,
    ACTION_UNDO,
    CALLBACK_OVERVIEW,
)
from handlers.blocks.overview import entitlements_text, overview_view
from tests.unit.blocks.samples import (
    APRIL_3,
    APRIL_17,
    LANGS,
    active,
    block,
    ended,
    home,
    many,
    md,
    overview,
    pending,
    plain,
    row_ids,
    texts,
    withdrawn,
)


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
        "5,90 € / Nutzer / Monat zzgl. USt."
    )
    assert block(view, "option_storage")["text"]["text"].endswith(
        "5,90 € / 10 GB / Monat zzgl. USt."
    )
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
    )
    assert block(view, "qty_users")["element"]["max_value"] == "50"


def test_an_active_row_has_a_red_kuendigen_button_with_its_id() -> None:
    assert block(overview([active(7)]), "addon_7") == {
        "type": "section",
        "block_id": "addon_7",
        "fields": [
            md("*OPTION*\nZusätzliche Benutzer (+1)"),
            md("*PREIS*\n5,90 € zzgl. USt."),
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
            md("*PREIS*\n17,70 € zzgl. USt."),
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


def test_entitlements_the_entwurf_and_last_invoices_close_the_overview() -> None:
    view = overview([active(1)])
    assert block(view, "entitlements")["text"] == md("Zusätzlich in Kraft: 3 Benutzer, 30 GB")
    assert block(view, "upcoming")["text"] == md(
        "*Entwurf Ihrer nächsten Sammelrechnung (am 18.04.2026)*\n"
        "• Zusätzliche Benutzer (+1), anteilig 03.04.2026–17.04.2026: 2,85 €\n"
        "• Zusätzliche Benutzer (+1), 03.04.2026–17.04.2026: 5,90 €\n"
        "*Summe: 8,75 € zzgl. USt.*"
    )
    assert "bisher" not in texts(view)
    assert block(view, "invoices")["text"] == md(
        "*Letzte Rechnungen*\nNr. 17 vom 18.03.2026: 5,90 € zzgl. USt."
    )


def test_entitlements_without_add_ons() -> None:
    assert entitlements_text(Entitlements(0, 0), "de") == (
        "Zusätzlich in Kraft: keine Zusatzoptionen"
    )
    assert entitlements_text(Entitlements(1, 0), "en") == "Extra in force now: 1 user"


def test_the_overview_in_english() -> None:
    view = overview([active(7), pending(8)], lang="en")
    assert view["title"] == plain("Add-ons")
    assert block(view, "option_users")["text"]["text"].endswith("€5.90 / user / month excl. VAT")
    assert block(view, "option_storage")["text"]["text"].endswith("€5.90 / 10 GB / month excl. VAT")
    assert block(view, "table_title")["text"] == plain("Your add-ons")
    assert block(view, "addon_7")["fields"] == [
        md("*OPTION*\nAdditional users (+1)"),
        md("*PRICE*\n€5.90 excl. VAT"),
        md("*BILLED UNTIL*\nApr 17, 2026"),
        md("*STATUS / ACTION*\nActive"),
    ]
    assert block(view, "addon_7")["accessory"]["text"] == plain("Cancel")
    assert block(view, "addon_8")["fields"][3] == md(
        "*STATUS / ACTION*\nCancellation effective Apr 17, 2026"
    )
    assert block(view, "addon_8")["accessory"]["text"] == plain("Undo cancellation")
    upcoming = block(view, "upcoming")["text"]["text"]
    assert upcoming.startswith("*Draft of your next consolidated invoice (on Apr 18, 2026)*\n")
    assert upcoming.endswith("\n*Total: €8.75 excl. VAT*")


def test_an_input_error_is_shown_under_its_input() -> None:
    view = overview([], errors={"users": "Die Anzahl muss mindestens 1 sein."})
    ids = [b.get("block_id") for b in view["blocks"]]
    assert ids.index("qty_error_users") == ids.index("qty_users") + 1
    assert block(view, "qty_error_users")["elements"] == [
        md(":warning: *Die Anzahl muss mindestens 1 sein.*")
    ]
    assert "qty_error_storage" not in ids


# -- Slack's limits: hundreds of add-ons ----------------------------------------------


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


def test_an_option_removed_from_the_catalog_still_draws() -> None:
    orphan = AddOn(9, "printer", 2, APRIL_3, APRIL_17)
    view = overview([orphan])
    assert block(view, "addon_9")["fields"][:2] == [md("*OPTION*\nprinter (×2)"), md("*PREIS*\n–")]


def test_labels_from_settings_are_escaped_in_mrkdwn() -> None:
    catalog = Catalog([Option("users", "Benutzer <extra> & mehr", "Users", Money(590), 1, "seat")])
    view = overview_view(
        catalog=catalog, addons=[active(1)], in_force=Entitlements(0, 0), upcoming=None, lang="de"
    )
    assert block(view, "option_users")["text"]["text"].startswith(
        "*Benutzer &lt;extra&gt; &amp; mehr*"
    )
    assert block(view, "addon_1")["fields"][0] == md(
        "*OPTION*\nBenutzer &lt;extra&gt; &amp; mehr (+1)"
    )
