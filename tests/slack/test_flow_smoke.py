"""Smoke: /addons → Hinzufügen → Bestätigen → row → Kündigen → Widerruf, over signed HTTP."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot import services
from handlers import blocks
from tests.slack.harness import running_app
from tests.slack.mock_slack import ADMIN, MockSlack


async def test_book_and_withdraw_one_user(slack_mock: MockSlack, tmp_path: Path) -> None:
    async with running_app(slack_mock, tmp_path / "addons.db") as app:
        await services.set_workspace(
            app.ctx, app.signer.team_id, date(2026, 3, 18), app.clock.now()
        )
        answer = await app.post(app.signer.slash_command(user_id=ADMIN))
        assert answer.status == 200
        [update] = await slack_mock.wait_for("views.update")
        overview_id = update.params["view_id"]
        overview = slack_mock.views[overview_id]
        answer = await app.post(
            app.signer.click(
                user_id=ADMIN, view=overview, action_id=blocks.ACTION_ADD, value="users"
            )
        )
        assert answer.status == 200
        await slack_mock.wait_for("views.push")
        confirmation = slack_mock.last_view("views.push")
        text = str(confirmation)
        assert "2,85 €" in text
        assert "17.04.2026" in text
        stored = next(
            v
            for v in slack_mock.views.values()
            if v.get("callback_id") == blocks.CALLBACK_CONFIRM_BOOKING
        )
        answer = await app.post(app.signer.view_submission(user_id=ADMIN, view=stored))
        assert answer.status == 200, answer.text
        # the overview below is redrawn after the result: wait for its own update
        await slack_mock.wait_for_view_update(overview_id, after=1)
        refreshed = str(slack_mock.views[overview_id])
        assert "Zusätzliche Benutzer (+1)" in refreshed
        assert "Kündigen" in refreshed
        # submitting the same confirmation again books nothing more
        answer = await app.post(app.signer.view_submission(user_id=ADMIN, view=stored))
        assert answer.status == 200
        assert len(await services.list_addons(app.ctx, app.signer.team_id)) == 1
