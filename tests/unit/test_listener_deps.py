"""Listeners are module-level functions; their dependencies arrive through Bolt's context."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncBoltRequest
from slack_bolt.authorization import AuthorizeResult

from bot.adapters.clock import TestClock
from bot.services import Context
from handlers.auth import UserDirectory
from handlers.deps import ProvideDeps, SlackDeps, deps_of

DEPS = SlackDeps(
    ctx=Context(db=cast(Any, object())),  # never opened: these listeners only compare deps
    clock=TestClock(datetime(2026, 4, 3, tzinfo=UTC)),
    users=UserDirectory(),
    default_lang="en",
)


def button_click(action_id: str) -> AsyncBoltRequest:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1", "team_id": "T1"},
        "trigger_id": "1.2.3",
        "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": "1"}],
    }
    body = "payload=" + json.dumps(payload)
    return AsyncBoltRequest(
        body=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )


async def authorize_offline(team_id: str | None) -> AuthorizeResult:
    # Bolt would ask Slack's auth.test who the token belongs to; nothing leaves here.
    return AuthorizeResult(enterprise_id=None, team_id=team_id, bot_token="xoxb-unused")


def app_without_slack() -> AsyncApp:
    return AsyncApp(
        signing_secret="unused",
        authorize=authorize_offline,
        request_verification_enabled=False,
        process_before_response=True,  # the listener has run when dispatch returns
    )


async def test_a_listener_registered_with_provide_deps_reads_them_from_its_context() -> None:
    app = app_without_slack()
    seen: list[SlackDeps] = []

    async def clicked(ack: AsyncAck, context: AsyncBoltContext) -> None:
        await ack()
        seen.append(deps_of(context))

    app.action("button", middleware=[ProvideDeps(DEPS)])(clicked)
    response = await app.async_dispatch(button_click("button"))

    assert response.status == 200
    assert seen == [DEPS]
    assert seen[0] is DEPS


async def test_a_listener_registered_without_them_fails_loudly_not_with_none() -> None:
    app = app_without_slack()
    failures: list[Exception] = []

    async def clicked(ack: AsyncAck, context: AsyncBoltContext) -> None:
        await ack()
        try:
            deps_of(context)
        except RuntimeError as error:
            failures.append(error)

    app.action("button")(clicked)
    await app.async_dispatch(button_click("button"))

    assert len(failures) == 1
    assert "register" in str(failures[0])


def test_the_accessor_refuses_something_else_under_its_key() -> None:
    context = AsyncBoltContext()
    context["addons_deps"] = cast(Any, "not deps")
    with pytest.raises(RuntimeError, match="no SlackDeps"):
        deps_of(context)
