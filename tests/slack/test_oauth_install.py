"""Add to Slack: installs through /slack/install and /slack/oauth_redirect, state checked."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from cryptography.fernet import Fernet

from bot.adapters.slack_install.crypto import TokenKeyError
from tests.slack.installing import (
    ADMIN_A,
    ADMIN_B,
    KEY,
    TEAM_A,
    TEAM_B,
    InstallingApp,
    alpha,
    bravo,
    installing_app,
    many_workspaces,
)
from tests.slack.mock_slack import ManyWorkspaces


def stored(path: Path, table: str) -> list[tuple[object, ...]]:
    """Every row of a table of the app's file, read directly."""
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT * FROM {table}").fetchall()


def file_bytes(folder: Path) -> bytes:
    """The database file and its write-ahead log, as bytes."""
    return b"".join(p.read_bytes() for p in folder.iterdir() if p.name.startswith("addons.db"))


def installed_teams(path: Path) -> list[str]:
    """The teams with a bot token in the file."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT team_id FROM slack_bots WHERE bot_token IS NOT NULL")
        return sorted(r[0] for r in rows)


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[ManyWorkspaces]:
    """Slack with workspaces Alpha and Bravo."""
    async with many_workspaces() as mock:
        yield mock


@pytest_asyncio.fixture
async def app(slack: ManyWorkspaces, tmp_path: Path) -> AsyncIterator[InstallingApp]:
    """The app in OAuth mode, nothing installed yet."""
    async with installing_app(slack, tmp_path / "addons.db") as running:
        yield running


async def test_two_workspaces_install_and_each_slash_command_uses_its_own_token(
    app: InstallingApp, slack: ManyWorkspaces, tmp_path: Path
) -> None:
    assert (await app.install(TEAM_A)).status == 200
    done = await app.install(TEAM_B)
    assert done.status == 200
    assert "Bravo" in done.text
    assert installed_teams(tmp_path / "addons.db") == [TEAM_A, TEAM_B]
    for team, admin in ((TEAM_A, ADMIN_A), (TEAM_B, ADMIN_B)):
        before = len(slack.calls_to("views.open"))
        answer = await app.post(app.signer(team).slash_command(user_id=admin))
        assert answer.status == 200
        opened = (await slack.wait_for("views.open", before + 1))[before]
        assert slack.team_of(opened) == team
        asked = [c for c in slack.calls_to("users.info") if c.params["user"] == admin]
        assert {slack.team_of(c) for c in asked} == {team}


async def test_the_oauth_v2_access_call_goes_to_the_configured_slack_api_url(
    app: InstallingApp, slack: ManyWorkspaces
) -> None:
    await app.install(TEAM_A)
    assert len(slack.calls_to("oauth.v2.access")) == 1


async def test_a_forged_state_installs_nothing(app: InstallingApp, tmp_path: Path) -> None:
    _, cookie = await app.install_page()
    code = app.mock.code_for(TEAM_A)
    answer = await app.redirect(f"code={code}&state=forged", cookie)
    assert answer.status == 400
    assert "nothing" in answer.text or "neu starten" in answer.text
    assert installed_teams(tmp_path / "addons.db") == []


async def test_a_state_is_used_once(app: InstallingApp, tmp_path: Path) -> None:
    state, cookie = await app.install_page()
    first = await app.redirect(f"code={app.mock.code_for(TEAM_A)}&state={state}", cookie)
    again = await app.redirect(f"code={app.mock.code_for(TEAM_B)}&state={state}", cookie)
    assert (first.status, again.status) == (200, 400)
    assert installed_teams(tmp_path / "addons.db") == [TEAM_A]


async def test_without_the_state_cookie_nothing_is_installed(
    app: InstallingApp, tmp_path: Path
) -> None:
    state, _ = await app.install_page()
    answer = await app.redirect(f"code={app.mock.code_for(TEAM_A)}&state={state}", None)
    assert answer.status == 400
    assert installed_teams(tmp_path / "addons.db") == []


async def test_an_admin_who_cancels_in_slack_gets_a_page_and_nothing_is_stored(
    app: InstallingApp, tmp_path: Path
) -> None:
    state, cookie = await app.install_page()
    answer = await app.redirect(f"error=access_denied&state={state}", cookie)
    assert answer.status == 200
    assert "nothing was stored" in answer.text
    assert stored(tmp_path / "addons.db", "slack_installations") == []


async def test_a_failed_oauth_v2_access_gets_a_page_and_nothing_is_stored(
    app: InstallingApp, tmp_path: Path
) -> None:
    state, cookie = await app.install_page()
    answer = await app.redirect(f"code=not-a-code-slack-issued&state={state}", cookie)
    assert answer.status == 502
    assert "Slack did not confirm" in answer.text
    assert stored(tmp_path / "addons.db", "slack_installations") == []


async def test_an_org_wide_enterprise_install_is_refused_and_its_token_given_back(
    tmp_path: Path,
) -> None:
    async with (
        many_workspaces(alpha(enterprise_id="E0ORG00001", org_install=True)) as slack,
        installing_app(slack, tmp_path / "addons.db") as app,
    ):
        answer = await app.install(TEAM_A)
        assert answer.status == 400
        assert "Enterprise Grid" in answer.text
        assert stored(tmp_path / "addons.db", "slack_installations") == []
        assert slack.revoked == set(slack.workspaces[TEAM_A].tokens)


async def test_a_workspace_of_an_enterprise_grid_installs_like_any_other(tmp_path: Path) -> None:
    async with (
        many_workspaces(bravo(enterprise_id="E0ORG00001")) as slack,
        installing_app(slack, tmp_path / "addons.db") as app,
    ):
        assert (await app.install(TEAM_B)).status == 200
        assert installed_teams(tmp_path / "addons.db") == [TEAM_B]


async def test_the_tokens_in_the_database_file_are_not_readable(
    app: InstallingApp, slack: ManyWorkspaces, tmp_path: Path
) -> None:
    await app.install(TEAM_A)
    await app.install(TEAM_B)
    raw = file_bytes(tmp_path)
    tokens = slack.workspaces[TEAM_A].tokens + slack.workspaces[TEAM_B].tokens
    assert len(tokens) == 2
    for token in tokens:
        assert token.encode() not in raw
    assert b"xoxb-" not in raw


async def test_the_install_page_sets_the_state_cookie_and_links_to_slack(
    app: InstallingApp,
) -> None:
    state, cookie = await app.install_page()
    assert state
    assert cookie == f"slack-app-oauth-state={state}"


async def test_another_key_than_the_tokens_were_stored_with_is_refused_on_start(
    app: InstallingApp, slack: ManyWorkspaces, tmp_path: Path
) -> None:
    await app.install(TEAM_A)
    other = Fernet.generate_key().decode()
    with pytest.raises(TokenKeyError, match="does not decrypt"):
        async with installing_app(slack, tmp_path / "addons.db", key=other):
            pass
    # The old key first, a new one after it: the stored tokens still open.
    async with installing_app(slack, tmp_path / "addons.db", key=f"{other},{KEY}") as again:
        bot = await again.rt.installations().find_team_bot(TEAM_A)
        assert bot is not None
        assert bot.bot_token == slack.token_of(TEAM_A)


async def test_without_a_key_oauth_mode_opens_nothing(
    slack: ManyWorkspaces, tmp_path: Path
) -> None:
    with pytest.raises(TokenKeyError, match="ADDONS_TOKEN_KEY is not set"):
        async with installing_app(slack, tmp_path / "addons.db", key=None):
            pass
    assert not (tmp_path / "addons.db").exists()
