"""The app restarted between every step of booking, Kündigen and taking it back.

A deploy or a crash may come between any two clicks. Everything a step needs lives in
the view Slack keeps (private_metadata, button values) and in the database, so a view
drawn by one process must still work when a fresh process gets the next click: the
state is intact after each restart and the flow completes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from bot.slack_fake.drawn import find_button
from handlers import blocks, requests
from tests.reliability.support import consistency_problems, snapshot
from tests.slack.flows import (
    anchor_workspace,
    confirm_and_return,
    open_overview,
    press,
    row_ids,
    row_text,
    submit,
    submit_and_see,
    view_text,
)
from tests.slack.harness import RunningApp, running_app
from tests.slack.mock_slack import MockSlack

BOOKED_AT = datetime(2026, 3, 19, 9, 0, tzinfo=UTC)  # 19.03.2026 in the period 18.03.–17.04.
CANCELLED_AT = datetime(2026, 4, 3, 8, 0, tzinfo=UTC)  # 15 days later: no withdrawal any more


async def test_a_booking_and_a_cancellation_complete_with_a_restart_between_every_step(
    slack_mock: MockSlack,
    tmp_path: Path,
) -> None:
    path = tmp_path / "addons.db"
    starts: list[RunningApp] = []

    @asynccontextmanager
    async def fresh_process(now: datetime) -> AsyncIterator[RunningApp]:
        """A new app process on the same file and the same Slack; the old one is gone."""
        async with running_app(slack_mock, path, now=now) as app:
            assert all(app.db is not old.db for old in starts)
            starts.append(app)
            yield app
        assert not app.db._all  # closed: nothing survives in memory

    async with fresh_process(BOOKED_AT) as app:
        await anchor_workspace(app)
        overview = await open_overview(app)
    before_booking = snapshot(path)

    async with fresh_process(BOOKED_AT) as app:
        confirmation = await press(
            app,
            slack_mock.views[overview["id"]],
            blocks.ACTION_ADD,
            "users",
            typed={requests.qty_block_id("users"): "2"},
        )
        # 2 × 5,90 € × 30 days (19.03.–17.04.) ÷ 31 = 11,4193… → 11,42 €
        assert "11,42 €" in view_text(confirmation)
        assert "17.04.2026" in view_text(confirmation)
    assert snapshot(path) == before_booking  # showing the confirmation books nothing

    async with fresh_process(BOOKED_AT) as app:
        overview = await confirm_and_return(app, confirmation)
        [addon_id] = row_ids(overview)
        assert "Zusätzliche Benutzer (+2)" in row_text(overview, addon_id)
    after_booking = snapshot(path)
    assert [(a[2], a[3], a[6]) for a in after_booking["addons"]] == [("users", 2, "active")]
    assert [line[8] for line in after_booking["invoice_lines"]] == [1142]

    async with fresh_process(CANCELLED_AT) as app:
        kuendigen = await press(app, overview, blocks.ACTION_CANCEL, str(addon_id))
        assert kuendigen["callback_id"] == blocks.CALLBACK_CONFIRM_CANCEL
        assert "17.04.2026" in view_text(kuendigen)
        assert "Widerruf" not in view_text(kuendigen)
    assert snapshot(path) == after_booking

    async with fresh_process(CANCELLED_AT) as app:
        overview = await confirm_and_return(app, kuendigen)
        assert "Kündigung zum 17.04.2026" in row_text(overview, addon_id)
        find_button(overview, blocks.ACTION_UNDO, str(addon_id))
    cancelled = snapshot(path)
    assert [(a[6], a[7]) for a in cancelled["addons"]] == [("cancellation_pending", "2026-04-17")]
    assert cancelled["invoice_lines"] == after_booking["invoice_lines"]

    async with fresh_process(CANCELLED_AT) as app:
        overview = await press(
            app, overview, blocks.ACTION_UNDO, str(addon_id), expect="views.update"
        )
        assert "Aktiv" in row_text(overview, addon_id)
        find_button(overview, blocks.ACTION_CANCEL, str(addon_id))

    async with fresh_process(CANCELLED_AT) as app:
        # The first confirmation, submitted again after all that, books nothing more.
        redraws = len(slack_mock.calls_to("views.update"))
        answer = await submit(app, confirmation)
        assert answer.status == 200, answer.text
        await slack_mock.wait_for("views.update", redraws + 1)

    final = snapshot(path)
    assert [(a[2], a[3], a[6], a[7]) for a in final["addons"]] == [("users", 2, "active", None)]
    assert final["invoice_lines"] == after_booking["invoice_lines"]  # no amount changed
    assert len(final["idempotency_keys"]) == 1
    assert [(row[4], row[5]) for row in final["audit_log"]][-3:] == [
        ("book", addon_id),
        ("cancellation", addon_id),
        ("undo_cancellation", addon_id),
    ]
    assert consistency_problems(path) == []
    assert len(starts) == 7


async def test_a_restart_right_after_the_acknowledgement_books_whole_or_not_at_all(
    slack_mock: MockSlack,
    tmp_path: Path,
) -> None:
    """Stopped the moment Bestätigen is answered ("Wird gebucht …"), before or while the
    use case runs: the booking (and then the Kündigung) stands whole or not at all, and
    the same confirmation submitted to the next process does it exactly once."""
    path = tmp_path / "addons.db"
    async with running_app(slack_mock, path, now=BOOKED_AT) as app:
        await anchor_workspace(app)
        overview = await open_overview(app)
        confirmation = await press(
            app,
            overview,
            blocks.ACTION_ADD,
            "storage",
            typed={requests.qty_block_id("storage"): "3"},
        )
        answer = await submit(app, confirmation)
        assert answer.status == 200, answer.text
        assert answer.json()["view"]["callback_id"] == blocks.CALLBACK_WORKING
    assert consistency_problems(path) == []
    assert len(snapshot(path)["addons"]) in (0, 1)

    async with running_app(slack_mock, path, now=BOOKED_AT) as app:
        done = await submit_and_see(app, confirmation)
        assert "Erweiterter Speicherplatz (+30 GB)" in view_text(done)
    assert len(snapshot(path)["addons"]) == 1

    async with running_app(slack_mock, path, now=CANCELLED_AT) as app:
        overview = await open_overview(app)
        [addon_id] = row_ids(overview)
        assert "Erweiterter Speicherplatz (+30 GB)" in row_text(overview, addon_id)
        kuendigen = await press(app, overview, blocks.ACTION_CANCEL, str(addon_id))
        answer = await submit(app, kuendigen)
        assert answer.status == 200, answer.text
        assert answer.json()["view"]["callback_id"] == blocks.CALLBACK_WORKING
    assert consistency_problems(path) == []

    async with running_app(slack_mock, path, now=CANCELLED_AT) as app:
        done = await submit_and_see(app, kuendigen)
        assert "17.04.2026" in view_text(done)  # cancelled now, or "already cancelled"
        overview = await open_overview(app)
        assert "Kündigung zum 17.04.2026" in row_text(overview, addon_id)
    state = snapshot(path)
    assert len(state["addons"]) == 1
    assert len(state["invoice_lines"]) == 1
