"""/addons opens the overview: options with prices, inputs and Hinzufügen, then the table."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bot import services
from bot.slack_fake.drawn import find_button
from domain.addons import Outcome
from handlers import blocks
from tests.slack.flows import (
    addons,
    advance_days,
    anchor_workspace,
    block,
    block_text,
    book_directly,
    has_block,
    is_placeholder,
    open_overview,
    press,
    qty_id,
    row_ids,
    row_text,
    view_text,
)
from tests.slack.harness import RunningApp, running_app
from tests.slack.mock_slack import ADMIN, FRENCH_ADMIN, OWNER, MockSlack, SlackUser


def _input(view: dict[str, Any], option: str) -> dict[str, Any]:
    found = block(view, qty_id(view, option))
    assert found["type"] == "input"
    element: dict[str, Any] = found["element"]
    return element


async def test_addons_opens_the_filled_overview_in_one_views_open(app: RunningApp) -> None:
    overview = await open_overview(app)
    [opened] = app.mock.calls_to("views.open")
    assert not is_placeholder(opened.params["view"])
    assert "Ihre Zusatzoptionen" in view_text(opened.params["view"])
    assert overview["blocks"] == opened.params["view"]["blocks"]
    # One round trip: no placeholder to fill.
    assert app.mock.calls_to("views.update") == []


async def test_the_overview_shows_both_options_in_german_for_an_admin(app: RunningApp) -> None:
    overview = await open_overview(app, ADMIN)
    text = view_text(overview)
    assert "Zusätzliche Benutzer" in text
    assert "Erweiterter Speicherplatz (+10 GB)" in text
    assert "5,90 € / Nutzer / Monat" in text
    assert "5,90 € / 10 GB / Monat" in text
    assert "Ihre Zusatzoptionen" in text
    for option in ("users", "storage"):
        element = _input(overview, option)
        assert element["type"] == "number_input"
        assert element["is_decimal_allowed"] is False
        assert element["min_value"] == "1"
        assert element["max_value"] == "1000"
        _, button = find_button(overview, blocks.ACTION_ADD, option)
        assert button["text"]["text"] == "Hinzufügen"


async def test_the_overview_is_english_for_an_owner_with_an_english_locale(
    app: RunningApp,
) -> None:
    overview = await open_overview(app, OWNER)
    text = view_text(overview)
    assert "€5.90 / user / month" in text
    assert "€5.90 / 10 GB / month" in text
    assert "Your add-ons" in text
    assert "Hinzufügen" not in text
    for option in ("users", "storage"):
        _, button = find_button(overview, blocks.ACTION_ADD, option)
        assert button["text"]["text"] == "Add"


async def test_an_admin_with_a_locale_the_app_does_not_speak_gets_the_default(
    app: RunningApp,
) -> None:
    overview = await open_overview(app, FRENCH_ADMIN)
    assert "5,90 € / Nutzer / Monat" in view_text(overview)
    assert app.settings.default_locale == "de"


async def test_under_an_english_default_a_german_admin_still_reads_german(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    """ADDONS_DEFAULT_LOCALE=en: each Slack locale the app speaks wins over it, and only
    a locale it does not speak (French) gets the default, English."""
    async with running_app(slack_mock, tmp_path / "addons.db", default_locale="en") as app:
        await anchor_workspace(app)
        assert app.settings.default_locale == "en"
        german = view_text(await open_overview(app, ADMIN))
        english = view_text(await open_overview(app, OWNER))
        french = view_text(await open_overview(app, FRENCH_ADMIN))
    assert "5,90 € / Nutzer / Monat" in german
    assert "Ihre Zusatzoptionen" in german
    assert "€5.90 / user / month" not in german
    assert "€5.90 / user / month" in english
    assert "€5.90 / user / month" in french
    assert "Ihre Zusatzoptionen" not in french


async def test_the_overview_shows_rows_what_is_in_force_and_the_entwurf(
    app: RunningApp,
) -> None:
    users = await book_directly(app, "users", 1)
    storage = await book_directly(app, "storage", 3)
    overview = await open_overview(app)
    assert row_ids(overview) == [storage.id, users.id]  # newest first
    assert "Zusätzliche Benutzer (+1)" in row_text(overview, users.id)
    assert "Erweiterter Speicherplatz (+30 GB)" in row_text(overview, storage.id)
    assert "17,70 € zzgl. USt." in row_text(overview, storage.id)  # PREIS is net
    assert "17.04.2026" in row_text(overview, users.id)
    text = view_text(overview)
    assert "Zusätzlich in Kraft: 1 Benutzer, 30 GB" in text
    # Drafts 2,85 € + 8,56 € (17,70 € × 15 / 31) and the renewals in advance, 5,90 € + 17,70 €,
    # on the Sammelrechnung of 18.04.2026.
    assert "Entwurf Ihrer nächsten Sammelrechnung (am 18.04.2026)" in text
    assert "Zusätzliche Benutzer (+1), anteilig 03.04.2026–17.04.2026: 2,85 €" in text
    assert "Erweiterter Speicherplatz (+30 GB), anteilig 03.04.2026–17.04.2026: 8,56 €" in text
    assert "Zusätzliche Benutzer (+1), 18.04.2026–17.05.2026: 5,90 €" in text
    assert "Erweiterter Speicherplatz (+30 GB), 18.04.2026–17.05.2026: 17,70 €" in text
    # net, USt. at 19 % (6,6519 € rounded half-up once for the document) and gross
    assert "Summe netto: 35,01 €\nUSt. 19 %: 6,65 €\n*Gesamtbetrag brutto: 41,66 €*" in text
    assert "bisher" not in text


async def test_a_workspace_seen_for_the_first_time_is_created_on_the_fly(
    app: RunningApp,
) -> None:
    other = "T0NEWTEAM1"
    app.mock.add_user(SlackUser("U0NEWADMIN", team_id=other, is_admin=True))
    overview = await open_overview(app, "U0NEWADMIN", team_id=other)
    assert "Sie haben noch keine Zusatzoptionen gebucht." in view_text(overview)
    sub = await services.get_workspace(app.ctx, other)
    assert sub.anchor == app.clock.now().date()


async def test_three_hundred_add_ons_fit_in_one_view_active_first_with_paging(
    app: RunningApp,
) -> None:
    # Years of history: 290 withdrawn add-ons and 10 still active, booked over time.
    start = time.monotonic()
    live: list[int] = []
    for n in range(300):
        addon = await book_directly(app, "users" if n % 2 else "storage", 1 + n % 5)
        if n % 30 == 7:
            live.append(addon.id)
        else:
            await services.cancel(
                app.ctx,
                app.signer.team_id,
                addon.id,
                Outcome.WITHDRAWAL,
                app.clock.now(),
                actor=ADMIN,
            )
        if n % 10 == 9:
            advance_days(app, 1)
    assert len(await addons(app)) == 300
    assert time.monotonic() - start < 15

    overview = await open_overview(app)
    assert len(overview["blocks"]) <= blocks.MAX_VIEW_BLOCKS
    ids = row_ids(overview)
    assert ids[: len(live)] == sorted(live, reverse=True)  # active rows first, newest first
    assert all("Kündigen" in row_text(overview, i) for i in ids[: len(live)])
    assert all("Widerrufen am" in row_text(overview, i) for i in ids[len(live) :])
    assert has_block(overview, "table_fold")
    assert "weitere beendete Zusatzoptionen" in block_text(overview, "table_fold")
    # The summary below the table is still there.
    assert has_block(overview, "entitlements")
    assert has_block(overview, "upcoming")

    second = await press(app, overview, blocks.ACTION_PAGE_NEXT, expect="views.update")
    assert second["id"] == overview["id"]
    assert len(second["blocks"]) <= blocks.MAX_VIEW_BLOCKS
    page_two = row_ids(second)
    expected = [a.id for a in blocks.sort_for_display(await addons(app))]
    assert ids + page_two == expected[: len(ids) + len(page_two)]
    assert "Zeilen" in block_text(second, "table_fold")

    back = await press(app, second, blocks.ACTION_PAGE_PREV, expect="views.update")
    assert row_ids(back) == ids

    # Paging to the very end shows the oldest add-on, and nothing is left to page to.
    seen = set(ids) | set(page_two)
    current = second
    while True:
        try:
            find_button(current, blocks.ACTION_PAGE_NEXT)
        except LookupError:
            break
        current = await press(app, current, blocks.ACTION_PAGE_NEXT, expect="views.update")
        assert len(current["blocks"]) <= blocks.MAX_VIEW_BLOCKS
        seen |= set(row_ids(current))
    assert seen == set(expected)
