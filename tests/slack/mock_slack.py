"""The tests' Slack: the fake Web API (bot/slack_fake) with calls recorded and scriptable.

It answers the methods /addons uses, records every call (method, params, headers) and
can be scripted to fail. Point the app at it with ``AsyncWebClient(base_url=mock.url)``
(``mock.url`` ends in "/api/", as slack_sdk expects); response URLs made with
``mock.new_response_url()`` land here too and are recorded in ``mock.responses``.

    async with MockSlack([SlackUser("U1", is_admin=True)]) as mock:
        client = AsyncWebClient(token="xoxb-test", base_url=mock.url)
        await client.users_info(user="U1", include_locale=True)
        assert mock.calls_to("users.info")[0].params["user"] == "U1"

Modelled on bolt-python's tests/mock_web_api_server (token checks, JSON/form/query
bodies), but asynchronous and with Slack-shaped answers for views and users.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.slack_fake import (
    APP_ID,
    BOT_ID,
    BOT_TOKEN,
    BOT_USER,
    DEFAULT_TEAM,
    Call,
    FakeSlack,
    SlackUser,
)
from bot.slack_fake.wire import sent_token

OTHER_TEAM = "T0OTHER001"
# How long wait_for waits for a call by default: it returns as soon as the call is there,
# so the bound only has to outlast a machine busy with other work.
WAIT_SECONDS = 30.0
# The people of the default workspace (see default_users()).
ADMIN = "U0ADMIN001"  # workspace admin, German
OWNER = "U0OWNER001"  # workspace owner, English
MEMBER = "U0MEMBER01"  # ordinary member, German
MEMBER_EN = "U0MEMBER02"  # ordinary member, English
FRENCH_ADMIN = "U0ADMIN002"  # admin with a locale the app does not speak
OUTSIDER = "U0OTHER001"  # admin of another workspace

__all__ = [
    "ADMIN",
    "APP_ID",
    "BOT_ID",
    "BOT_TOKEN",
    "BOT_USER",
    "DEFAULT_TEAM",
    "FRENCH_ADMIN",
    "MEMBER",
    "MEMBER_EN",
    "OTHER_TEAM",
    "OUTSIDER",
    "OWNER",
    "Call",
    "Failure",
    "ManyWorkspaces",
    "MockSlack",
    "SlackUser",
    "Workspace",
    "default_users",
]


def default_users() -> list[SlackUser]:
    """Admins, an owner and members in German and English, and another team's admin."""
    return [
        SlackUser(ADMIN, is_admin=True, locale="de-DE", name="anna.admin"),
        SlackUser(
            OWNER,
            is_admin=True,
            is_owner=True,
            is_primary_owner=True,
            locale="en-US",
            name="olivia.owner",
        ),
        SlackUser(MEMBER, locale="de-DE", name="max.mitglied"),
        SlackUser(MEMBER_EN, locale="en-GB", name="mary.member"),
        SlackUser(FRENCH_ADMIN, is_admin=True, locale="fr-FR", name="fanny.admin"),
        SlackUser(OUTSIDER, team_id=OTHER_TEAM, is_admin=True, locale="de-DE", name="otto.fremd"),
    ]


@dataclass
class Failure:
    """A scripted answer for the next ``times`` calls of one method."""

    status: int = 500
    error: str | None = None
    retry_after: int | None = None
    times: int = 1


class MockSlack(FakeSlack[SlackUser]):
    """Slack's Web API, locally: records calls, stores views, can be told to fail."""

    def __init__(
        self,
        users: Iterable[SlackUser] = (),
        *,
        team_id: str = DEFAULT_TEAM,
        token: str | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(users, team_id=team_id, token=token, host=host)
        self.calls: list[Call] = []
        self._failures: dict[str, list[Failure]] = {}

    @property
    def home(self) -> dict[str, dict[str, Any]]:
        """User id -> the App Home view published for them (a snapshot)."""
        published = ((user, self.home_view(user)) for user in self.homes)
        return {user: s.full(self.team_id) for user, s in published if s is not None}

    def new_response_url(self) -> str:
        """A fresh response_url (as in a slash command or message action) served here."""
        return self.response_url()

    # -- scripting ----------------------------------------------------------------------

    def add_user(self, user: SlackUser) -> SlackUser:
        """Add or replace a user that users.info knows."""
        self.users[user.id] = user
        return user

    def fail(
        self,
        method: str,
        *,
        status: int = 500,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with this failure.

        ``status`` 500 gives an HTTP error; 429 with ``retry_after`` is Slack's rate
        limit; ``status=200, error="expired_trigger_id"`` an ``ok: false`` answer.
        """
        self._failures.setdefault(method, []).append(Failure(status, error, retry_after, times))

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next calls of ``method`` with 429 and a Retry-After header."""
        self.fail(method, status=429, error="ratelimited", retry_after=retry_after, times=times)

    # -- reading what happened ----------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls of one method, oldest first."""
        return [call for call in self.calls if call.method == method]

    def methods(self) -> list[str]:
        """The methods called, in order."""
        return [call.method for call in self.calls]

    def last_view(self, method: str | None = None) -> dict[str, Any]:
        """The view sent by the last views.* call (or the last call of ``method``)."""
        names = (
            (method,) if method else ("views.open", "views.push", "views.update", "views.publish")
        )
        for call in reversed(self.calls):
            if call.method in names and isinstance(call.params.get("view"), dict):
                view: dict[str, Any] = call.params["view"]
                return view
        raise LookupError(f"no view was sent via {names}")

    def response_posts(self) -> list[dict[str, Any]]:
        """Everything posted to any response URL, oldest first."""
        return [call.params for call in self.calls if call.method == "response_url"]

    # The tests call it with timeout=...; the error names the calls seen, which
    # asyncio.timeout alone would not.
    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = WAIT_SECONDS,  # noqa: ASYNC109
    ) -> list[Call]:
        """Wait until ``method`` was called ``count`` times (work after ack() is async)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.calls_to(method)) < count:
            if loop.time() > deadline:
                raise TimeoutError(
                    f"{method} called {len(self.calls_to(method))} times, wanted {count}; "
                    f"calls so far: {self.methods()}"
                )
            await asyncio.sleep(0.01)
        return self.calls_to(method)

    async def wait_for_view_update(
        self,
        view_id: str,
        *,
        after: int = 0,
        timeout: float = WAIT_SECONDS,  # noqa: ASYNC109
    ) -> Call:
        """The first views.update of ``view_id`` after the first ``after`` views.update calls."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for call in self.calls_to("views.update")[after:]:
                if call.params.get("view_id") == view_id:
                    return call
            if loop.time() > deadline:
                raise TimeoutError(f"no views.update of {view_id}; calls so far: {self.methods()}")
            await asyncio.sleep(0.01)

    def reset_calls(self) -> None:
        """Forget the recorded calls (users, views and scripts stay)."""
        self.calls.clear()

    # -- the fake's hooks ---------------------------------------------------------------

    def answered(self, call: Call) -> None:
        """Record every call."""
        self.calls.append(call)

    def response_status(self) -> int:
        """200, or the status scripted for "response_url"."""
        failure = self._next_failure("response_url")
        return failure.status if failure else 200

    def answer(
        self, method: str, params: dict[str, Any], headers: Mapping[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """A scripted failure if one is due, else what the fake answers."""
        failure = self._next_failure(method)
        if failure is None:
            return super().answer(method, params, headers)
        extra = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
        error = failure.error or ("ratelimited" if failure.status == 429 else "internal_error")
        return failure.status, {"ok": False, "error": error}, extra

    def _next_failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure


@dataclass
class Workspace:
    """One workspace of the many-workspaces Slack: its name, people and tokens."""

    team_id: str
    name: str
    users: dict[str, SlackUser]
    enterprise_id: str | None = None
    org_install: bool = False  # oauth.v2.access answers an Enterprise Grid org-wide install
    rotating: bool = False  # tokens expire and come with a refresh token
    # seconds a token from a refresh lives (60: within the app's margin, every use rotates;
    # Slack's own is 43200, twelve hours)
    refreshed_expires_in: int = 60
    tokens: list[str] = field(default_factory=list)  # every bot token issued, newest last


class ManyWorkspaces(MockSlack):
    """Slack with several workspaces: oauth.v2.access issues each one its own bot token.

    Every other call must carry a token issued here and not revoked; it is answered as
    that token's workspace (its users, its team id), so a call made with the wrong
    workspace's token sees the wrong people, and an unknown token is ``invalid_auth``.
    """

    def __init__(self, client_id: str, client_secret: str, *workspaces: Workspace) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.workspaces = {w.team_id: w for w in workspaces}
        self.codes: dict[str, str] = {}  # code -> team id
        self.refresh_tokens: dict[str, str] = {}  # refresh token -> team id
        self.revoked: set[str] = set()
        self._serial = itertools.count(1)

    def code_for(self, team_id: str) -> str:
        """The code Slack's authorize page hands the redirect after the admin said yes."""
        code = f"code-{team_id}-{next(self._serial)}"
        self.codes[code] = team_id
        return code

    def team_of(self, call: Call) -> str | None:
        """The workspace whose token a recorded call carried."""
        token = call.token
        return next((w.team_id for w in self.workspaces.values() if token in w.tokens), None)

    def token_of(self, team_id: str) -> str:
        """The newest bot token issued to the workspace."""
        return self.workspaces[team_id].tokens[-1]

    def answer(
        self, method: str, params: dict[str, Any], headers: Mapping[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """oauth.v2.access by client credentials; everything else as the token's team."""
        if method == "oauth.v2.access":
            return 200, self._oauth_v2_access(params, headers), {}
        token = sent_token(params, headers)
        team = next((w for w in self.workspaces.values() if token in w.tokens), None)
        if team is None or token in self.revoked:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        if method == "auth.revoke":
            self.revoked.add(str(token))
            return 200, {"ok": True, "revoked": True}, {}
        # The fake's single-workspace methods, answered as this workspace.
        self.team_id, self.team_name, self.users = team.team_id, team.name, team.users
        self.required_token = token
        return super().answer(method, params, headers)

    def _client_ok(self, headers: Mapping[str, str]) -> bool:
        auth = headers.get("authorization", "")
        if not auth.lower().startswith("basic "):
            return False
        given = base64.b64decode(auth[6:]).decode()
        return given == f"{self.client_id}:{self.client_secret}"

    def _issue(self, team: Workspace, *, refreshed: bool = False) -> dict[str, Any]:
        token = f"xoxb-{team.team_id}-{next(self._serial)}"
        team.tokens.append(token)
        issued: dict[str, Any] = {"access_token": token, "token_type": "bot"}
        if team.rotating:
            refresh = f"xoxe-1-{team.team_id}-{next(self._serial)}"
            self.refresh_tokens[refresh] = team.team_id
            # Expiring within the app's rotation margin: every use rotates it.
            expires_in = team.refreshed_expires_in if refreshed else 60
            issued |= {"refresh_token": refresh, "expires_in": expires_in}
        return issued

    def _oauth_v2_access(
        self, params: dict[str, Any], headers: Mapping[str, str]
    ) -> dict[str, Any]:
        if not self._client_ok(headers):
            return {"ok": False, "error": "invalid_client_id"}
        if params.get("grant_type") == "refresh_token":
            team_id = self.refresh_tokens.pop(str(params.get("refresh_token")), None)
            if team_id is None:
                return {"ok": False, "error": "invalid_refresh_token"}
            team = self.workspaces[team_id]
            return {"ok": True, "team": {"id": team_id}, **self._issue(team, refreshed=True)}
        team_id = self.codes.pop(str(params.get("code")), None)
        if team_id is None:
            return {"ok": False, "error": "invalid_code"}
        team = self.workspaces[team_id]
        enterprise = {"id": team.enterprise_id, "name": "Acme Org"} if team.enterprise_id else None
        return {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": next(iter(team.users), "U0INSTALL")},
            "scope": "commands,chat:write,users:read,files:write,im:write",
            "bot_user_id": BOT_USER,
            "team": None if team.org_install else {"id": team.team_id, "name": team.name},
            "enterprise": enterprise,
            "is_enterprise_install": team.org_install,
            **self._issue(team),
        }
