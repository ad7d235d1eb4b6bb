"""A workspace never sees or changes another's add-ons; unsigned requests change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from bot.slack_fake.signing import SignedRequest
from domain.addons import Outcome, Status
from handlers import blocks, requests
from tests.slack.flows import (
    addons,
    anchor_workspace,
    book_directly,
    confirm_and_return,
    open_overview,
    press,
    row_ids,
    submit_and_see,
    texts,
    view_text,
)
from tests.slack.harness import RunningApp
from tests.slack.mock_slack import ADMIN, OTHER_TEAM, OUTSIDER

UNKNOWN = "gibt es in diesem Workspace nicht"


@pytest.fixture(autouse=True)
async def other_workspace(app: RunningApp) -> None:
    """The other workspace exists too, with the same anchor."""
    await anchor_workspace(app, OTHER_TEAM)


async def test_the_other_workspace_sees_none_of_these_addons(app: RunningApp) -> None:
    ours = await book_directly(app, "users", 4)
    theirs = await book_directly(app, "storage", 1, team_id=OTHER_TEAM)
    overview = await open_overview(app, OUTSIDER, team_id=OTHER_TEAM)
    assert row_ids(overview) == [theirs.id]
    assert "(+4)" not in view_text(overview)
    mine = await open_overview(app, ADMIN)
    assert row_ids(mine) == [ours.id]


async def test_kuendigen_with_another_workspaces_id_is_refused(app: RunningApp) -> None:
    ours = await book_directly(app, "users", 1)
    theirs = await book_directly(app, "users", 1, team_id=OTHER_TEAM)
    overview = await open_overview(app, OUTSIDER, team_id=OTHER_TEAM)
    forged = {
        **overview,
        # as Slack draws OTHER_TEAM's view (the fake's single workspace is the default one)
        "team_id": OTHER_TEAM,
        "app_installed_team_id": OTHER_TEAM,
        "blocks": [
            {
                "type": "actions",
                "block_id": "x",
                "elements": [
                    {
                        "type": "button",
                        "action_id": blocks.ACTION_CANCEL,
                        "value": str(ours.id),
                        "text": {"type": "plain_text", "text": "Kündigen"},
                    }
                ],
            }
        ],
    }
    notice = await press(
        app, forged, blocks.ACTION_CANCEL, str(ours.id), user=OUTSIDER, team_id=OTHER_TEAM
    )
    assert f"Eine Zusatzoption Nr. {ours.id} {UNKNOWN}" in view_text(notice)
    assert [a.status for a in await addons(app)] == [Status.ACTIVE]
    assert [a.id for a in await addons(app, OTHER_TEAM)] == [theirs.id]


async def test_the_text_form_with_another_workspaces_id_is_refused(app: RunningApp) -> None:
    ours = await book_directly(app, "users", 1)
    call = await app.send(
        app.signer.slash_command(user_id=OUTSIDER, team_id=OTHER_TEAM, text=f"kündigen {ours.id}"),
        "response_url",
    )
    assert UNKNOWN in "\n".join(texts(call.params.get("blocks", [])))
    assert app.mock.calls_to("views.open") == []
    [stored] = await addons(app)
    assert stored.status is Status.ACTIVE


async def test_a_confirmation_naming_another_workspaces_id_is_refused(app: RunningApp) -> None:
    ours = await book_directly(app, "users", 1)
    await book_directly(app, "users", 1, team_id=OTHER_TEAM)
    metadata = requests.CancellationRequest(ours.id, Outcome.WITHDRAWAL).to_metadata()
    view: dict[str, Any] = {
        "id": "V0FORGED02",
        "type": "modal",
        "blocks": [],
        "callback_id": blocks.CALLBACK_CONFIRM_CANCEL,
        "private_metadata": metadata,
        "previous_view_id": None,
    }
    shown = await submit_and_see(app, view, user=OUTSIDER, team_id=OTHER_TEAM)
    assert UNKNOWN in view_text(shown)
    [stored] = await addons(app)
    assert stored.status is Status.ACTIVE


async def test_an_admin_of_another_workspace_is_no_admin_here(app: RunningApp) -> None:
    # OUTSIDER claims to act in this workspace; users.info says they belong to another.
    call = await app.send(app.signer.slash_command(user_id=OUTSIDER), "response_url")
    assert "Das dürfen nur Admins" in "\n".join(texts(call.params.get("blocks", [])))
    assert app.mock.calls_to("views.open") == []


# -- signatures -----------------------------------------------------------------------


def _unsigned(request: SignedRequest) -> SignedRequest:
    headers = {
        k: v
        for k, v in request.headers.items()
        if k not in ("X-Slack-Signature", "X-Slack-Request-Timestamp")
    }
    return SignedRequest(request.body, headers, request.payload)


def _stale(app: RunningApp, view: dict[str, Any]) -> SignedRequest:
    return app.signer.view_submission(user_id=ADMIN, view=view, timestamp=app.signer.stale())


@pytest.mark.parametrize("how", ["forged", "stale", "other secret", "unsigned", "no timestamp"])
async def test_a_request_without_a_good_signature_is_refused_and_changes_nothing(
    app: RunningApp, how: str
) -> None:
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_ADD, "users")
    good = app.signer.view_submission(user_id=ADMIN, view=confirmation)
    bad = {
        "forged": lambda: good.forged(),
        "stale": lambda: _stale(app, confirmation),
        "other secret": lambda: good.resigned("another-apps-secret"),
        "unsigned": lambda: _unsigned(good),
        "no timestamp": lambda: SignedRequest(
            good.body, {k: v for k, v in good.headers.items() if k != "X-Slack-Request-Timestamp"}
        ),
    }[how]()
    app.mock.reset_calls()
    for request in (
        bad,
        _unsigned(app.signer.slash_command(user_id=ADMIN))
        if how == "unsigned"
        else app.signer.slash_command(user_id=ADMIN).forged(),
    ):
        answer = await app.post(request)
        assert answer.status == 401
    assert await addons(app) == []
    assert app.mock.calls == []  # not even users.info or a response_url
    await confirm_and_return(app, confirmation)  # the genuine request still works afterwards
    assert len(await addons(app)) == 1


async def test_an_event_with_a_forged_signature_publishes_nothing(app: RunningApp) -> None:
    answer = await app.post(app.signer.app_home_opened(user_id=ADMIN).forged())
    assert answer.status == 401
    assert app.mock.calls == []


async def test_slacks_url_verification_is_answered(app: RunningApp) -> None:
    answer = await app.post(app.signer.url_verification("abc123"))
    assert answer.status == 200
    assert "abc123" in answer.text
