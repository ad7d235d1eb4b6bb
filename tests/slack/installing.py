"""The real app in OAuth mode (bootstrap, Bolt's flow, the app's SQLite file) on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import aiohttp
from aiohttp import web
from cryptography.fernet import Fernet

from bot.adapters.clock import TestClock
from bot.adapters.slack_app import web_application
from bot.bootstrap import Runtime, bootstrap
from bot.settings import Settings
from bot.slack_fake import SIGNING_SECRET, SignedRequest, SlackSigner
from bot.slack_fake.served import START
from tests.slack.harness import Answer
from tests.slack.mock_slack import ManyWorkspaces, SlackUser, Workspace

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "client-secret-for-tests"
KEY = Fernet.generate_key().decode()

TEAM_A, TEAM_B = "T0ALPHA001", "T0BRAVO001"
ADMIN_A, MEMBER_A = "U0ALPHA0AD", "U0ALPHA0ME"
ADMIN_B, MEMBER_B = "U0BRAVO0AD", "U0BRAVO0ME"


def alpha(**options: Any) -> Workspace:
    """Workspace A: an admin (German) and a member."""
    users = {
        ADMIN_A: SlackUser(ADMIN_A, is_admin=True, locale="de-DE", name="anna"),
        MEMBER_A: SlackUser(MEMBER_A, locale="de-DE", name="max"),
    }
    return Workspace(TEAM_A, "Alpha", users, **options)


def bravo(**options: Any) -> Workspace:
    """Workspace B: an admin (English) and a member."""
    users = {
        ADMIN_B: SlackUser(ADMIN_B, is_admin=True, locale="en-US", name="bob"),
        MEMBER_B: SlackUser(MEMBER_B, locale="en-US", name="mia"),
    }
    return Workspace(TEAM_B, "Bravo", users, **options)


def many_workspaces(*workspaces: Workspace) -> ManyWorkspaces:
    """The many-workspaces Slack (not yet started) knowing these workspaces."""
    return ManyWorkspaces(CLIENT_ID, CLIENT_SECRET, *(workspaces or (alpha(), bravo())))


def oauth_settings(mock: ManyWorkspaces, db_path: Path | str, key: str | None = KEY) -> Settings:
    """OAuth mode's settings: client id and secret, signing secret, the token key."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=mock.url,
        database=str(db_path),
        token_key=key,
    )


@dataclass
class InstallingApp:
    """The started app in OAuth mode, with the browser's side of "Add to Slack"."""

    base: str  # http://127.0.0.1:<port>
    rt: Runtime
    clock: TestClock
    mock: ManyWorkspaces
    session: aiohttp.ClientSession

    def signer(self, team_id: str) -> SlackSigner:
        """Signs requests as Slack does for ``team_id``."""
        return SlackSigner(
            SIGNING_SECRET, team_id=team_id, response_urls=self.mock.new_response_url
        )

    async def get(self, path: str, cookie: str | None = None) -> tuple[Answer, dict[str, str]]:
        """GET ``path``; the answer and the cookies it sets."""
        headers = {"Cookie": cookie} if cookie else {}
        async with self.session.get(
            self.base + path, headers=headers, allow_redirects=False
        ) as response:
            cookies = {name: morsel.value for name, morsel in response.cookies.items()}
            return Answer(response.status, await response.text()), cookies

    async def install_page(self) -> tuple[str, str]:
        """Open /slack/install: (the state in the Add to Slack link, the state cookie)."""
        page, cookies = await self.get("/slack/install")
        assert page.status == 200, page.text
        link = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page.text)
        assert link is not None, page.text
        state = parse_qs(urlparse(link.group(1).replace("&amp;", "&")).query)["state"][0]
        cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        return state, cookie

    async def redirect(self, query: str, cookie: str | None) -> Answer:
        """Slack sends the browser back to /slack/oauth_redirect?<query>."""
        answer, _ = await self.get("/slack/oauth_redirect?" + query, cookie)
        return answer

    async def install(self, team_id: str) -> Answer:
        """The whole "Add to Slack" as a browser does it, the admin saying yes."""
        state, cookie = await self.install_page()
        code = self.mock.code_for(team_id)
        return await self.redirect(f"code={code}&state={state}", cookie)

    async def post(self, request: SignedRequest) -> Answer:
        """Post a signed request to /slack/events."""
        async with self.session.post(
            self.base + "/slack/events", data=request.data, headers=request.headers
        ) as response:
            return Answer(response.status, await response.text())


@asynccontextmanager
async def installing_app(
    mock: ManyWorkspaces, db_path: Path | str, *, now: datetime = START, key: str | None = KEY
) -> AsyncIterator[InstallingApp]:
    """Start the real app in OAuth mode through the composition root."""
    clock = TestClock(now)
    async with bootstrap(oauth_settings(mock, db_path, key)) as rt, aiohttp.ClientSession() as http:
        runner = web.AppRunner(
            web_application(rt.slack_app(clock), SIGNING_SECRET), access_log=None
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            yield InstallingApp(f"http://127.0.0.1:{port}", rt, clock, mock, http)
        finally:
            await runner.cleanup()
