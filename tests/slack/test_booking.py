"""Booking: Hinzufügen → confirmation → Bestätigen books once and shows the row."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot import services
from handlers import blocks, requests
from tests.slack.flows import (
    addons,
    advance_days,
    block_text,
    book_through_overview,
    cancel_button,
    confirm_and_return,
    has_block,
    open_overview,
    press,
    row_ids,
    row_text,
    submit,
    submit_and_see,
    until,
    view_text,
)
from tests.slack.harness import RunningApp
from tests.slack.mock_slack import ADMIN, OWNER


async def test_hinzufuegen_pushes_a_confirmation_with_everything_that_will_be_charged(
    app: RunningApp,
) -> None:
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_ADD, "users")
    assert confirmation["callback_id"] == blocks.CALLBACK_CONFIRM_BOOKING
    assert confirmation["previous_view_id"] == overview["id"]
    text = view_text(confirmation)
    assert "Zusätzliche Benutzer (+1)" in text
    assert "*Anzahl*\n1" in text
    assert "5,90 € / Monat" in text  # monthly price
    assert "Anteilig 03.04.2026–17.04.2026*\n2,85 €" in text  # 5,90 € × 15 / 31
    assert "*Abgerechnet bis*\n17.04.2026" in text
    assert "Sammelrechnung" in text
    assert "18.04.2026" in text
    assert confirmation["submit"]["text"] == "Bestätigen"
    assert confirmation["close"]["text"] == "Abbrechen"
    assert await addons(app) == []  # nothing is booked before Bestätigen


async def test_the_confirmation_is_english_for_an_english_owner(app: RunningApp) -> None:
    overview = await open_overview(app, OWNER)
    confirmation = await press(app, overview, blocks.ACTION_ADD, "users", user=OWNER)
    text = view_text(confirmation)
    assert "€2.85" in text
    assert "Apr 17, 2026" in text  # dates as en-US writes them, never ISO
    assert "2026-04-17" not in text
    assert "consolidated invoice" in text
    assert "until Apr 17, 2026, Cancel withdraws the booking" in text
    assert confirmation["submit"]["text"] == "Confirm"


async def test_bestaetigen_books_and_returns_to_the_refreshed_overview(app: RunningApp) -> None:
    refreshed = await book_through_overview(app, "users", 1)
    [addon] = await addons(app)
    assert (addon.option, addon.quantity, addon.status.value) == ("users", 1, "active")
    assert row_ids(refreshed) == [addon.id]
    text = row_text(refreshed, addon.id)
    assert "Zusätzliche Benutzer (+1)" in text
    assert "5,90 €" in text
    assert "17.04.2026" in text
    button = cancel_button(refreshed, addon.id)
    assert button["text"]["text"] == "Kündigen"
    assert button["style"] == "danger"
    assert "Zusätzlich in Kraft: 1 Benutzer" in block_text(refreshed, "entitlements")
    invoice = await services.preview_invoice(app.ctx, app.signer.team_id, app.clock.now())
    assert [
        str(line.amount.amount) for line in invoice.lines if line.kind.value == "proration"
    ] == ["2.85"]


async def test_three_storage_packages_show_as_thirty_gigabytes(app: RunningApp) -> None:
    refreshed = await book_through_overview(app, "storage", 3)
    [addon] = await addons(app)
    assert (addon.option, addon.quantity) == ("storage", 3)
    text = row_text(refreshed, addon.id)
    assert "Erweiterter Speicherplatz (+30 GB)" in text
    assert "17,70 €" in text
    assert "30 GB" in block_text(refreshed, "entitlements")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (None, "Bitte geben Sie eine Anzahl ein."),
        ("", "Bitte geben Sie eine Anzahl ein."),
        ("0", "Die Anzahl muss mindestens 1 sein."),
        ("-2", "Die Anzahl darf nicht negativ sein."),
        ("1.5", "Bitte geben Sie eine ganze Zahl ein, ohne Komma."),
        ("2,0", "Bitte geben Sie eine ganze Zahl ein, ohne Komma."),
        ("1001", "Höchstens 1.000 auf einmal."),
        ("drei", "Bitte geben Sie eine Zahl ein."),
    ],
)
async def test_a_bad_quantity_is_shown_under_its_input_and_books_nothing(
    app: RunningApp, typed: str | None, message: str
) -> None:
    overview = await open_overview(app)
    redrawn = await press(
        app,
        overview,
        blocks.ACTION_ADD,
        "storage",
        expect="views.update",
        typed={requests.qty_block_id("storage"): typed},
    )
    assert redrawn["id"] == overview["id"]
    ids = [b["block_id"] for b in redrawn["blocks"]]
    error_at = ids.index("qty_error_storage")
    assert ids[error_at - 1] == requests.qty_block_id("storage")  # right under that input
    assert message in block_text(redrawn, "qty_error_storage")
    assert not has_block(redrawn, "qty_error_users")
    assert app.mock.calls_to("views.push") == []
    assert await addons(app) == []


async def test_a_bad_quantity_in_the_app_home_booking_modal_answers_inline_errors(
    app: RunningApp,
) -> None:
    await app.send(app.signer.app_home_opened(user_id=ADMIN), "views.publish")
    modal = await press(
        app, app.mock.home[ADMIN], blocks.ACTION_OPEN_BOOKING, "users", expect="views.open"
    )
    assert modal["callback_id"] == blocks.CALLBACK_BOOK
    for typed, message in (
        ("0", "mindestens 1"),
        ("1001", "Höchstens 1.000"),
        ("x", "eine Zahl"),
        ("2.5", "ganze Zahl"),
    ):
        answer = await submit(app, modal, typed={requests.qty_block_id("users"): typed})
        assert answer.status == 200
        body = answer.json()
        assert body["response_action"] == "errors"
        assert message in body["errors"][requests.qty_block_id("users")]
    assert await addons(app) == []


async def test_the_app_home_booking_modal_leads_to_the_same_confirmation(
    app: RunningApp,
) -> None:
    await app.send(app.signer.app_home_opened(user_id=ADMIN), "views.publish")
    modal = await press(
        app, app.mock.home[ADMIN], blocks.ACTION_OPEN_BOOKING, "storage", expect="views.open"
    )
    confirmation = await submit_and_see(app, modal, typed={requests.qty_block_id("storage"): "3"})
    assert confirmation["callback_id"] == blocks.CALLBACK_CONFIRM_BOOKING
    assert "Erweiterter Speicherplatz (+30 GB)" in view_text(confirmation)
    assert "8,56 €" in view_text(confirmation)  # 17,70 € × 15 / 31
    # Slack replaced the modal in place; confirm it as Slack stores it.
    stored = app.mock.views[modal["id"]]
    assert stored["callback_id"] == blocks.CALLBACK_CONFIRM_BOOKING
    before = len(app.mock.calls_to("views.publish"))
    done = await submit_and_see(app, stored)
    assert "Gebucht: Erweiterter Speicherplatz (+30 GB)" in view_text(done)
    [addon] = await addons(app)
    assert (addon.option, addon.quantity) == ("storage", 3)
    await app.mock.wait_for("views.publish", before + 1)
    assert "Erweiterter Speicherplatz (+30 GB)" in row_text(app.mock.home[ADMIN], addon.id)


async def test_the_same_confirmation_submitted_twice_books_once(app: RunningApp) -> None:
    overview = await open_overview(app)
    confirmation = await press(
        app, overview, blocks.ACTION_ADD, "users", typed={requests.qty_block_id("users"): "2"}
    )
    first = await confirm_and_return(app, confirmation)
    again = await confirm_and_return(app, confirmation)
    [addon] = await addons(app)
    assert addon.quantity == 2
    assert row_ids(first) == row_ids(again) == [addon.id]
    invoice = await services.preview_invoice(app.ctx, app.signer.team_id, app.clock.now())
    assert len([line for line in invoice.lines if line.kind.value == "proration"]) == 1


async def test_ten_concurrent_submissions_of_one_confirmation_book_once(
    app: RunningApp,
) -> None:
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_ADD, "users")
    request = app.signer.view_submission(user_id=ADMIN, view=confirmation)
    before = len(app.mock.calls_to("views.update"))
    answers = await asyncio.gather(*(app.post(request) for _ in range(10)))
    assert [a.status for a in answers] == [200] * 10
    assert all(a.json()["view"]["callback_id"] == blocks.CALLBACK_WORKING for a in answers)
    # Every copy is shown what happened: one "Gebucht", nine "bereits ausgeführt".
    await until(
        lambda: (
            sum(
                c.params["view_id"] == confirmation["id"]
                for c in app.mock.calls_to("views.update")[before:]
            )
            == 10
        )
    )
    shown = [
        view_text(c.params["view"])
        for c in app.mock.calls_to("views.update")[before:]
        if c.params["view_id"] == confirmation["id"]
    ]
    assert sum("Gebucht:" in text for text in shown) == 1
    assert sum("bereits ausgeführt" in text for text in shown) == 9
    assert len(await addons(app)) == 1


async def test_two_confirmations_are_two_bookings(app: RunningApp) -> None:
    overview = await open_overview(app)
    first = await press(app, overview, blocks.ACTION_ADD, "users")
    refreshed = await confirm_and_return(app, first)
    second = await press(app, refreshed, blocks.ACTION_ADD, "users")
    assert (
        json.loads(first["private_metadata"])["nonce"]
        != json.loads(second["private_metadata"])["nonce"]
    )
    await confirm_and_return(app, second)
    assert len(await addons(app)) == 2


async def test_a_corrected_quantity_clears_the_inline_error(app: RunningApp) -> None:
    overview = await open_overview(app)
    updates = len(app.mock.calls_to("views.update"))
    redrawn = await press(
        app,
        overview,
        blocks.ACTION_ADD,
        "users",
        expect="views.update",
        typed={requests.qty_block_id("users"): "0"},
    )
    assert has_block(redrawn, "qty_error_users")
    confirmation = await press(
        app, redrawn, blocks.ACTION_ADD, "users", typed={requests.qty_block_id("users"): "2"}
    )
    assert "Zusätzliche Benutzer (+2)" in view_text(confirmation)
    await app.mock.wait_for("views.update", updates + 2)  # the error, then the clean redraw
    assert not has_block(app.mock.views[overview["id"]], "qty_error_users")


async def test_a_booking_confirmed_on_another_day_books_nothing(app: RunningApp) -> None:
    advance_days(app, 14)  # 17.04.2026: one day of the period left, 0,19 €
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_ADD, "users")
    assert "0,19 €" in view_text(confirmation)
    advance_days(app, 1)  # 18.04.2026: a new period, a whole month would be charged

    notice = view_text(await submit_and_see(app, confirmation))
    assert "Diese Abfrage galt für den 17.04.2026" in notice
    assert "Es wurde nichts gebucht" in notice
    assert await addons(app) == []
