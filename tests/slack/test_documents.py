"""What the admin reads about money, over signed HTTP: the Entwurf, the Rechnungskorrektur,
the withdrawal hint of a booking made just before the period end, and fresh inputs."""

from __future__ import annotations

import json

from bot import services
from handlers import blocks
from tests.slack.flows import (
    addons,
    advance_days,
    block,
    book_directly,
    book_through_overview,
    confirm_and_return,
    open_overview,
    press,
    qty_id,
    row_ids,
    view_text,
)
from tests.slack.harness import RunningApp
from tests.slack.mock_slack import ADMIN, OWNER


async def test_a_withdrawal_of_an_invoiced_booking_is_refunded_with_a_rechnungskorrektur(
    app: RunningApp,
) -> None:
    advance_days(app, 14)  # 17.04.2026, the last day of the period 18.03.–17.04.
    addon = await book_directly(app, "users", 1)  # 0,19 € as a draft
    advance_days(app, 1)
    [turn] = await services.billing_run(app.ctx, app.clock.now())  # invoice no. 1: 6,09 €
    assert turn.invoice is not None
    assert turn.invoice.number == 1
    advance_days(app, 2)  # 20.04.2026: still inside the withdrawal window
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_CANCEL, str(addon.id))
    text = view_text(confirmation)
    assert "Widerruf: sofort storniert." in text
    assert "6,09 € erstatten wir Ihnen mit einer Rechnungskorrektur zu Rechnung Nr. 1." in text
    assert "Außerdem werden 5,90 € von Ihrer nächsten Sammelrechnung entfernt." in text
    assert "nicht berechnet" not in text
    assert "nichts berechnet" not in text

    refreshed = await confirm_and_return(app, confirmation)

    assert "Widerrufen am 20.04.2026" in view_text(refreshed)
    [correction] = await services.list_corrections(app.ctx, app.signer.team_id)
    assert (correction.number, correction.corrects) == (1, 1)
    assert str(correction.total.amount) == "-6.09"
    invoice = await services.get_invoice(app.ctx, 1, app.signer.team_id)
    assert str(invoice.total.amount) == "6.09"  # the invoice stays as issued
    queued = await _outbox(app)
    assert ("correction_issued", {"number": 1, "corrects": 1, "user": ADMIN}) in queued
    # The Entwurf no longer carries anything of it, and never a negative amount.
    assert "Entwurf Ihrer nächsten Sammelrechnung (am 18.05.2026)*\nNoch keine Positionen." in (
        view_text(refreshed)
    )
    # "Letzte Rechnungen" lists the correction under the invoice it corrects, VAT reversed.
    assert (
        "*Letzte Rechnungen*\nNr. 1 vom 18.04.2026: 6,09 € netto, 7,25 € brutto\n"
        "↳ Rechnungskorrektur K-1 vom 20.04.2026: -6,09 € netto, -7,25 € brutto"
    ) in view_text(refreshed)


async def test_the_booking_hint_tells_the_truth_for_a_booking_just_before_the_period_end(
    app: RunningApp,
) -> None:
    advance_days(app, 13)  # 16.04.2026: the window (to 30.04.) outlasts the invoice day 18.04.
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_ADD, "users")
    hint = view_text({"blocks": [block(confirmation, "withdrawal")]})
    assert hint == (
        "Hinweis zum Widerruf: Kündigen Sie bis zum 30.04.2026, wird die Option sofort "
        "storniert und nichts berechnet. Bis zum 17.04.2026 wird der Betrag von Ihrer "
        "nächsten Sammelrechnung entfernt; danach steht er auf der Sammelrechnung vom "
        "18.04.2026, und wir erstatten ihn Ihnen mit einer Rechnungskorrektur."
    )


async def test_the_booking_hint_of_an_early_booking_stays_short(app: RunningApp) -> None:
    overview = await open_overview(app)  # 03.04.2026: the window ends 17.04., before 18.04.
    confirmation = await press(app, overview, blocks.ACTION_ADD, "users")
    assert view_text({"blocks": [block(confirmation, "withdrawal")]}) == (
        "Hinweis zum Widerruf: Kündigen Sie bis zum 17.04.2026, wird die Option sofort "
        "storniert und nichts berechnet."
    )


async def test_english_dates_follow_the_locale_and_withdraw_is_not_cancel(
    app: RunningApp,
) -> None:
    addon = await book_directly(app, "users", 1)
    overview = await open_overview(app, OWNER)
    text = view_text(overview)
    assert "Draft of your next consolidated invoice (on Apr 18, 2026)" in text
    assert "2026-04-" not in text
    confirmation = await press(app, overview, blocks.ACTION_CANCEL, str(addon.id), user=OWNER)
    shown = view_text(confirmation)
    assert "Confirm withdrawal" in shown
    assert "cancelled" not in shown


async def test_after_a_booking_the_quantity_fields_are_back_to_one(app: RunningApp) -> None:
    before = await open_overview(app)
    refreshed = await book_through_overview(app, "users", 3)
    assert len(row_ids(refreshed)) == 1
    for option in ("users", "storage"):
        # A new block id: Slack does not carry the typed 3 into the redrawn input.
        assert qty_id(refreshed, option) != qty_id(before, option)
        assert block(refreshed, qty_id(refreshed, option))["element"]["initial_value"] == "1"
    again = await book_through_overview(app, "storage", 2)  # still books what is typed
    assert len(row_ids(again)) == 2
    [storage, users] = await addons(app)
    assert (storage.quantity, users.quantity) == (2, 3)


async def test_app_home_is_republished_after_a_change_made_in_the_modal(
    app: RunningApp,
) -> None:
    await book_through_overview(app, "users", 1)
    await app.settle("views.publish")
    home = app.mock.home[ADMIN]
    assert home["type"] == "home"
    [addon] = await addons(app)
    assert row_ids(home) == [addon.id]
    assert "Entwurf Ihrer nächsten Sammelrechnung (am 18.04.2026)" in view_text(home)


async def _outbox(app: RunningApp) -> list[tuple[str, dict[str, object]]]:
    async with app.ctx.db.unit_of_work(write=False) as uow:
        rows = await uow.outbox.all(app.signer.team_id)
    return [(str(row["kind"]), _payload(row["payload"])) for row in rows]


def _payload(raw: object) -> dict[str, object]:
    loaded = json.loads(raw) if isinstance(raw, str) else raw
    assert isinstance(loaded, dict)
    return loaded
