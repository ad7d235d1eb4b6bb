"""Who may do what: admins, owners and billing admins; everyone else is refused politely."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from domain.addons import Outcome, Status
from handlers import blocks, requests
from tests.slack.flows import (
    addons,
    anchor_workspace,
    book_directly,
    open_overview,
    press,
    submit,
    submit_and_see,
    texts,
    view_text,
)
from tests.slack.harness import RunningApp, running_app
from tests.slack.mock_slack import ADMIN, MEMBER, MEMBER_EN, OWNER, MockSlack, SlackUser

REFUSAL = "Das dürfen nur Admins und Inhaber dieses Workspaces"


def _booking_metadata(option: str = "users", quantity: int = 5) -> str:
    return requests.BookingRequest(option, quantity, str(uuid.uuid4())).to_metadata()


def _forged_view(callback_id: str, metadata: str) -> dict[str, Any]:
    """A modal the member never got from the app, carrying an admin's metadata."""
    return {
        "id": "V0FORGED01",
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata,
        "blocks": [],
        "hash": "x",
        "previous_view_id": None,
        "root_view_id": "V0FORGED01",
        "title": {"type": "plain_text", "text": "x"},
    }


def _message_text(message: dict[str, Any]) -> str:
    return "\n".join([str(message.get("text", "")), *texts(message.get("blocks", []))])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hilfe",
        "help",
        "liste",
        "list",
        "buchen users 2",
        "book storage 3",
        "kündigen 1",
        "cancel 1",
        "rechnung",
        "invoice",
        "blabla",
    ],
)
async def test_a_member_is_refused_for_addons_and_every_text_form(
    app: RunningApp, text: str
) -> None:
    addon = await book_directly(app, "users", 1)
    call = await app.send(app.signer.slash_command(user_id=MEMBER, text=text), "response_url")
    assert call.params["response_type"] == "ephemeral"
    assert REFUSAL in _message_text(call.params)
    assert "€" not in _message_text(call.params)
    assert not any(m.startswith("views.") for m in app.mock.methods())
    [stored] = await addons(app)
    assert stored.id == addon.id
    assert stored.status is Status.ACTIVE


async def test_an_english_member_is_refused_in_english(app: RunningApp) -> None:
    call = await app.send(app.signer.slash_command(user_id=MEMBER_EN), "response_url")
    assert "Only admins and owners of this workspace" in _message_text(call.params)


async def test_a_member_pressing_a_forged_kuendigen_changes_nothing(app: RunningApp) -> None:
    addon = await book_directly(app, "users", 1)
    overview = await open_overview(app, ADMIN)  # the member replays what an admin saw
    notice = await press(app, overview, blocks.ACTION_CANCEL, str(addon.id), user=MEMBER)
    assert notice["callback_id"] == blocks.CALLBACK_NOTICE
    assert REFUSAL in view_text(notice)
    assert not any(
        v["callback_id"] == blocks.CALLBACK_CONFIRM_CANCEL for v in app.mock.views.values()
    )
    [stored] = await addons(app)
    assert stored.status is Status.ACTIVE


@pytest.mark.parametrize(
    "action_id",
    [blocks.ACTION_ADD, blocks.ACTION_OPEN_BOOKING, blocks.ACTION_UNDO, blocks.ACTION_PAGE_NEXT],
)
async def test_a_member_pressing_any_forged_button_is_refused(
    app: RunningApp, action_id: str
) -> None:
    addon = await book_directly(app, "users", 1)
    value = {
        blocks.ACTION_ADD: "users",
        blocks.ACTION_OPEN_BOOKING: "users",
        blocks.ACTION_UNDO: str(addon.id),
        blocks.ACTION_PAGE_NEXT: "0",
    }[action_id]
    request = app.signer.block_actions(
        user_id=MEMBER,
        view=_forged_view(blocks.CALLBACK_OVERVIEW, ""),
        actions=[{"type": "button", "action_id": action_id, "block_id": "x", "value": value}],
    )
    call = await app.send(request, "views.push")
    assert REFUSAL in view_text(call.params["view"])
    assert app.mock.calls_to("views.open") == []
    assert app.mock.calls_to("views.update") == []
    assert len(await addons(app)) == 1


async def test_a_member_submitting_a_forged_booking_confirmation_books_nothing(
    app: RunningApp,
) -> None:
    view = _forged_view(blocks.CALLBACK_CONFIRM_BOOKING, _booking_metadata())
    assert REFUSAL in view_text(await submit_and_see(app, view, user=MEMBER))
    assert await addons(app) == []


async def test_a_member_submitting_a_forged_cancellation_changes_nothing(
    app: RunningApp,
) -> None:
    addon = await book_directly(app, "users", 1)
    metadata = requests.CancellationRequest(addon.id, Outcome.WITHDRAWAL).to_metadata()
    forged = _forged_view(blocks.CALLBACK_CONFIRM_CANCEL, metadata)
    assert REFUSAL in view_text(await submit_and_see(app, forged, user=MEMBER))
    [stored] = await addons(app)
    assert stored.status is Status.ACTIVE


async def test_a_configured_billing_admin_may_book(slack_mock: MockSlack, tmp_path: Path) -> None:
    async with running_app(slack_mock, tmp_path / "addons.db", billing_admins=(MEMBER,)) as app:
        await anchor_workspace(app)
        overview = await open_overview(app, MEMBER)
        confirmation = await press(app, overview, blocks.ACTION_ADD, "users", user=MEMBER)
        done = await submit_and_see(app, confirmation, user=MEMBER)
        assert "Gebucht" in view_text(done)
        [addon] = await addons(app)
        assert addon.quantity == 1


@pytest_asyncio.fixture
async def uncached(slack_mock: MockSlack, tmp_path: Path) -> AsyncIterator[RunningApp]:
    """The app asking users.info on every request."""
    async with running_app(slack_mock, tmp_path / "addons.db", user_cache_seconds=0) as app:
        await anchor_workspace(app)
        yield app


async def test_an_admin_demoted_meanwhile_cannot_confirm_what_they_opened(
    uncached: RunningApp,
) -> None:
    app = uncached
    overview = await open_overview(app, ADMIN)
    confirmation = await press(app, overview, blocks.ACTION_ADD, "users")
    app.mock.add_user(SlackUser(ADMIN, is_admin=False, locale="de-DE"))  # demoted in Slack

    assert REFUSAL in view_text(await submit_and_see(app, confirmation))
    assert await addons(app) == []
    notice = await press(app, overview, blocks.ACTION_ADD, "users")
    assert REFUSAL in view_text(notice)
    call = await app.send(app.signer.slash_command(user_id=ADMIN), "response_url")
    assert REFUSAL in _message_text(call.params)
    assert await addons(app) == []


async def test_users_info_is_cached_for_a_busy_admin(app: RunningApp) -> None:
    overview = await open_overview(app, ADMIN)
    confirmation = await press(app, overview, blocks.ACTION_ADD, "users")
    await submit(app, confirmation)
    await app.send(app.signer.slash_command(user_id=ADMIN, text="liste"), "response_url")
    await app.send(app.signer.app_home_opened(user_id=ADMIN), "views.publish")
    assert len(app.mock.calls_to("users.info")) == 1
    await app.send(app.signer.slash_command(user_id=OWNER, text="list"), "response_url")
    assert [c.params["user"] for c in app.mock.calls_to("users.info")] == [ADMIN, OWNER]


async def test_users_info_is_asked_every_time_without_a_cache(uncached: RunningApp) -> None:
    app = uncached
    for _ in range(3):
        await app.send(app.signer.slash_command(user_id=ADMIN, text="liste"), "response_url")
    assert len(app.mock.calls_to("users.info")) == 3


async def test_a_user_slack_does_not_know_gets_the_polite_refusal(app: RunningApp) -> None:
    call = await app.send(app.signer.slash_command(user_id="U0NOBODY99"), "response_url")
    assert REFUSAL in _message_text(call.params)
    assert await addons(app) == []
