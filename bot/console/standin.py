"""An in-process stand-in for Slack's Web API, for the offline console.

It listens on 127.0.0.1 (a free port) inside the console's own event loop, so the app's
real ``AsyncWebClient`` and Bolt's ``respond`` talk HTTP to it exactly as they would to
Slack. It answers the methods /addons uses, keeps each user's modal stack and App Home
the way Slack does (open, push, update, publish; the console pops and clears on the
app's answers), and collects the messages the app posts so the console can print them.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl

from aiohttp import web

BOT_USER = "U0ADDONSBOT"
BOT_ID = "B0ADDONSBOT"
APP_ID = "A0ADDONSAPP"
MAX_STACK = 3  # Slack keeps at most three views in a modal stack
_JSON_FIELDS = ("view", "blocks", "attachments", "metadata")


async def web_api_params(request: web.Request) -> dict[str, Any]:
    """The arguments of a Web API call as slack_sdk sends them: query, form or JSON body,
    with the JSON-encoded fields (view, blocks, ...) decoded."""
    params: dict[str, Any] = dict(request.query)
    raw = await request.read()
    if raw:
        text = raw.decode("utf-8")
        if request.content_type == "application/json" or text.lstrip().startswith("{"):
            body = json.loads(text)
            if isinstance(body, dict):
                params.update(body)
        else:
            params.update(dict(parse_qsl(text, keep_blank_values=True)))
    for name in _JSON_FIELDS:
        value = params.get(name)
        if isinstance(value, str) and value[:1] in ("{", "["):
            with contextlib.suppress(ValueError):  # keep what is not JSON as sent
                params[name] = json.loads(value)
    return params

MessageKind = Literal["ephemeral", "dm", "channel"]


@dataclass
class ConsoleUser:
    """A member of the demo workspace as users.info describes them."""

    id: str
    name: str
    is_admin: bool
    locale: str = "de-DE"

    @property
    def role(self) -> str:
        return "admin" if self.is_admin else "member"

    def to_api(self, team_id: str, include_locale: bool) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": self.id, "team_id": team_id, "name": self.name,
            "real_name": self.name.replace(".", " ").title(), "deleted": False,
            "is_admin": self.is_admin, "is_owner": False, "is_primary_owner": False,
            "is_restricted": False, "is_ultra_restricted": False, "is_bot": False,
            "tz": "Europe/Berlin", "profile": {"display_name": self.name},
        }
        if include_locale:
            user["locale"] = self.locale
        return user


@dataclass
class Surface:
    """A view as Slack keeps it: the app's view, its id and version, what was typed."""

    id: str
    user: str
    view: dict[str, Any]
    version: int = 1
    previous: str | None = None
    root: str = ""
    values: dict[tuple[str, str], str | None] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return str(self.view.get("type", "modal"))

    @property
    def hash(self) -> str:
        return f"{self.id}.{self.version}"

    def inputs(self) -> Iterable[tuple[str, dict[str, Any]]]:
        """(block_id, element) of every input block."""
        for block in self.view.get("blocks", []):
            if block.get("type") == "input" and isinstance(block.get("element"), dict):
                yield str(block.get("block_id", "")), block["element"]

    def state_values(self) -> dict[str, Any]:
        """``view.state.values`` as Slack sends it: what was typed, else the initial value."""
        values: dict[str, Any] = {}
        for block_id, element in self.inputs():
            action_id = str(element.get("action_id", ""))
            if (block_id, action_id) in self.values:
                value = self.values[(block_id, action_id)]
            else:
                initial = element.get("initial_value")
                value = None if initial is None else str(initial)
            values.setdefault(block_id, {})[action_id] = {
                "type": element.get("type", "plain_text_input"), "value": value}
        return values

    def replace(self, view: dict[str, Any]) -> None:
        """A views.update: typed values survive where block and action ids stay the same."""
        self.view = view
        keep = {(block_id, str(element.get("action_id", "")))
                for block_id, element in self.inputs()}
        self.values = {key: value for key, value in self.values.items() if key in keep}
        self.errors = {}
        self.version += 1

    def full(self, team_id: str) -> dict[str, Any]:
        """The view object Slack returns and puts into payloads."""
        view = self.view
        return {
            "id": self.id, "team_id": team_id, "type": self.type,
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": self.state_values()},
            "hash": self.hash, "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"), "submit": view.get("submit"),
            "previous_view_id": self.previous, "root_view_id": self.root or self.id,
            "app_id": APP_ID, "external_id": view.get("external_id", ""),
            "app_installed_team_id": team_id, "bot_id": BOT_ID,
        }


@dataclass(frozen=True)
class Posted:
    """A message the app posted: ephemeral, a direct message, or in a channel."""

    kind: MessageKind
    user: str | None  # who sees it (ephemeral) or whom it was sent to (DM)
    channel: str
    message: dict[str, Any]
    replaces: bool = False


def _as_view(value: object) -> dict[str, Any] | None:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    return value if isinstance(value, dict) else None


class SlackStandIn:
    """Slack's Web API for one workspace, on 127.0.0.1, with views and messages kept."""

    def __init__(self, team_id: str, users: Iterable[ConsoleUser], token: str,
                 team_name: str = "Demo") -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.token = token
        self.users = {user.id: user for user in users}
        self.views: dict[str, Surface] = {}
        self.stacks: dict[str, list[str]] = {}  # user -> modal view ids, bottom first
        self.homes: dict[str, str] = {}  # user -> App Home view id
        self.posted: list[Posted] = []  # drained by the console after every step
        self.notes: list[str] = []  # what Slack would have refused, drained likewise
        self._triggers: dict[str, tuple[str, str | None]] = {}
        self._responses: dict[str, tuple[str, str]] = {}  # response url id -> user, channel
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> SlackStandIn:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{rid}", self._handle_response_url)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base(self) -> str:
        if self._port is None:
            raise RuntimeError("the Slack stand-in is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        """Base URL for slack_sdk: ends in "/api/"."""
        return f"{self.base}/api/"

    def response_url(self, user: str, channel: str) -> str:
        """A fresh response_url for a slash command typed by ``user`` in ``channel``."""
        rid = f"R{next(self._ids):06d}"
        self._responses[rid] = (user, channel)
        return f"{self.base}/response/{rid}"

    def trigger(self, user: str, view_id: str | None = None) -> str:
        """A trigger_id for an interaction of ``user`` (in view ``view_id``, if any)."""
        trigger = f"{next(self._ids)}.{self.team_id}.console"
        self._triggers[trigger] = (user, view_id)
        return trigger

    # -- the view stack, as the console drives it --------------------------------------

    def top(self, user: str) -> Surface | None:
        """The modal the user sees, if any."""
        stack = self.stacks.get(user) or []
        return self.views[stack[-1]] if stack else None

    def home(self, user: str) -> Surface | None:
        view_id = self.homes.get(user)
        return self.views.get(view_id) if view_id else None

    def _new(self, user: str, view: dict[str, Any], previous: str | None = None,
             root: str | None = None) -> Surface:
        view_id = f"V{next(self._ids):09d}"
        surface = Surface(view_id, user, view, previous=previous, root=root or view_id)
        self.views[view_id] = surface
        return surface

    def open(self, user: str, view: dict[str, Any]) -> Surface:
        """views.open: a new modal stack (whatever was open is gone)."""
        self.clear(user)
        surface = self._new(user, view)
        self.stacks[user] = [surface.id]
        return surface

    def push(self, user: str, view: dict[str, Any]) -> Surface | None:
        """views.push / response_action push; None when the stack is full."""
        stack = self.stacks.setdefault(user, [])
        if len(stack) >= MAX_STACK:
            return None
        below = self.views[stack[-1]] if stack else None
        surface = self._new(user, view, previous=below.id if below else None,
                            root=below.root if below else None)
        stack.append(surface.id)
        return surface

    def close(self, user: str, view_id: str) -> None:
        """Close ``view_id`` (and anything above it): the view underneath shows again."""
        stack = self.stacks.get(user) or []
        if view_id in stack:
            for gone in stack[stack.index(view_id):]:
                self.views.pop(gone, None)
            del stack[stack.index(view_id):]

    def clear(self, user: str) -> None:
        """Close the whole modal stack."""
        for gone in self.stacks.pop(user, []):
            self.views.pop(gone, None)

    # -- HTTP ---------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await web_api_params(request)
        auth = request.headers.get("Authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else params.get("token")
        if token != self.token:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            self.notes.append(f"the app called {method}, which the console does not offer")
            return web.json_response({"ok": False, "error": "unknown_method"})
        answer: dict[str, Any] = handler(params)
        if not answer.get("ok"):
            self.notes.append(f"Slack would refuse {method}: {answer.get('error')}")
        return web.json_response(answer)

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        rid = request.match_info["rid"]
        if rid not in self._responses:
            return web.Response(status=404, text="no_such_response_url")
        params = await web_api_params(request)
        user, channel = self._responses[rid]
        kind: MessageKind = ("channel" if params.get("response_type") == "in_channel"
                             else "ephemeral")
        if params.get("delete_original"):
            self.posted.append(Posted(kind, user, channel, {"text": "(message deleted)"}))
        else:
            self.posted.append(Posted(kind, user, channel, params,
                                      replaces=bool(params.get("replace_original"))))
        return web.Response(text="ok")

    # -- the methods --------------------------------------------------------------------

    def _api_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://demo.slack.invalid/", "team": self.team_name,
                "user": "addons", "team_id": self.team_id, "user_id": BOT_USER,
                "bot_id": BOT_ID, "is_enterprise_install": False}

    def _api_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(params.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        include = str(params.get("include_locale", "")).lower() in ("1", "true")
        return {"ok": True, "user": user.to_api(self.team_id, include)}

    def _trigger(self, params: Mapping[str, Any]) -> tuple[str, str | None] | None:
        return self._triggers.get(str(params.get("trigger_id")
                                      or params.get("interactivity_pointer") or ""))

    def _triggered_view(self, params: Mapping[str, Any]
                        ) -> tuple[str, dict[str, Any]] | dict[str, Any]:
        """(user, view) of a views.open/push call, or Slack's error answer."""
        origin = self._trigger(params)
        view = _as_view(params.get("view"))
        if origin is None:
            return {"ok": False, "error": "invalid_trigger_id"}
        if view is None:
            return {"ok": False, "error": "invalid_arguments"}
        return origin[0], view

    def _api_views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        found = self._triggered_view(params)
        if isinstance(found, dict):
            return found
        return {"ok": True, "view": self.open(*found).full(self.team_id)}

    def _api_views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        found = self._triggered_view(params)
        if isinstance(found, dict):
            return found
        surface = self.push(*found)
        if surface is None:
            return {"ok": False, "error": "push_limit_reached"}
        return {"ok": True, "view": surface.full(self.team_id)}

    def _api_views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view = _as_view(params.get("view"))
        surface = self.views.get(str(params.get("view_id") or ""))
        if surface is None and params.get("external_id"):
            surface = next((s for s in self.views.values()
                            if s.view.get("external_id") == params["external_id"]), None)
        if surface is None:
            return {"ok": False, "error": "not_found"}
        if params.get("hash") and params["hash"] != surface.hash:
            return {"ok": False, "error": "hash_conflict"}
        if view is None:
            return {"ok": False, "error": "invalid_arguments"}
        surface.replace(view)
        return {"ok": True, "view": surface.full(self.team_id)}

    def _api_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user = str(params.get("user_id") or "")
        view = _as_view(params.get("view"))
        if user not in self.users:
            return {"ok": False, "error": "user_not_found"}
        if view is None or view.get("type") != "home":
            return {"ok": False, "error": "invalid_arguments"}
        surface = self.home(user)
        if surface is None:
            surface = self._new(user, view)
            self.homes[user] = surface.id
        else:
            surface.replace(view)
        return {"ok": True, "view": surface.full(self.team_id)}

    def _ts(self) -> str:
        return f"1760000000.{next(self._ids):06d}"

    def _dm_user(self, channel: str) -> str | None:
        if channel in self.users:
            return channel
        return next((u for u in self.users if dm_channel(u) == channel), None)

    def _api_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        user = self._dm_user(channel)
        if channel.startswith(("U", "W", "D")) and user is None:
            return {"ok": False, "error": "channel_not_found"}
        self.posted.append(Posted("dm" if user else "channel", user, channel, params))
        ts = self._ts()
        return {"ok": True, "channel": dm_channel(user) if user else channel, "ts": ts,
                "message": {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "ts": ts,
                            "text": params.get("text", ""), "blocks": params.get("blocks", [])}}

    def _api_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        user = str(params.get("user") or "")
        if not params.get("channel") or user not in self.users:
            return {"ok": False, "error": "user_not_in_channel"}
        self.posted.append(Posted("ephemeral", user, str(params["channel"]), params))
        return {"ok": True, "message_ts": self._ts()}

    def _api_conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = str(params.get("users") or "")
        first = users.split(",")[0]
        if first not in self.users:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": dm_channel(first)}}


def dm_channel(user: str) -> str:
    """The direct-message channel between the app and ``user``."""
    return "D" + user.lstrip("UW")
