"""The real path: admins act in Slack (signed HTTP into the Bolt app), the schedule turns
periods, and CloudCRM's receiver hears about every change, signed, in order, once each."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from bot.adapters.billing_schedule import tick
from bot.adapters.slack_app import web_client
from bot.slack_fake import SlackSigner
from bot.slack_fake.served import served_app
from domain.addons import Status
from handlers import blocks
from handlers.notifications import renderer
from tests.slack.flows import (
    addons,
    advance_days,
    anchor_workspace,
    book_through_overview,
    confirm_and_return,
    open_overview,
    press,
)
from tests.slack.harness import SECRET as SLACK_SECRET
from tests.slack.harness import RunningApp
from tests.slack.mock_slack import MockSlack
from tests.webhooks.receiver import SECRET, Receiver
from tests.webhooks.support import fast, sending


@asynccontextmanager
async def app_with_webhook(mock: MockSlack, path: Path, url: str) -> AsyncIterator[RunningApp]:
    """The real app (03.04.2026, anchored on the 18th) with CloudCRM's webhook set."""
    async with (
        served_app(mock.url, path, webhook=(url, SECRET)) as served,
        aiohttp.ClientSession() as session,
    ):
        signer = SlackSigner(SLACK_SECRET, response_urls=mock.new_response_url)
        app = RunningApp(
            served.url,
            served.db,
            served.ctx,
            served.clock,
            mock,
            signer,
            session,
            served.settings,
        )
        await anchor_workspace(app)
        yield app


async def schedule_beat(app: RunningApp) -> None:
    """One beat of the billing schedule, as the scheduler runs it."""
    client = web_client(app.settings)
    await tick(app.ctx, client, app.clock, renderer(app.ctx, client, "de"))


async def kuendigen(app: RunningApp, addon_id: int) -> dict[str, object]:
    """/addons → Kündigen → Bestätigen; the refreshed overview."""
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_CANCEL, str(addon_id))
    return await confirm_and_return(app, confirmation)


async def test_every_change_in_slack_and_the_schedule_reaches_cloudcrm_in_order(
    slack_mock: MockSlack, receiver: Receiver, tmp_path: Path
) -> None:
    async with app_with_webhook(slack_mock, tmp_path / "addons.db", receiver.url) as app:
        assert app.ctx.webhooks
        async with sending(app.db, fast(receiver.url)):
            await book_through_overview(app, "users", 2)  # 03.04.2026
            await book_through_overview(app, "storage", 1)
            storage, users = [a.id for a in await addons(app)]
            advance_days(app, 2)  # 05.04.: inside 14 days, a withdrawal
            await kuendigen(app, users)
            advance_days(app, 13)  # 18.04.: the period turns
            await schedule_beat(app)
            advance_days(app, 2)  # 20.04.: past 14 days, a cancellation to 17.05.
            refreshed = await kuendigen(app, storage)
            await press(app, refreshed, blocks.ACTION_UNDO, str(storage), expect="views.update")
            await kuendigen(app, storage)
            advance_days(app, 28)  # 18.05.: the cancellation takes effect
            await schedule_beat(app)
            await schedule_beat(app)  # a second beat changes nothing
            arrivals = await receiver.wait_for(12)
            await asyncio.sleep(0.2)  # room for a duplicate, were there one
        assert (await addons(app))[0].status is Status.ENDED

    assert len(receiver.arrivals) == 12
    assert all(a.verified for a in receiver.arrivals)
    assert len({a.webhook_id for a in arrivals}) == 12
    events = [a.event for a in arrivals]
    assert [(e["type"], e["data"]["sequence"]) for e in events] == list(
        zip(
            [
                "addon.booked",
                "entitlements.changed",
                "addon.booked",
                "entitlements.changed",
                "addon.withdrawn",
                "entitlements.changed",
                "invoice.issued",
                "addon.cancelled",
                "addon.cancellation_revoked",
                "addon.cancelled",
                "addon.ended",
                "entitlements.changed",
            ],
            range(1, 13),
            strict=True,
        )
    )
    totals = [
        (e["data"]["seats"], e["data"]["storage_gb"], e["data"]["as_of"])
        for e in events
        if e["type"] == "entitlements.changed"
    ]
    assert totals == [
        (2, 0, "2026-04-03"),
        (2, 10, "2026-04-03"),
        (0, 10, "2026-04-05"),
        (0, 0, "2026-05-18"),
    ]
    assert {e["data"]["team_id"] for e in events} == {app.signer.team_id}
    assert events[6]["data"]["lines"]  # the invoice as the CLI shows it
