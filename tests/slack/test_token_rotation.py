"""Token rotation with several apps on one database: one refresh, every admin answered.

Slack's refresh tokens are single-use (the mock refuses a reused one with
invalid_refresh_token). Two apps (each its own Runtime, its own Bolt app, its own
connections: as two processes) serve one workspace whose token is due; six /addons at
once, three on each, must spend one refresh token and answer all six.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from bot import services
from bot.adapters.slack_app import NOT_INSTALLED
from tests import postgres
from tests.slack.flows import ANCHOR, is_placeholder
from tests.slack.installing import ADMIN_A, TEAM_A, InstallingApp, alpha, installing_app
from tests.slack.installing import many_workspaces as slack_of
from tests.slack.mock_slack import ManyWorkspaces


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """One database both apps share: a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "addons.db")
        return
    with postgres.fresh_database() as url:
        yield url


def refreshes(slack: ManyWorkspaces) -> int:
    """How many refresh tokens the app sent to oauth.v2.access."""
    calls = slack.calls_to("oauth.v2.access")
    return sum(1 for call in calls if call.params.get("grant_type") == "refresh_token")


async def two_apps(
    stack: AsyncExitStack, slack: ManyWorkspaces, database: str
) -> tuple[InstallingApp, InstallingApp]:
    first = await stack.enter_async_context(installing_app(slack, database))
    second = await stack.enter_async_context(installing_app(slack, database))
    return first, second


@pytest.fixture
async def slack() -> AsyncIterator[ManyWorkspaces]:
    """Alpha with expiring tokens; a refreshed token lives twelve hours, as Slack's do."""
    async with slack_of(alpha(rotating=True, refreshed_expires_in=43200)) as mock:
        yield mock


async def test_six_commands_on_two_apps_when_the_token_is_due_spend_one_refresh(
    slack: ManyWorkspaces, database: str
) -> None:
    async with AsyncExitStack() as stack:
        first, second = await two_apps(stack, slack, database)
        assert (await first.install(TEAM_A)).status == 200  # its token is due at once
        await services.set_workspace(first.rt.ctx, TEAM_A, ANCHOR, first.clock.now())
        commands = [
            app.post(app.signer(TEAM_A).slash_command(user_id=ADMIN_A))
            for app in (first, second, first, second, first, second)
        ]
        answers = await asyncio.gather(*commands)
        assert [a.status for a in answers] == [200] * 6
        opened = await slack.wait_for("views.open", 6)
        # each overview shown (opened filled, or a placeholder filled): the work is done
        await slack.wait_for("views.update", sum(is_placeholder(c.params["view"]) for c in opened))
        assert NOT_INSTALLED not in [post.get("text") for post in slack.response_posts()]
        assert refreshes(slack) == 1
        # everyone now uses the token the one rotation stored
        newest = slack.token_of(TEAM_A)
        assert {call.token for call in slack.calls_to("views.open")} == {newest}
