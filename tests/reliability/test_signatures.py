"""Forged, stale and missing signatures: 401, nothing changed, nothing sent to Slack.

Every kind of request the app serves (a slash command that would open a booking, a
booking confirmation that would book, a Kündigen confirmation that would withdraw, a
button, an App Home event, Slack's URL check) is sent with its signature tampered with in
one way. The control at the end sends the same requests properly signed: they do act.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from bot.slack_fake.signing import FORM, JSON, STALE_SECONDS, SignedRequest, signature
from handlers import blocks, requests
from tests.reliability.support import snapshot
from tests.slack.flows import (
    anchor_workspace,
    book_through_overview,
    open_overview,
    press,
    row_ids,
    until,
)
from tests.slack.harness import SECRET, RunningApp, running_app
from tests.slack.mock_slack import ADMIN, MockSlack

Tamper = Callable[[SignedRequest, SignedRequest], SignedRequest]


def _headers(request: SignedRequest, **changes: str | None) -> SignedRequest:
    headers = dict(request.headers)
    for name, value in changes.items():
        header = {"signature": "X-Slack-Signature", "timestamp": "X-Slack-Request-Timestamp"}[name]
        if value is None:
            headers.pop(header, None)
        else:
            headers[header] = value
    return replace(request, headers=headers)


def _signed_at(request: SignedRequest, stamp: int) -> SignedRequest:
    """Correctly signed with the app's secret, but at ``stamp``."""
    return _headers(request, timestamp=str(stamp), signature=signature(SECRET, stamp, request.body))


def _now(request: SignedRequest) -> int:
    return int(request.headers["X-Slack-Request-Timestamp"])


TAMPERINGS: dict[str, Tamper] = {
    "a forged signature": lambda r, _: r.forged(),
    "another app's signing secret": lambda r, _: r.resigned("another-apps-signing-secret"),
    "a stale timestamp, correctly signed": lambda r, _: _signed_at(r, _now(r) - STALE_SECONDS),
    "a timestamp from the future, correctly signed": lambda r, _: _signed_at(
        r, _now(r) + STALE_SECONDS
    ),
    "no signature header": lambda r, _: _headers(r, signature=None),
    "no timestamp header": lambda r, _: _headers(r, timestamp=None),
    "no signature and no timestamp": lambda r, _: _headers(r, signature=None, timestamp=None),
    "an empty signature": lambda r, _: _headers(r, signature=""),
    "a timestamp that is no number": lambda r, _: _headers(r, timestamp="soon"),
    "the signature of another request": lambda r, other: _headers(
        r,
        signature=other.headers["X-Slack-Signature"],
        timestamp=other.headers["X-Slack-Request-Timestamp"],
    ),
    "an old signature under a fresh timestamp": lambda r, _: _headers(
        _signed_at(r, _now(r) - 60), timestamp=str(_now(r))
    ),
    "a v1 signature scheme": lambda r, _: _headers(
        r, signature="v1=" + r.headers["X-Slack-Signature"][3:]
    ),
    "the body changed after signing": lambda r, _: replace(
        r,
        body=r.body.replace("U0ADMIN001", "U0OWNER001") if "U0ADMIN001" in r.body else r.body + " ",
    ),
}


async def _requests(app: RunningApp) -> dict[str, SignedRequest]:
    """One properly signed request of each kind, each of which would act."""
    await anchor_workspace(app)
    overview = await book_through_overview(app, "users", 1)
    [addon_id] = row_ids(overview)
    booking = await press(
        app,
        await open_overview(app),
        blocks.ACTION_ADD,
        "storage",
        typed={requests.qty_block_id("storage"): "4"},
    )
    withdrawal = await press(app, overview, blocks.ACTION_CANCEL, str(addon_id))
    signer = app.signer
    return {
        "/addons buchen": signer.slash_command(user_id=ADMIN, text="buchen speicher 5"),
        "booking confirmation": signer.view_submission(user_id=ADMIN, view=booking),
        "withdrawal confirmation": signer.view_submission(user_id=ADMIN, view=withdrawal),
        "Kündigen button": signer.click(
            user_id=ADMIN, view=overview, action_id=blocks.ACTION_CANCEL, value=str(addon_id)
        ),
        "App Home opened": signer.app_home_opened(user_id=ADMIN),
        "URL verification": signer.url_verification("challenge-abc"),
    }


@pytest.mark.parametrize("how", list(TAMPERINGS))
async def test_a_request_with_a_bad_signature_is_refused_with_401_and_changes_nothing(
    how: str,
    slack_mock: MockSlack,
    tmp_path: Path,
) -> None:
    path = tmp_path / "addons.db"
    async with running_app(slack_mock, path) as app:
        requests = await _requests(app)
        # The booking's last redraw: App Home, published after the overview below.
        await slack_mock.wait_for("views.publish")
        before = snapshot(path)
        slack_mock.reset_calls()
        kinds = list(requests)
        for n, kind in enumerate(kinds):
            other = requests[kinds[(n + 1) % len(kinds)]]
            tampered = TAMPERINGS[how](requests[kind], other)
            answer = await app.post(tampered)
            assert answer.status == 401, (kind, answer.status, answer.text)
            assert "challenge-abc" not in answer.text
        await asyncio.sleep(0.2)  # anything a listener would do after an ack
        assert slack_mock.calls == []
        assert snapshot(path) == before

        # Control: the very same requests, properly signed, do act.
        for kind in ("booking confirmation", "withdrawal confirmation", "URL verification"):
            answer = await app.post(requests[kind])
            assert answer.status == 200, (kind, answer.text)
        await until(lambda: snapshot(path) != before)  # the work follows the ack


# Bodies Slack never sends: whoever sends them without the secret must get the same 401.
MALFORMED = {
    "broken JSON in payload=": ("payload=%7B%22type%22%3A%22view_submission", FORM),
    "payload= that is a JSON list": ("payload=%5B1%2C2%5D", FORM),
    "payload= that is a JSON number": ("payload=5", FORM),
    "payload= that is JSON null": ("payload=null", FORM),
    "broken JSON as an event": ('{"type": "event_callback", "event": {', JSON),
    "a JSON list as an event": ("[1, 2]", JSON),
    "a form body declared as JSON": ("token=x&team_id=T0ADDONS1&command=%2Faddons", JSON),
    "a team that is a number": (
        "payload=%7B%22type%22%3A%22block_actions%22%2C%22team%22%3A5%2C%22user%22%3A5%7D",
        FORM,
    ),
}


@pytest.mark.parametrize("how", ["forged", "missing"])
async def test_an_unsigned_request_with_a_malformed_body_is_refused_with_401_not_a_500(
    how: str,
    slack_mock: MockSlack,
    tmp_path: Path,
) -> None:
    """The signature is checked before the body is believed, so garbage from anyone
    without the secret costs a 401, not a 500 with a trace in the log."""
    path = tmp_path / "addons.db"
    async with running_app(slack_mock, path) as app:
        await anchor_workspace(app)
        before = snapshot(path)
        statuses = {}
        for name, (body, content_type) in MALFORMED.items():
            request = app.signer.sign(body, content_type)
            request = request.forged() if how == "forged" else _headers(request, signature=None)
            statuses[name] = (await app.post(request)).status
        assert statuses == dict.fromkeys(MALFORMED, 401)
        await asyncio.sleep(0.1)
        assert slack_mock.calls == []
        assert snapshot(path) == before
