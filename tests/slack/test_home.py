"""App Home: the overview for admins (booking through a modal), a short note for members."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot import services
from bot.slack_fake.drawn import find_button
from domain.addons import Outcome
from handlers import blocks, requests
from tests.slack.flows import (
    book_directly,
    cancel_button,
    press,
    row_text,
    view_text,
)
from tests.slack.harness import RunningApp
from tests.slack.mock_slack import ADMIN, MEMBER, MEMBER_EN, OWNER


async def _home(app: RunningApp, user: str) -> dict[str, Any]:
    call = await app.send(app.signer.app_home_opened(user_id=user), "views.publish")
    assert call.params["user_id"] == user
    return app.mock.home[user]


async def test_app_home_shows_admins_the_overview_with_booking_buttons(app: RunningApp) -> None:
    addon = await book_directly(app, "users", 1)
    home = await _home(app, ADMIN)
    assert home["type"] == "home"
    text = view_text(home)
    assert "5,90 € / Nutzer / Monat" in text
    assert "5,90 € / 10 GB / Monat" in text
    assert not any(b["type"] == "input" for b in home["blocks"])
    for option in ("users", "storage"):
        _, button = find_button(home, blocks.ACTION_OPEN_BOOKING, option)
        assert button["text"]["text"] == "Hinzufügen"
    assert "Zusätzliche Benutzer (+1)" in row_text(home, addon.id)
    assert cancel_button(home, addon.id)["style"] == "danger"


async def test_hinzufuegen_in_app_home_opens_the_booking_modal(app: RunningApp) -> None:
    home = await _home(app, OWNER)
    modal = await press(
        app, home, blocks.ACTION_OPEN_BOOKING, "storage", expect="views.open", user=OWNER
    )
    assert modal["callback_id"] == blocks.CALLBACK_BOOK
    assert modal["submit"]["text"] == "Continue"
    assert any(b["block_id"] == requests.qty_block_id("storage") for b in modal["blocks"])


async def test_kuendigen_in_app_home_opens_the_confirmation_and_republishes(
    app: RunningApp,
) -> None:
    addon = await book_directly(app, "users", 1)
    home = await _home(app, ADMIN)
    confirmation = await press(app, home, blocks.ACTION_CANCEL, str(addon.id), expect="views.open")
    assert confirmation["callback_id"] == blocks.CALLBACK_CONFIRM_CANCEL
    before = len(app.mock.calls_to("views.publish"))
    answer = await app.post(app.signer.view_submission(user_id=ADMIN, view=confirmation))
    assert answer.json()["response_action"] == "update"
    await app.mock.wait_for("views.publish", before + 1)
    assert "Widerrufen am 03.04.2026" in row_text(app.mock.home[ADMIN], addon.id)


async def test_members_get_a_short_explanation_without_prices(app: RunningApp) -> None:
    await book_directly(app, "users", 1)
    for user, words in (
        (MEMBER, "wenden Sie sich bitte an einen Admin"),
        (MEMBER_EN, "please ask an admin"),
    ):
        home = await _home(app, user)
        text = view_text(home)
        assert words in text
        assert "€" not in text
        assert "Zusätzliche Benutzer (+1)" not in text
        assert "button" not in str(home["blocks"])


async def test_the_messages_tab_is_left_alone(app: RunningApp) -> None:
    answer = await app.post(app.signer.app_home_opened(user_id=ADMIN, tab="messages"))
    assert answer.status == 200
    await app.post(app.signer.app_home_opened(user_id=MEMBER))  # a later event, to wait on
    await app.mock.wait_for("views.publish")
    assert [c.params["user_id"] for c in app.mock.calls_to("views.publish")] == [MEMBER]


async def test_kuendigung_zuruecknehmen_in_app_home_republishes_the_row(
    app: RunningApp,
) -> None:
    addon = await book_directly(app, "users", 1)
    app.clock.advance(timedelta(days=15))  # 18.04.2026: past the window, next period
    await services.cancel(
        app.ctx, app.signer.team_id, addon.id, Outcome.CANCELLATION, app.clock.now(), actor=ADMIN
    )
    home = await _home(app, ADMIN)
    assert "Kündigung zum 17.05.2026" in row_text(home, addon.id)
    again = await press(app, home, blocks.ACTION_UNDO, str(addon.id), expect="views.publish")
    assert "Kündigung zum" not in row_text(again, addon.id)
    assert cancel_button(again, addon.id)["style"] == "danger"
