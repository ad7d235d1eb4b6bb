"""A local stand-in for Slack's Web API (aiohttp on 127.0.0.1, a free port).

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
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.console.standin import web_api_params

DEFAULT_TEAM = "T0ADDONS1"
BOT_TOKEN = "xoxb-addons-test"  # the token the slack_mock fixture accepts
BOT_USER = "U0ADDONSBOT"
BOT_ID = "B0ADDONSBOT"
APP_ID = "A0ADDONS01"
OTHER_TEAM = "T0OTHER001"
# The people of the default workspace (see default_users()).
ADMIN = "U0ADMIN001"  # workspace admin, German
OWNER = "U0OWNER001"  # workspace owner, English
MEMBER = "U0MEMBER01"  # ordinary member, German
MEMBER_EN = "U0MEMBER02"  # ordinary member, English
FRENCH_ADMIN = "U0ADMIN002"  # admin with a locale the app does not speak
OUTSIDER = "U0OTHER001"  # admin of another workspace


@dataclass
class SlackUser:
    """A member of a workspace as users.info describes it."""

    id: str
    team_id: str = DEFAULT_TEAM
    is_admin: bool = False
    is_owner: bool = False
    locale: str = "de-DE"
    name: str | None = None
    is_primary_owner: bool = False
    is_bot: bool = False
    deleted: bool = False
    tz: str = "Europe/Berlin"

    def to_api(self, include_locale: bool) -> dict[str, Any]:
        """The ``user`` object of a users.info answer."""
        name = self.name or self.id.lower()
        user: dict[str, Any] = {
            "id": self.id,
            "team_id": self.team_id,
            "name": name,
            "real_name": name.title(),
            "deleted": self.deleted,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_primary_owner,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "tz": self.tz,
            "profile": {"real_name": name.title(), "display_name": name},
        }
        if include_locale:
            user["locale"] = self.locale
        return user


def default_users() -> list[SlackUser]:
    """Admins, an owner and members in German and English, and another team's admin."""
    return [
        SlackUser(ADMIN, is_admin=True, locale="de-DE", name="anna.admin"),
        SlackUser(OWNER, is_admin=True, is_owner=True, is_primary_owner=True, locale="en-US",
                  name="olivia.owner"),
        SlackUser(MEMBER, locale="de-DE", name="max.mitglied"),
        SlackUser(MEMBER_EN, locale="en-GB", name="mary.member"),
        SlackUser(FRENCH_ADMIN, is_admin=True, locale="fr-FR", name="fanny.admin"),
        SlackUser(OUTSIDER, team_id=OTHER_TEAM, is_admin=True, locale="de-DE",
                  name="otto.fremd"),
    ]


@dataclass(frozen=True)
class Call:
    """One recorded request to the mock."""

    method: str  # "users.info", or "response_url" for posts to a response URL
    params: dict[str, Any]
    headers: dict[str, str]  # lower-case names
    http_method: str
    path: str
    status: int  # what the mock answered

    @property
    def token(self) -> str | None:
        """The token sent, from the Authorization header or a ``token`` parameter."""
        auth = self.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:]
        token = self.params.get("token")
        return token if isinstance(token, str) else None


@dataclass
class Failure:
    """A scripted answer for the next ``times`` calls of one method."""

    status: int = 500
    error: str | None = None
    retry_after: int | None = None
    times: int = 1


@dataclass
class _Stored:
    view: dict[str, Any]
    version: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


def _truthy(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("1", "true"))


class MockSlack:
    """Slack's Web API, locally: records calls, stores views, can be told to fail."""

    def __init__(
        self,
        users: Iterable[SlackUser] = (),
        *,
        team_id: str = DEFAULT_TEAM,
        token: str | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.team_id = team_id
        self.users: dict[str, SlackUser] = {u.id: u for u in users}
        self.required_token = token  # None: any "xoxb-" token is accepted
        self.calls: list[Call] = []
        self.responses: dict[str, list[dict[str, Any]]] = {}  # response URL id -> posts
        self.views: dict[str, dict[str, Any]] = {}  # view id -> the view as Slack has it
        self.home: dict[str, dict[str, Any]] = {}  # user id -> published App Home view
        self.expired_triggers: set[str] = set()
        # trigger_id -> id of the view whose button made it: views.push stacks onto it,
        # as Slack does (the harness fills this from every interaction it sends).
        self.trigger_views: dict[str, str] = {}
        self.delays: dict[str, float] = {}  # method -> seconds to wait before answering
        self._failures: dict[str, list[Failure]] = {}
        self._host = host
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._ids = itertools.count(1)
        self._stored: dict[str, _Stored] = {}

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> MockSlack:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{rid}", self._handle_response_url)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> MockSlack:
        return await self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.stop()

    @property
    def base(self) -> str:
        """ "http://127.0.0.1:<port>" (no trailing slash)."""
        if self._port is None:
            raise RuntimeError("MockSlack is not started")
        return f"http://{self._host}:{self._port}"

    @property
    def url(self) -> str:
        """The Web API base URL for slack_sdk/Bolt: "http://127.0.0.1:<port>/api/"."""
        return f"{self.base}/api/"

    def new_response_url(self) -> str:
        """A fresh response_url (as in a slash command or message action) served here."""
        rid = f"R{next(self._ids):06d}"
        self.responses.setdefault(rid, [])
        return f"{self.base}/response/{rid}"

    # -- scripting ----------------------------------------------------------------------

    def add_user(self, user: SlackUser) -> SlackUser:
        """Add or replace a user that users.info knows."""
        self.users[user.id] = user
        return user

    def fail(self, method: str, *, status: int = 500, error: str | None = None,
             retry_after: int | None = None, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with this failure.

        ``status`` 500 gives an HTTP error; 429 with ``retry_after`` is Slack's rate
        limit; ``status=200, error="expired_trigger_id"`` an ``ok: false`` answer.
        """
        self._failures.setdefault(method, []).append(
            Failure(status, error, retry_after, times))

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
        names = (method,) if method else ("views.open", "views.push", "views.update",
                                          "views.publish")
        for call in reversed(self.calls):
            if call.method in names and isinstance(call.params.get("view"), dict):
                view: dict[str, Any] = call.params["view"]
                return view
        raise LookupError(f"no view was sent via {names}")

    def response_posts(self) -> list[dict[str, Any]]:
        """Everything posted to any response URL, oldest first."""
        return [call.params for call in self.calls if call.method == "response_url"]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until ``method`` was called ``count`` times (work after ack() is async)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.calls_to(method)) < count:
            if loop.time() > deadline:
                raise TimeoutError(
                    f"{method} called {len(self.calls_to(method))} times, wanted {count}; "
                    f"calls so far: {self.methods()}")
            await asyncio.sleep(0.01)
        return self.calls_to(method)

    def reset_calls(self) -> None:
        """Forget the recorded calls (users, views and scripts stay)."""
        self.calls.clear()

    # -- HTTP ---------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await web_api_params(request)
        headers = {k.lower(): v for k, v in request.headers.items()}
        delay = self.delays.get(method)
        if delay:
            await asyncio.sleep(delay)
        status, body, extra_headers = self._answer(method, params, headers)
        self.calls.append(Call(method, params, headers, request.method, request.path, status))
        return web.json_response(body, status=status, headers=extra_headers)

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        rid = request.match_info["rid"]
        params = await web_api_params(request)
        headers = {k.lower(): v for k, v in request.headers.items()}
        failure = self._next_failure("response_url")
        status = failure.status if failure else 200
        self.calls.append(Call("response_url", params, headers, request.method, request.path,
                               status))
        if failure is None:
            self.responses.setdefault(rid, []).append(params)
        return web.Response(text="ok" if status == 200 else "error", status=status)

    def _next_failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    def _answer(
        self, method: str, params: dict[str, Any], headers: Mapping[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        failure = self._next_failure(method)
        if failure is not None:
            extra = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            error = failure.error or ("ratelimited" if failure.status == 429
                                      else "internal_error")
            return failure.status, {"ok": False, "error": error}, extra
        token = headers.get("authorization", "")
        token = token[7:] if token.lower().startswith("bearer ") else params.get("token", "")
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if (self.required_token is not None and token != self.required_token) or (
            self.required_token is None and not str(token).startswith("xoxb-")
        ):
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        body: dict[str, Any] = handler(params)
        return 200, body, {}

    # -- the methods --------------------------------------------------------------------

    def _api_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://acme.slack.com/", "team": "Acme",
                "user": "addons", "team_id": self.team_id, "user_id": BOT_USER,
                "bot_id": BOT_ID, "is_enterprise_install": False}

    def _api_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(params.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user.to_api(_truthy(params.get("include_locale")))}

    def _store(self, view: object, *, view_id: str | None = None,
               previous: str | None = None, root: str | None = None) -> dict[str, Any]:
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        if view_id is None:
            view_id = f"V{next(self._ids):010d}"
            stored = _Stored(dict(view))
            self._stored[view_id] = stored
        else:
            stored = self._stored[view_id]
            stored.view = dict(view)
            stored.version += 1
        full = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view.get("type", "modal"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{view_id}.{stored.version}",
            "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": previous,
            "root_view_id": root or view_id,
            "app_id": APP_ID,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": BOT_ID,
        }
        stored.extra = {"previous_view_id": previous, "root_view_id": root or view_id}
        self.views[view_id] = full
        return {"ok": True, "view": full}

    def _trigger_error(self, params: dict[str, Any]) -> dict[str, Any] | None:
        trigger = params.get("trigger_id") or params.get("interactivity_pointer")
        if not trigger:
            return {"ok": False, "error": "invalid_arguments"}
        if trigger in self.expired_triggers:
            return {"ok": False, "error": "expired_trigger_id"}
        return None

    def _api_views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._trigger_error(params) or self._store(params.get("view"))

    def _api_views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        error = self._trigger_error(params)
        if error:
            return error
        # Slack pushes onto the stack of the view the trigger came from. When the test said
        # which one that was (trigger_views), use it; otherwise the most recent modal.
        previous = self.trigger_views.get(
            str(params.get("trigger_id") or params.get("interactivity_pointer") or ""))
        if previous not in self.views:
            modals = [vid for vid, v in self.views.items() if v["type"] == "modal"]
            previous = modals[-1] if modals else None
        root = self.views[previous]["root_view_id"] if previous else None
        return self._store(params.get("view"), previous=previous, root=root)

    def _api_views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = params.get("view_id")
        if not view_id and params.get("external_id"):
            matches = [vid for vid, v in self.views.items()
                       if v.get("external_id") == params["external_id"]]
            view_id = matches[-1] if matches else None
        if not view_id or view_id not in self._stored:
            return {"ok": False, "error": "not_found"}
        current = self.views[view_id]
        if params.get("hash") and params["hash"] != current["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        extra = self._stored[view_id].extra
        return self._store(params.get("view"), view_id=view_id,
                           previous=extra.get("previous_view_id"), root=extra.get("root_view_id"))

    def _api_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        if not user_id or user_id not in self.users:
            return {"ok": False, "error": "user_not_found"}
        existing = self.home.get(user_id)
        answer = self._store(params.get("view"), view_id=existing["id"] if existing else None)
        if answer["ok"]:
            self.home[user_id] = answer["view"]
        return answer

    def _ts(self) -> str:
        return f"1760000000.{next(self._ids):06d}"

    def _api_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("channel") or not params.get("user"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "message_ts": self._ts()}

    def _api_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        ts = self._ts()
        message = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "ts": ts,
                   "text": params.get("text", ""), "blocks": params.get("blocks", [])}
        return {"ok": True, "channel": params["channel"], "ts": ts, "message": message}

    def _api_conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = params.get("users")
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        first = str(users).split(",")[0]
        return {"ok": True, "channel": {"id": f"D{first.lstrip('UW')[:9]:0>9}"}}
