"""App Home: the overview without inputs for admins, an explanation for everyone else."""

from __future__ import annotations

import pytest

from handlers.blocks.home import home_non_admin_view
from handlers.blocks.ids import ACTION_CANCEL, ACTION_OPEN_BOOKING
from handlers.blocks.overview import Memo
from tests.unit.blocks.samples import LANGS, active, block, home, many, overview, plain, texts


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
    view = home_non_admin_view(lang)
    assert view["type"] == "home"
    shown = texts(view)
    assert "€" not in shown
    assert ("Admin" in shown) if lang == "de" else ("admin" in shown)


@pytest.mark.parametrize("rows", [3, 60])  # 60: the table folds, in both views
def test_the_modal_and_app_home_drawn_from_one_read_are_those_drawn_apart(rows: int) -> None:
    addons = many(rows, 2, 3)
    memo: Memo = {}
    assert overview(addons, memo=memo) == overview(addons)
    assert memo  # the totals and the table were kept for App Home
    assert home(addons, memo=memo) == home(addons)
