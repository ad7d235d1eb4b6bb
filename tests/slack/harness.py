"""The real app on 127.0.0.1 against the mock Slack Web API, driven by signed requests."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp

from bot.adapters.clock import TestClock
from bot.services import Context
from bot.settings import Settings
from bot.slack_fake import SIGNING_SECRET, SignedRequest, SlackSigner
from bot.slack_fake.served import START, served_app
from domain.parties import Seller
from storage import Database
from tests.slack.mock_slack import Call, MockSlack
from tests.sqlite_template import migrated_unless_present

SECRET = SIGNING_SECRET

__all__ = ["SECRET", "START", "Answer", "RunningApp", "running_app"]


@dataclass
class Answer:
    """What the app answered over HTTP."""

    status: int
    text: str

    def json(self) -> Any:
        """The answer's JSON body (None when empty)."""
        return json.loads(self.text) if self.text else None


@dataclass
class RunningApp:
    """The started app, its database, its clock, the mock and a signer."""

    url: str
    db: Database
    ctx: Context
    clock: TestClock
    mock: MockSlack
    signer: SlackSigner
    session: aiohttp.ClientSession
    settings: Settings

    async def post(self, request: SignedRequest) -> Answer:
        """Send exactly the signed bytes, as Slack does."""
        payload = request.payload
        view = payload.get("view")
        if payload.get("trigger_id") and isinstance(view, dict) and view.get("id"):
            # Slack stacks a pushed view onto the view the trigger came from: tell the mock.
            self.mock.trigger_views[str(payload["trigger_id"])] = str(view["id"])
        async with self.session.post(
            self.url, data=request.data, headers=request.headers
        ) as response:
            return Answer(response.status, await response.text())

    async def send(self, request: SignedRequest, method: str) -> Call:
        """Post ``request``, expect 200, and wait for the next ``method`` call it causes."""
        before = len(self.mock.calls_to(method))
        answer = await self.post(request)
        assert answer.status == 200, (answer.status, answer.text)
        calls = await self.mock.wait_for(method, before + 1)
        return calls[before]

    async def settle(self, method: str, count: int = 1) -> None:
        """Wait until the mock has seen ``count`` calls of ``method`` (work after ack)."""
        await self.mock.wait_for(method, count)


@asynccontextmanager
async def running_app(
    mock: MockSlack,
    db_path: Path,
    *,
    now: datetime = START,
    billing_admins: tuple[str, ...] = (),
    user_cache_seconds: int = 60,
    busy_timeout_ms: int | None = None,
    default_locale: str | None = None,
    seller: Seller | None = None,
) -> AsyncIterator[RunningApp]:
    """Start the real Bolt app over HTTP with a real SQLite file and a test clock.

    A new file is a copy of the migrated template (what opening it would migrate it to);
    an existing one is opened as it is.
    """
    migrated_unless_present(db_path)
    async with (
        served_app(
            mock.url,
            db_path,
            now=now,
            billing_admins=billing_admins,
            user_cache_seconds=user_cache_seconds,
            busy_timeout_ms=busy_timeout_ms,
            default_locale=default_locale,
            seller=seller,
        ) as served,
        aiohttp.ClientSession() as session,
    ):
        signer = SlackSigner(SECRET, response_urls=mock.new_response_url)
        yield RunningApp(
            served.url,
            served.db,
            served.ctx,
            served.clock,
            mock,
            signer,
            session,
            served.settings,
        )
