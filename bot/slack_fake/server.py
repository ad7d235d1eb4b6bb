"""Slack's Web API for one workspace, over real HTTP on 127.0.0.1 (a free port).

The app's real ``AsyncWebClient`` and Bolt's ``respond`` talk HTTP to it exactly as they
would to Slack (point them at ``fake.url``, which ends in "/api/"). It answers the methods
/addons uses, keeps each user's modal stacks and App Home (``ViewModel``), and collects
the messages the app posts and what it sends to response URLs.

Strict (the console): only tokens, triggers and response URLs the fake issued are
accepted, as in Slack. Lenient (the tests, the benchmark): any ``xoxb-`` token (unless one
is required) and any trigger that is not expired; a view pushed with a trigger the fake
did not issue stacks onto the view the trigger came from (``trigger_views``), else onto
the latest modal.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Literal, Self, TypeVar

from aiohttp import web

from bot.slack_fake.files import FileUploads, UploadedFile
from bot.slack_fake.users import SlackUser
from bot.slack_fake.views import Surface, ViewModel
from bot.slack_fake.wire import (
    BOT_ID,
    BOT_USER,
    DEFAULT_TEAM,
    as_view,
    dm_channel,
    sent_token,
    truthy,
    web_api_params,
)

MessageKind = Literal["ephemeral", "dm", "channel"]
Answer = tuple[int, dict[str, Any], dict[str, str]]  # HTTP status, body, extra headers
# How long stopping waits for requests still being answered (a delayed one, say) before
# it cancels them: aiohttp's default is 60 s, and nobody waits for a fake's answer then.
SHUTDOWN_SECONDS = 0.5
U = TypeVar("U", bound=SlackUser)


@dataclass(frozen=True)
class Posted:
    """A message the app posted: ephemeral, a direct message, or in a channel."""

    kind: MessageKind
    user: str | None  # who sees it (ephemeral) or whom it was sent to (DM)
    channel: str
    message: dict[str, Any]
    replaces: bool = False
    files: tuple[UploadedFile, ...] = ()  # shared with the message (files_upload_v2)


@dataclass(frozen=True)
class Call:
    """One request to the fake, as it arrived and was answered."""

    method: str  # "users.info", or "response_url" for posts to a response URL
    params: dict[str, Any]
    headers: dict[str, str]  # lower-case names
    http_method: str
    path: str
    status: int  # what the fake answered

    @property
    def token(self) -> str | None:
        """The token sent, from the Authorization header or a ``token`` parameter."""
        return sent_token(self.params, self.headers)


class FakeSlack(ViewModel, FileUploads, Generic[U]):
    """Slack's Web API, locally: users, views, messages and response URLs kept."""

    def __init__(
        self,
        users: Iterable[U] = (),
        *,
        team_id: str = DEFAULT_TEAM,
        token: str | None = None,
        team_name: str = "Acme",
        host: str = "127.0.0.1",
        strict: bool = False,
    ) -> None:
        ViewModel.__init__(self)
        FileUploads.__init__(self)
        self.team_id = team_id
        self.team_name = team_name
        self.users: dict[str, U] = {user.id: user for user in users}
        self.required_token = token  # None: any "xoxb-" token is accepted
        self.strict = strict
        self.posted: list[Posted] = []  # the console drains it after every step
        self.notes: list[str] = []  # what Slack would have refused, drained likewise
        self.responses: dict[str, list[dict[str, Any]]] = {}  # response URL id -> posts
        self.expired_triggers: set[str] = set()
        # trigger_id -> id of the view whose button made it: views.push stacks onto it.
        self.trigger_views: dict[str, str] = {}
        self.trigger_users: dict[str, str] = {}  # trigger_id -> who pressed
        self.delays: dict[str, float] = {}  # method -> seconds to wait before answering
        self._targets: dict[str, tuple[str | None, str]] = {}  # response URL -> user, channel
        self._ids = itertools.count(1)
        self._host = host
        self._port: int | None = None
        self._runner: web.AppRunner | None = None

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> Self:
        """Listen on a free port of the host (127.0.0.1)."""
        app = web.Application()
        app.router.add_routes(self.routes())  # first: a subclass's routes win
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{rid}", self._handle_response_url)
        self.add_upload_route(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    def routes(self) -> list[web.RouteDef]:
        """Routes a subclass serves besides the Web API (Slack's authorize page, say)."""
        return []

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base(self) -> str:
        """ "http://127.0.0.1:<port>" (no trailing slash)."""
        if self._port is None:
            raise RuntimeError("the fake Slack is not started")
        return f"http://{self._host}:{self._port}"

    @property
    def url(self) -> str:
        """The Web API base URL for slack_sdk/Bolt: "http://127.0.0.1:<port>/api/"."""
        return f"{self.base}/api/"

    api_url = url

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        """The live views by id, each as Slack would return it (a snapshot, oldest first)."""
        return {view_id: s.full(self.team_id) for view_id, s in self.surfaces.items()}

    def full_view(self, view_id: str) -> dict[str, Any]:
        """One live view as Slack would return it (KeyError when there is none)."""
        return self.surfaces[view_id].full(self.team_id)

    def response_url(self, user: str | None = None, channel: str = "") -> str:
        """A fresh response_url (for a command of ``user`` in ``channel``) served here."""
        rid = f"R{next(self._ids):06d}"
        self._targets[rid] = (user, channel)
        self.responses.setdefault(rid, [])
        return f"{self.base}/response/{rid}"

    def trigger(self, user: str, view_id: str | None = None) -> str:
        """A trigger_id for an interaction of ``user`` (in view ``view_id``, if any)."""
        trigger = f"{next(self._ids)}.{self.team_id}.fake"
        self.trigger_users[trigger] = user
        if view_id is not None:
            self.trigger_views[trigger] = view_id
        return trigger

    # -- HTTP ---------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await web_api_params(request)
        headers = {k.lower(): v for k, v in request.headers.items()}
        delay = self.delays.get(method)
        if delay:
            await asyncio.sleep(delay)
        status, body, extra = self.answer(method, params, headers)
        self.answered(Call(method, params, headers, request.method, request.path, status))
        return web.json_response(body, status=status, headers=extra)

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        rid = request.match_info["rid"]
        if self.strict and rid not in self._targets:
            return web.Response(status=404, text="no_such_response_url")
        params = await web_api_params(request)
        headers = {k.lower(): v for k, v in request.headers.items()}
        status = self.response_status()
        self.answered(Call("response_url", params, headers, request.method, request.path, status))
        if status == 200:
            self.responses.setdefault(rid, []).append(params)
            self._collect_response(rid, params)
        return web.Response(text="ok" if status == 200 else "error", status=status)

    def response_status(self) -> int:
        """The HTTP status of the next post to a response URL (200; tests script others)."""
        return 200

    def answered(self, call: Call) -> None:
        """Called for every request once answered (tests record them)."""

    def answer(self, method: str, params: dict[str, Any], headers: Mapping[str, str]) -> Answer:
        """What Slack answers to ``method`` called with ``params``."""
        token = sent_token(params, headers)
        if not token:
            body: dict[str, Any] = {"ok": False, "error": "not_authed"}
        elif token != self.required_token and (
            self.required_token is not None or not token.startswith("xoxb-")
        ):
            body = {"ok": False, "error": "invalid_auth"}
        else:
            handler = getattr(self, "_api_" + method.replace(".", "_"), None)
            if handler is None:
                self.notes.append(f"the app called {method}, which the fake Slack does not offer")
                return 200, {"ok": False, "error": "unknown_method"}, {}
            body = handler(params)
        if not body.get("ok"):
            self.notes.append(f"Slack would refuse {method}: {body.get('error')}")
        return 200, body, {}

    def _collect_response(self, rid: str, params: dict[str, Any]) -> None:
        user, channel = self._targets.get(rid, (None, ""))
        kind: MessageKind = (
            "channel" if params.get("response_type") == "in_channel" else "ephemeral"
        )
        if params.get("delete_original"):
            self.posted.append(Posted(kind, user, channel, {"text": "(message deleted)"}))
        else:
            replaces = bool(params.get("replace_original"))
            self.posted.append(Posted(kind, user, channel, params, replaces=replaces))

    # -- the methods --------------------------------------------------------------------

    def _api_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{self.team_name.lower()}.slack.invalid/",
            "team": self.team_name,
            "user": "addons",
            "team_id": self.team_id,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _api_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(params.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        include = truthy(params.get("include_locale"))
        return {"ok": True, "user": user.to_api(self.team_id, include)}

    def _triggered(self, params: Mapping[str, Any]) -> tuple[str, str | None] | dict[str, Any]:
        """(trigger, who pressed) of a views.open/push call, or Slack's error answer."""
        trigger = str(params.get("trigger_id") or params.get("interactivity_pointer") or "")
        if not trigger:
            return {"ok": False, "error": "invalid_arguments"}
        if trigger in self.expired_triggers:
            return {"ok": False, "error": "expired_trigger_id"}
        user = self.trigger_users.get(trigger)
        if user is None and self.strict:
            return {"ok": False, "error": "invalid_trigger_id"}
        return trigger, user

    def _api_views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        found = self._triggered(params)
        view = as_view(params.get("view"))
        if isinstance(found, dict):
            return found
        if view is None:
            return {"ok": False, "error": "invalid_arguments"}
        user = found[1]
        surface = self.add_view(None, view) if user is None else self.open(user, view)
        return {"ok": True, "view": surface.full(self.team_id)}

    def _api_views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        found = self._triggered(params)
        view = as_view(params.get("view"))
        if isinstance(found, dict):
            return found
        if view is None:
            return {"ok": False, "error": "invalid_arguments"}
        trigger, user = found
        surface: Surface | None
        if user is None:  # who pressed is unknown: onto the view the trigger came from
            below = self.surfaces.get(self.trigger_views.get(trigger, ""))
            surface = self.add_view(None, view, below or self.latest_modal())
        else:
            surface = self.push(user, view)
        if surface is None:
            return {"ok": False, "error": "push_limit_reached"}
        return {"ok": True, "view": surface.full(self.team_id)}

    def _api_views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        surface = self.find(params.get("view_id"), params.get("external_id"))
        if surface is None:
            return {"ok": False, "error": "not_found"}
        if params.get("hash") and params["hash"] != surface.hash:
            return {"ok": False, "error": "hash_conflict"}
        view = as_view(params.get("view"))
        if view is None:
            return {"ok": False, "error": "invalid_arguments"}
        surface.replace(view)
        return {"ok": True, "view": surface.full(self.team_id)}

    def _api_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user = str(params.get("user_id") or "")
        view = as_view(params.get("view"))
        if user not in self.users:
            return {"ok": False, "error": "user_not_found"}
        if view is None or view.get("type") != "home":
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self.publish(user, view).full(self.team_id)}

    def _ts(self) -> str:
        return f"1760000000.{next(self._ids):06d}"

    def _dm_user(self, channel: str) -> str | None:
        if channel in self.users:
            return channel
        return next((u for u in self.users if dm_channel(u) == channel), None)

    def _api_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel") or "")
        user = self._dm_user(channel)
        if not channel or (channel.startswith(("U", "W", "D")) and user is None):
            return {"ok": False, "error": "channel_not_found"}
        self.posted.append(Posted("dm" if user else "channel", user, channel, params))
        ts = self._ts()
        message = {
            "type": "message",
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "ts": ts,
            "text": params.get("text", ""),
            "blocks": params.get("blocks", []),
        }
        answered = dm_channel(user) if user else channel
        return {"ok": True, "channel": answered, "ts": ts, "message": message}

    def _api_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        user = str(params.get("user") or "")
        if not params.get("channel") or not user:
            return {"ok": False, "error": "invalid_arguments"}
        if user not in self.users:
            return {"ok": False, "error": "user_not_in_channel"}
        self.posted.append(Posted("ephemeral", user, str(params["channel"]), params))
        return {"ok": True, "message_ts": self._ts()}

    def _api_files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.announce_upload(params, self.base)

    def _api_files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel_id") or "")
        user = self._dm_user(channel)
        if channel.startswith(("U", "W", "D")) and user is None:
            return {"ok": False, "error": "channel_not_found"}
        shared = self.complete_upload(params)
        if isinstance(shared, str):
            return {"ok": False, "error": shared}
        if channel:
            blocks = params.get("blocks") or []  # decoded by web_api_params
            if isinstance(blocks, str):
                blocks = json.loads(blocks)
            message = {"text": params.get("initial_comment") or "", "blocks": blocks}
            kind: MessageKind = "dm" if user else "channel"
            self.posted.append(Posted(kind, user, channel, message, files=tuple(shared)))
        described = [
            {"id": f.id, "name": f.filename, "title": f.title, "size": len(f.content)}
            for f in shared
        ]
        return {"ok": True, "files": described}

    def _api_conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = str(params.get("users") or "")
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        first = users.split(",")[0]
        if first not in self.users:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": dm_channel(first)}}
