"""Many workspaces: each uses its own token; uninstall forgets the tokens, not the contract."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from slack_sdk.web.async_client import AsyncWebClient

from bot import services
from bot.adapters.billing_schedule import tick
from bot.adapters.dm_sender import PARKED
from bot.adapters.slack_app import NOT_INSTALLED
from bot.slack_fake.wire import BOT_USER
from handlers.auth import UserDirectory
from tests.slack.flows import ANCHOR
from tests.slack.installing import (
    ADMIN_A,
    ADMIN_B,
    MEMBER_A,
    TEAM_A,
    TEAM_B,
    InstallingApp,
    alpha,
    bravo,
    installing_app,
    many_workspaces,
)
from tests.slack.mock_slack import ManyWorkspaces, SlackUser


def installed_teams(path: Path) -> list[str]:
    """The teams with a bot token in the file."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT team_id FROM slack_bots WHERE bot_token IS NOT NULL")
        return sorted(r[0] for r in rows)


async def book(app: InstallingApp, team: str, admin: str) -> None:
    """Anchor the workspace on the 18th and book one more user there as its admin."""
    ctx, now = app.rt.ctx, app.clock.now()
    await services.set_workspace(ctx, team, ANCHOR, now)
    await services.book(ctx, team, "users", 1, now, key=str(uuid.uuid4()), actor=admin)


async def forgotten(app: InstallingApp, team: str) -> None:
    """Wait until the uninstall's audit entry is written (events run after the ack)."""
    for _ in range(500):
        log = await services.audit_log(app.rt.ctx, team)
        if log and log[0].action.startswith(("slack_uninstalled", "slack_tokens_revoked")):
            return
        await asyncio.sleep(0.01)
    raise TimeoutError(f"{team} was never forgotten")


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[ManyWorkspaces]:
    """Slack with workspaces Alpha and Bravo."""
    async with many_workspaces() as mock:
        yield mock


@pytest_asyncio.fixture
async def app(slack: ManyWorkspaces, tmp_path: Path) -> AsyncIterator[InstallingApp]:
    """The app in OAuth mode with Alpha and Bravo installed."""
    async with installing_app(slack, tmp_path / "addons.db") as running:
        for team in (TEAM_A, TEAM_B):
            assert (await running.install(team)).status == 200
        yield running


async def test_a_billing_run_sends_each_workspaces_messages_with_its_own_token(
    app: InstallingApp, slack: ManyWorkspaces
) -> None:
    await book(app, TEAM_A, ADMIN_A)
    await book(app, TEAM_B, ADMIN_B)
    app.clock.advance(timedelta(days=17))  # past the period's end on 17.04.
    clients = app.rt.team_clients()
    turns, delivery = await tick(app.rt.ctx, clients, app.clock, app.rt.renderer(clients))
    assert {t.team_id for t in turns if t.invoice is not None} == {TEAM_A, TEAM_B}
    posts = slack.calls_to("chat.postMessage")
    assert delivery.sent == len(posts) >= 2
    assert {(p.params["channel"], slack.team_of(p)) for p in posts} == {
        (ADMIN_A, TEAM_A),
        (ADMIN_B, TEAM_B),
    }


async def test_uninstalling_forgets_the_tokens_and_keeps_add_ons_invoices_and_history(
    app: InstallingApp, slack: ManyWorkspaces, tmp_path: Path
) -> None:
    await book(app, TEAM_A, ADMIN_A)
    answer = await app.post(app.signer(TEAM_A).event({"type": "app_uninstalled"}))
    assert answer.status == 200
    await forgotten(app, TEAM_A)
    assert installed_teams(tmp_path / "addons.db") == [TEAM_B]
    assert len(await services.list_addons(app.rt.ctx, TEAM_A)) == 1
    log = await services.audit_log(app.rt.ctx, TEAM_A)
    assert "slack_uninstalled" in [entry.action for entry in log]
    # The schedule goes on: the period closes and its invoice is issued.
    app.clock.advance(timedelta(days=17))
    clients = app.rt.team_clients()
    turns, delivery = await tick(app.rt.ctx, clients, app.clock, app.rt.renderer(clients))
    assert TEAM_A in {t.team_id for t in turns if t.invoice is not None}
    assert delivery.parked >= 1
    assert all(slack.team_of(p) != TEAM_A for p in slack.calls_to("chat.postMessage"))
    async with app.rt.db.unit_of_work(write=False) as uow:
        parked = [m for m in await uow.outbox.all(TEAM_A) if m["last_error"] == PARKED]
    assert parked
    # Reinstalling brings the workspace back with its add-ons.
    assert (await app.install(TEAM_A)).status == 200
    assert installed_teams(tmp_path / "addons.db") == [TEAM_A, TEAM_B]
    assert len(await services.list_addons(app.rt.ctx, TEAM_A)) == 1


async def test_revoked_bot_tokens_are_forgotten_like_an_uninstall(
    app: InstallingApp, tmp_path: Path
) -> None:
    event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [BOT_USER]}}
    assert (await app.post(app.signer(TEAM_B).event(event))).status == 200
    await forgotten(app, TEAM_B)
    assert installed_teams(tmp_path / "addons.db") == [TEAM_A]
    log = await services.audit_log(app.rt.ctx, TEAM_B)
    actions = [entry.action for entry in log]
    assert actions[0] == "slack_tokens_revoked"
    assert "slack_installed" in actions


async def test_a_workspace_without_installation_is_answered_politely(
    app: InstallingApp, slack: ManyWorkspaces
) -> None:
    await app.post(app.signer(TEAM_A).event({"type": "app_uninstalled"}))
    await forgotten(app, TEAM_A)
    answer = await app.post(app.signer(TEAM_A).slash_command(user_id=ADMIN_A))
    assert answer.status == 200
    await slack.wait_for("response_url")
    assert slack.response_posts()[-1]["text"] == NOT_INSTALLED
    stranger = await app.post(app.signer("T0NEVER001").slash_command(user_id="U0NOBODY01"))
    assert stranger.status == 200
    assert slack.calls_to("views.open") == []


async def test_a_rotated_token_is_saved_and_used_by_the_sender_and_by_requests(
    tmp_path: Path,
) -> None:
    async with (
        many_workspaces(alpha(rotating=True)) as slack,
        installing_app(slack, tmp_path / "addons.db") as app,
    ):
        await app.install(TEAM_A)
        first = slack.token_of(TEAM_A)
        await book(app, TEAM_A, ADMIN_A)
        app.clock.advance(timedelta(days=17))
        clients = app.rt.team_clients()
        _, delivery = await tick(app.rt.ctx, clients, app.clock, app.rt.renderer(clients))
        assert delivery.sent >= 1
        sent_with = {p.token for p in slack.calls_to("chat.postMessage")}
        assert first not in sent_with
        saved = await app.rt.installations().find_team_bot(TEAM_A)
        assert saved is not None
        assert saved.bot_token == slack.token_of(TEAM_A) != first
        # A request rotates it too (Bolt's authorize), and answers with the new one.
        await app.post(app.signer(TEAM_A).slash_command(user_id=ADMIN_A))
        opened = await slack.wait_for("views.open")
        assert opened[0].token == slack.token_of(TEAM_A)
        assert opened[0].token not in sent_with | {first}


async def test_a_billing_admin_of_one_workspace_is_nobody_in_another(
    tmp_path: Path,
) -> None:
    both = bravo()
    both.users[MEMBER_A] = SlackUser(MEMBER_A, locale="de-DE", name="max")
    async with (
        many_workspaces(alpha(), both) as slack,
        installing_app(slack, tmp_path / "addons.db") as app,
    ):
        await app.install(TEAM_A)
        await app.install(TEAM_B)
        ctx, now = app.rt.ctx, app.clock.now()
        await services.set_workspace(ctx, TEAM_A, ANCHOR, now)
        await services.set_workspace(ctx, TEAM_B, ANCHOR, now)
        await services.set_billing_admins(ctx, TEAM_A, (MEMBER_A,), now)

        async def admins_of(team: str) -> frozenset[str]:
            return await services.billing_admins_of(ctx, team)

        users = UserDirectory((), 0, admins_of=admins_of)
        in_a = AsyncWebClient(token=slack.token_of(TEAM_A), base_url=slack.url)
        in_b = AsyncWebClient(token=slack.token_of(TEAM_B), base_url=slack.url)
        assert (await users.viewer(in_a, TEAM_A, MEMBER_A)).is_admin
        assert not (await users.viewer(in_b, TEAM_B, MEMBER_A)).is_admin


async def test_a_deactivated_admin_is_nobody(tmp_path: Path) -> None:
    gone = alpha()
    gone.users[ADMIN_A] = SlackUser(ADMIN_A, is_admin=True, deleted=True, locale="de-DE")
    async with (
        many_workspaces(gone) as slack,
        installing_app(slack, tmp_path / "addons.db") as app,
    ):
        await app.install(TEAM_A)
        users = UserDirectory((ADMIN_A,), 0)
        client = AsyncWebClient(token=slack.token_of(TEAM_A), base_url=slack.url)
        assert not (await users.viewer(client, TEAM_A, ADMIN_A)).is_admin


@pytest.mark.parametrize("team", [TEAM_A, TEAM_B])
async def test_the_app_installed_itself_with_an_audit_entry(app: InstallingApp, team: str) -> None:
    log = await services.audit_log(app.rt.ctx, team)
    assert sorted(entry.action for entry in log) == ["slack_installed", "workspace_created"]


async def test_a_workspaces_own_billing_admin_receives_its_invoice_with_its_token(
    app: InstallingApp, slack: ManyWorkspaces
) -> None:
    await book(app, TEAM_A, ADMIN_A)
    await services.set_billing_admins(app.rt.ctx, TEAM_A, (MEMBER_A,), app.clock.now())
    await book(app, TEAM_B, ADMIN_B)
    app.clock.advance(timedelta(days=17))
    clients = app.rt.team_clients()
    await tick(app.rt.ctx, clients, app.clock, app.rt.renderer(clients))
    posts = slack.calls_to("chat.postMessage")
    assert (MEMBER_A, TEAM_A) in {(p.params["channel"], slack.team_of(p)) for p in posts}
    assert all(slack.team_of(p) == TEAM_B for p in posts if p.params["channel"] == ADMIN_B)


async def test_a_request_of_a_workspace_without_installation_is_one_info_line_with_its_team(
    app: InstallingApp, slack: ManyWorkspaces, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    stranger = await app.post(app.signer("T0NEVER001").slash_command(user_id="U0NOBODY01"))
    assert stranger.status == 200
    await slack.wait_for("response_url")
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert any(
        r.levelno == logging.INFO
        and r.getMessage()
        == "no installation for workspace T0NEVER001: answered with the install hint"
        for r in caplog.records
    )


async def test_installs_and_an_uninstall_are_told_to_cloudcrm_as_the_workspace_s_life(
    app: InstallingApp,
) -> None:
    from bot.adapters.slack_install.store import installations

    assert (await app.post(app.signer(TEAM_A).event({"type": "app_uninstalled"}))).status == 200
    await forgotten(app, TEAM_A)
    events = await services.list_webhook_events(app.rt.ctx)
    told = sorted((e.team_id, e.sequence, e.type) for e in events)
    assert told == [
        (TEAM_A, 1, "workspace.installed"),
        (TEAM_A, 2, "workspace.uninstalled"),
        (TEAM_B, 1, "workspace.installed"),
    ]
    names = await installations(app.rt.db)
    assert set(names) == {TEAM_B}
    assert names[TEAM_B][0]  # Slack's name of the workspace, as `workspace list` shows it
