"""Slack's own retries (X-Slack-Retry-Num) never do the work twice, through signed HTTP
into the real app: a retried slash command opens no second modal, a retried event is
handled once, and a request Slack never sent before is handled even with the header."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.slack_fake import SignedRequest
from tests.slack.harness import RunningApp
from tests.slack.mock_slack import ADMIN


def retried(request: SignedRequest, number: int = 1) -> SignedRequest:
    """The same signed body as Slack sends it again after a slow or lost answer."""
    headers = {
        **request.headers,
        "X-Slack-Retry-Num": str(number),
        "X-Slack-Retry-Reason": "http_timeout",
    }
    return replace(request, headers=headers)


async def quiet(app: RunningApp) -> None:
    """Give work after an acknowledgement time to show itself (it would call Slack)."""
    await asyncio.sleep(0.5)


async def test_a_retried_slash_command_opens_no_second_modal(app: RunningApp) -> None:
    command = app.signer.slash_command(user_id=ADMIN)
    await app.send(command, "views.open")
    for number in (1, 2, 3):
        answer = await app.post(retried(command, number))
        assert answer.status == 200
    await quiet(app)
    assert len(app.mock.calls_to("views.open")) == 1


async def test_a_retried_event_is_handled_once(app: RunningApp) -> None:
    opened = app.signer.app_home_opened(user_id=ADMIN)
    await app.send(opened, "views.publish")
    assert (await app.post(retried(opened))).status == 200
    await quiet(app)
    assert len(app.mock.calls_to("views.publish")) == 1


async def test_a_retry_of_a_request_never_taken_is_handled(app: RunningApp) -> None:
    # The first attempt was lost on the way: the retry is the only one this app sees.
    await app.send(retried(app.signer.slash_command(user_id=ADMIN)), "views.open")
