"""Kündigen: a cancellation to the period end, or inside 14 days a withdrawal; undo."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest_asyncio

from bot import services
from bot.slack_fake.drawn import find_button
from domain.addons import Status
from domain.invoices import Invoice
from handlers import blocks
from tests.slack.flows import (
    addons,
    advance_days,
    anchor_workspace,
    book_directly,
    cancel_button,
    confirm_and_return,
    open_overview,
    press,
    row_text,
    submit_and_see,
    view_text,
)
from tests.slack.harness import START, RunningApp, running_app
from tests.slack.mock_slack import MockSlack


@pytest_asyncio.fixture
async def early(slack_mock: MockSlack, tmp_path: Path) -> AsyncIterator[RunningApp]:
    """The app on 18.03.2026, the first day of the period 18.03.–17.04.2026."""
    async with running_app(
        slack_mock, tmp_path / "addons.db", now=START - timedelta(days=16)
    ) as running:
        await anchor_workspace(running)
        yield running


def _drafts(invoice: Invoice, addon_id: int) -> list[str]:
    return [
        str(line.amount.amount)
        for line in invoice.lines
        if line.addon_id == addon_id and line.kind.value == "proration"
    ]


async def test_kuendigen_after_the_window_ends_the_addon_with_the_period(
    early: RunningApp,
) -> None:
    app = early
    addon = await book_directly(app, "users", 1)  # booked 18.03.2026
    advance_days(app, 16)  # 03.04.2026: past the 14 days, same period
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_CANCEL, str(addon.id))
    assert confirmation["callback_id"] == blocks.CALLBACK_CONFIRM_CANCEL
    text = view_text(confirmation)
    assert "Kündigung zum 17.04.2026, bis dahin nutzbar" in text
    assert "Widerruf" not in text
    assert (await addons(app))[0].status is Status.ACTIVE  # nothing before Bestätigen

    refreshed = await confirm_and_return(app, confirmation)
    row = row_text(refreshed, addon.id)
    assert "Kündigung zum 17.04.2026" in row
    _, undo = find_button(refreshed, blocks.ACTION_UNDO, str(addon.id))
    assert undo["text"]["text"] == "Kündigung zurücknehmen"
    [stored] = await addons(app)
    assert stored.status is Status.CANCELLATION_PENDING
    assert str(stored.effective_on) == "2026-04-17"

    again = await press(app, refreshed, blocks.ACTION_UNDO, str(addon.id), expect="views.update")
    assert again["id"] == overview["id"]
    assert "Kündigung zum" not in row_text(again, addon.id)
    assert cancel_button(again, addon.id)["style"] == "danger"
    [stored] = await addons(app)
    assert stored.status is Status.ACTIVE
    assert stored.effective_on is None


async def test_kuendigen_inside_the_window_is_a_withdrawal_and_removes_the_draft_line(
    app: RunningApp,
) -> None:
    addon = await book_directly(app, "users", 1)  # 03.04.2026: 2,85 € as a draft
    before = await services.preview_invoice(app.ctx, app.signer.team_id, app.clock.now())
    assert _drafts(before, addon.id) == ["2.85"]
    advance_days(app, 2)
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_CANCEL, str(addon.id))
    # nothing was invoiced: the draft 2,85 € and the renewal 5,90 € leave the Entwurf
    assert (
        "Widerruf: sofort storniert, es wird nichts berechnet: 8,75 € werden von Ihrer "
        "nächsten Sammelrechnung entfernt" in view_text(confirmation)
    )

    refreshed = await confirm_and_return(app, confirmation)
    row = row_text(refreshed, addon.id)
    assert "Widerrufen am 05.04.2026" in row
    assert "Kündigen" not in row
    after = await services.preview_invoice(app.ctx, app.signer.team_id, app.clock.now())
    assert _drafts(after, addon.id) == []
    assert all(line.addon_id != addon.id for line in after.lines)  # no renewal either
    [stored] = await addons(app)
    assert stored.status is Status.WITHDRAWN


async def test_the_withdrawal_in_english(app: RunningApp) -> None:
    from tests.slack.mock_slack import OWNER

    addon = await book_directly(app, "users", 1)
    overview = await open_overview(app, OWNER)
    confirmation = await press(app, overview, blocks.ACTION_CANCEL, str(addon.id), user=OWNER)
    text = view_text(confirmation)
    assert "Confirm withdrawal" in text
    assert (
        "Withdrawal: the add-on ends at once and nothing is charged: €8.75 will be removed "
        "from your next consolidated invoice" in text
    )
    assert "cancelled" not in text


async def test_what_the_admin_confirmed_is_what_happens(app: RunningApp) -> None:
    addon = await book_directly(app, "users", 1)  # day D = 03.04.2026
    advance_days(app, 14)  # D + 14: the last day of the withdrawal window
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_CANCEL, str(addon.id))
    assert "Widerruf" in view_text(confirmation)
    advance_days(app, 1)  # D + 15: it would now be a cancellation to the period end
    lines_before = await services.preview_invoice(app.ctx, app.signer.team_id, app.clock.now())

    notice = view_text(await submit_and_see(app, confirmation))
    assert (
        "Inzwischen wäre Kündigen eine Kündigung zum Ende des Abrechnungszeitraums, "
        "nicht mehr ein Widerruf mit sofortiger Stornierung" in notice
    )
    assert "Es wurde nichts geändert" in notice
    [stored] = await addons(app)
    assert stored.status is Status.ACTIVE
    assert (
        await services.preview_invoice(app.ctx, app.signer.team_id, app.clock.now()) == lines_before
    )


async def test_kuendigen_twice_changes_nothing_and_says_so(early: RunningApp) -> None:
    app = early
    addon = await book_directly(app, "users", 1)
    advance_days(app, 16)
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_CANCEL, str(addon.id))
    await confirm_and_return(app, confirmation)
    again = await submit_and_see(app, confirmation)  # the old dialog once more
    assert "bereits gekündigt, Kündigung zum 17.04.2026" in view_text(again)
    [stored] = await addons(app)
    assert stored.status is Status.CANCELLATION_PENDING


async def test_a_cancellation_confirmed_after_the_period_turned_is_refused(
    app: RunningApp,
) -> None:
    addon = await book_directly(app, "users", 1)  # 03.04.2026, period 18.03.–17.04.
    advance_days(app, 44)  # 17.05.2026: the last day of the period 18.04.–17.05.
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_CANCEL, str(addon.id))
    assert "Kündigung zum 17.05.2026" in view_text(confirmation)
    advance_days(app, 1)  # 18.05.2026: Kündigen would now end on 17.06.2026

    notice = view_text(await submit_and_see(app, confirmation))
    assert "Kündigung zum 17.06.2026, nicht mehr zum 17.05.2026" in notice
    assert "Es wurde nichts geändert" in notice
    [stored] = await addons(app)
    assert stored.status is Status.ACTIVE
    assert stored.effective_on is None
