"""Slack's late and foreign events: each acts on what it names and audits what happened.

Signed Events API requests into the real app in OAuth mode (tests.slack.installing).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from bot import services
from bot.slack_fake import SignedRequest
from bot.slack_fake.wire import BOT_USER
from tests.slack.installing import (
    TEAM_A,
    TEAM_B,
    InstallingApp,
    alpha,
    bravo,
    installing_app,
    many_workspaces,
)
from tests.slack.mock_slack import ManyWorkspaces
from tests.slack.test_oauth_workspaces import installed_teams

GRID = "E0ACME0001"
OUR_BOT = BOT_USER  # the bot user the mock Slack installs


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[ManyWorkspaces]:
    """Slack with workspace Alpha and Bravo, Bravo inside an Enterprise Grid."""
    async with many_workspaces(alpha(), bravo(enterprise_id=GRID)) as mock:
        yield mock


@pytest_asyncio.fixture
async def app(slack: ManyWorkspaces, tmp_path: Path) -> AsyncIterator[InstallingApp]:
    """The app in OAuth mode with Alpha and Bravo installed."""
    async with installing_app(slack, tmp_path / "addons.db") as running:
        for team in (TEAM_A, TEAM_B):
            assert (await running.install(team)).status == 200
        yield running


def altered(app: InstallingApp, team: str, event: dict[str, Any], **fields: Any) -> SignedRequest:
    """An event callback for ``team`` with some top-level fields changed, signed now."""
    payload = app.signer(team).event(event).payload | fields
    body = json.dumps(payload, separators=(",", ":"))
    return app.signer(team).sign(body, "application/json", payload=payload)


async def settled(app: InstallingApp, request: SignedRequest, **headers: str) -> None:
    """Post an event and give its listener (which runs after the ack) time to finish."""
    request = SignedRequest(request.body, {**request.headers, **headers}, request.payload)
    assert (await app.post(request)).status == 200
    await asyncio.sleep(0.3)


async def actions(app: InstallingApp, team: str) -> list[str]:
    return [entry.action for entry in await services.audit_log(app.rt.ctx, team)]


async def test_tokens_revoked_for_another_bot_deletes_nothing(
    app: InstallingApp, tmp_path: Path
) -> None:
    event = {"type": "tokens_revoked", "tokens": {"oauth": ["U0ALPHA0AD"], "bot": ["U0OTHERBOT"]}}
    await settled(app, app.signer(TEAM_A).event(event))
    assert installed_teams(tmp_path / "addons.db") == [TEAM_A, TEAM_B]
    assert "slack_tokens_revoked" not in await actions(app, TEAM_A)


async def test_tokens_revoked_for_the_installations_own_bot_deletes_it(
    app: InstallingApp, tmp_path: Path
) -> None:
    event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [OUR_BOT]}}
    await settled(app, app.signer(TEAM_A).event(event))
    assert installed_teams(tmp_path / "addons.db") == [TEAM_B]
    assert (await actions(app, TEAM_A))[0] == "slack_tokens_revoked"


async def test_a_late_app_uninstalled_from_before_the_reinstall_changes_nothing(
    app: InstallingApp, tmp_path: Path
) -> None:
    before_install = int(time.time()) - 120
    late = altered(app, TEAM_A, {"type": "app_uninstalled"}, event_time=before_install)
    await settled(app, late, **{"X-Slack-Retry-Num": "3", "X-Slack-Retry-Reason": "timeout"})
    assert installed_teams(tmp_path / "addons.db") == [TEAM_A, TEAM_B]
    assert "slack_uninstalled" not in await actions(app, TEAM_A)


async def test_a_grid_uninstall_naming_its_enterprise_only_in_authorizations_uninstalls(
    app: InstallingApp, tmp_path: Path
) -> None:
    request = app.signer(TEAM_B).event({"type": "app_uninstalled"})
    authorizations = [request.payload["authorizations"][0] | {"enterprise_id": GRID}]
    event = altered(
        app, TEAM_B, {"type": "app_uninstalled"}, enterprise_id=None, authorizations=authorizations
    )
    await settled(app, event)
    assert installed_teams(tmp_path / "addons.db") == [TEAM_A]
    assert (await actions(app, TEAM_B))[0] == "slack_uninstalled"


async def test_an_uninstall_naming_another_enterprise_deletes_and_audits_nothing(
    app: InstallingApp, tmp_path: Path
) -> None:
    event = altered(app, TEAM_B, {"type": "app_uninstalled"}, enterprise_id="E0OTHER001")
    await settled(app, event)
    assert installed_teams(tmp_path / "addons.db") == [TEAM_A, TEAM_B]
    assert "slack_uninstalled" not in await actions(app, TEAM_B)


async def test_an_uninstall_for_a_team_never_seen_writes_no_audit_entry(
    app: InstallingApp, tmp_path: Path
) -> None:
    await settled(app, app.signer("T0NEVER001").event({"type": "app_uninstalled"}))
    with sqlite3.connect(tmp_path / "addons.db") as conn:
        rows = conn.execute("SELECT count(*) FROM audit_log WHERE team_id = 'T0NEVER001'")
        assert rows.fetchone() == (0,)
