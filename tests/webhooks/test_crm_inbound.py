"""CloudCRM's signed way in: POST /crm/v1/workspaces/{team_id}, as `serve` wires it.

Requests are signed with the standardwebhooks library, as CloudCRM would sign them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from standardwebhooks.webhooks import Webhook

from bot import services
from bot.adapters.clock import TestClock
from bot.adapters.slack_app import web_application
from bot.bootstrap import bootstrap, load_settings
from tests.postgres import fresh_database
from tests.webhooks.receiver import FORGED, SECRET

TEAM = "T0CRM0001"
NOW = datetime(2026, 4, 3, 10, tzinfo=UTC)
SIGNING = "8f742231b10e8888abcd99yyyzzz85a5"


@dataclass
class Crm:
    """The app as serve runs it, and a way to sign requests as CloudCRM does."""

    url: str
    ctx: services.Context
    http: aiohttp.ClientSession

    async def post(
        self,
        team: str,
        body: bytes | dict[str, Any],
        *,
        secret: str = SECRET,
        webhook_id: str | None = None,
        at: datetime | None = None,
    ) -> tuple[int, dict[str, Any]]:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        msg_id = webhook_id or f"msg_{uuid.uuid4().hex}"
        stamp = at or datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(stamp.timestamp())),
            "webhook-signature": Webhook(secret).sign(msg_id, stamp, raw.decode("latin-1")),
        }
        async with self.http.post(
            f"{self.url}/crm/v1/workspaces/{team}", data=raw, headers=headers
        ) as r:
            return r.status, await r.json()

    async def events(self) -> list[str]:
        return [e.type for e in reversed(await services.list_webhook_events(self.ctx))]


@asynccontextmanager
async def crm_app(
    monkeypatch: pytest.MonkeyPatch, database: str, secret: str | None = SECRET
) -> AsyncIterator[Crm]:
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-crm-test",
        "SLACK_SIGNING_SECRET": SIGNING,
        "ADDONS_CRM_SECRET": secret,
    }.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    settings = load_settings(database)
    clock = TestClock(NOW)
    async with bootstrap(settings, slack_session=False) as rt:
        await services.set_workspace(rt.ctx, TEAM, date(2026, 3, 18), NOW)
        served = web_application(
            rt.slack_app(clock), SIGNING, db=rt.db, routes=rt.crm_routes(clock)
        )
        runner = web.AppRunner(served, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            async with aiohttp.ClientSession() as http:
                yield Crm(f"http://127.0.0.1:{port}", rt.ctx, http)
        finally:
            await runner.cleanup()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str] | Any:
    if request.param == "sqlite":
        yield str(tmp_path / "addons.db")
        return
    with fresh_database() as url:
        yield url


async def test_cloudcrm_sets_the_customer_number_once_however_often_it_resends(
    monkeypatch: pytest.MonkeyPatch, database: str
) -> None:
    async with crm_app(monkeypatch, database) as crm:
        status, shown = await crm.post(TEAM, {"customer": "C-4711"}, webhook_id="msg_1")
        assert status == 200
        assert shown["customer"] == "C-4711"
        assert shown["team_id"] == TEAM
        assert shown["installed"] is False
        for _ in range(3):  # the same request again: applied once
            assert (await crm.post(TEAM, {"customer": "C-4711"}, webhook_id="msg_1"))[0] == 200
        # a resend of an old request after a newer one changes nothing back
        assert (await crm.post(TEAM, {"customer": "C-9"}, webhook_id="msg_2"))[0] == 200
        status, shown = await crm.post(TEAM, {"customer": "C-4711"}, webhook_id="msg_1")
        assert (status, shown["customer"]) == (200, "C-9")
        assert await crm.events() == ["workspace.updated", "workspace.updated"]
        sub = await services.get_workspace(crm.ctx, TEAM)
        assert sub.customer == "C-9"
        audit = await services.audit_log(crm.ctx, TEAM)
        assert [e.actor for e in audit if e.action == "workspace_set"][:2] == [
            "cloudcrm",
            "cloudcrm",
        ]


GOOD = {"customer": "C-1"}
STALE = datetime.now(UTC) - timedelta(minutes=10)


@pytest.mark.parametrize(
    ("team", "body", "options", "status", "field"),
    [
        pytest.param(TEAM, GOOD, {"secret": FORGED}, 401, None, id="forged"),
        pytest.param(TEAM, GOOD, {"at": STALE}, 401, None, id="stale"),
        pytest.param(TEAM, b"{customer", {}, 400, None, id="not json"),
        pytest.param(TEAM, b"[1, 2]", {}, 400, None, id="not an object"),
        pytest.param(TEAM, {**GOOD, "anchor": "2026-01-01"}, {}, 400, "anchor", id="unknown"),
        pytest.param(TEAM, {"customer": "x" * 65}, {}, 400, "customer", id="bad customer"),
        pytest.param(TEAM, {"customer": 4711}, {}, 400, "customer", id="not a string"),
        pytest.param("T0NEVERSEEN", GOOD, {}, 404, None, id="unknown team"),
    ],
)
async def test_a_bad_request_is_refused_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    team: str,
    body: bytes | dict[str, Any],
    options: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    async with crm_app(monkeypatch, str(tmp_path / "addons.db")) as crm:
        got, answer = await crm.post(team, body, webhook_id="msg_once", **options)
        assert got == status
        assert "error" in answer
        assert answer.get("field") == field
        assert (await services.get_workspace(crm.ctx, TEAM)).customer is None
        assert await crm.events() == []
        # the refused request's id is not burnt: the right request under it is applied
        fixed, shown = await crm.post(TEAM, GOOD, webhook_id="msg_once")
        assert (fixed, shown["customer"]) == (200, "C-1")


async def test_the_way_in_is_closed_without_its_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async with (
        crm_app(monkeypatch, str(tmp_path / "addons.db"), secret=None) as crm,
        crm.http.post(f"{crm.url}/crm/v1/workspaces/{TEAM}", json={}) as answer,
    ):
        assert answer.status == 404
