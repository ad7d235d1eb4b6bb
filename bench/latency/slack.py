"""Slack's side of the latency benchmark: the fake Web API, stamping each views call."""

from __future__ import annotations

import contextvars
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.slack_fake import BOT_TOKEN, Call, FakeSlack, SlackUser
from handlers import blocks
from handlers.i18n import t

_ARRIVED: contextvars.ContextVar[float] = contextvars.ContextVar("arrived")
BUSY_TEXTS = tuple(t(lang, "error.busy") for lang in ("de", "en"))
BARE_MODAL = "bare_modal"  # the one-line modal the bare baseline opens on /addons


@dataclass(frozen=True)
class Stamp:
    """A views call as it reached the fake: when, whether it was accepted, which view."""

    at: float  # time.perf_counter() when the fake's handler started on it
    ok: bool
    view_id: str | None
    shows: str  # "loading", "overview", "notice", "working", "confirmation", "modal", ...
    busy: bool = False  # a notice saying "busy, nothing was changed"


def shows(view: object) -> str:
    """What a view sent by the app is: the loading modal, the overview, a notice, ..."""
    if not isinstance(view, Mapping):
        return "?"
    callback = view.get("callback_id")
    if callback == blocks.CALLBACK_OVERVIEW:
        first = (view.get("blocks") or [{}])[0]
        return "loading" if first.get("block_id") == "loading" else "overview"
    if callback == blocks.CALLBACK_NOTICE:
        return "notice"
    if callback == blocks.CALLBACK_CONFIRM_BOOKING:
        return "confirmation"
    if callback == blocks.CALLBACK_WORKING:
        return "working"
    if callback == BARE_MODAL:
        return "modal"
    return str(callback)


def says_busy(view: object) -> bool:
    """Whether a view is the app's "busy, nothing was changed"."""
    text = json.dumps(view, ensure_ascii=False)
    return any(json.dumps(busy, ensure_ascii=False)[1:-1] in text for busy in BUSY_TEXTS)


def working_ack(body: str) -> bool:
    """Whether an ack replaces the submitted view with "Wird gebucht …" (answer first)."""
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    return (
        isinstance(answer, dict)
        and answer.get("response_action") == "update"
        and shows(answer.get("view")) == "working"
    )


def busy_notice(body: str) -> bool:
    """Whether an ack replaces the submitted view with the app's "busy, nothing changed"."""
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    if not isinstance(answer, dict) or answer.get("response_action") != "update":
        return False
    text = json.dumps(answer.get("view"), ensure_ascii=False)
    return shows(answer.get("view")) == "notice" and any(
        json.dumps(busy, ensure_ascii=False)[1:-1] in text for busy in BUSY_TEXTS
    )


class TimedFakeSlack(FakeSlack[SlackUser]):
    """The fake Slack that also notes when each views call arrived, by trigger or view id."""

    def __init__(self, users: Sequence[SlackUser]) -> None:
        super().__init__(users, token=BOT_TOKEN)
        self.by_trigger: dict[str, Stamp] = {}  # views.open / views.push
        self.updates: dict[str, list[Stamp]] = {}  # views.update, by view_id
        self.refused: dict[str, int] = {}  # "method: error" -> how often
        self.replies = 0  # posts to a response URL

    async def _handle_api(self, request: web.Request) -> web.Response:
        _ARRIVED.set(time.perf_counter())  # each request is its own task: its own context
        return await super()._handle_api(request)

    def answered(self, call: Call) -> None:
        """Count the replies sent to a response URL (none are expected)."""
        if call.method == "response_url":
            self.replies += 1

    def answer(
        self, method: str, params: dict[str, Any], headers: Mapping[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """The fake's answer, stamped when it is a views call."""
        status, body, extra = super().answer(method, params, headers)
        ok = status == 200 and body.get("ok") is True
        if not ok:
            reason = f"{method}: {body.get('error') or status}"
            self.refused[reason] = self.refused.get(reason, 0) + 1
        if method in ("views.open", "views.push", "views.update"):
            view = body.get("view") if ok else None
            sent = params.get("view")
            shown = shows(sent)
            stamp = Stamp(
                _ARRIVED.get(),
                ok,
                str(view["id"]) if view else None,
                shown,
                shown == "notice" and says_busy(sent),
            )
            if method == "views.update":
                self.updates.setdefault(str(params.get("view_id")), []).append(stamp)
            else:
                self.by_trigger[str(params.get("trigger_id"))] = stamp
        return status, body, extra

    def copy_view(
        self, view_id: str, *, below: str | None = None, **changes: Any
    ) -> dict[str, Any]:
        """A new view with the content of ``view_id`` (as the app sent it), stacked on
        ``below``; what Slack would hold had the admin opened it once more."""
        sent = dict(self.surfaces[view_id].view, **changes)
        under = self.surfaces[below] if below else None
        return self.add_view(None, sent, under).full(self.team_id)


def slack_users(workspaces: int, admins: int) -> list[SlackUser]:
    """``admins`` workspace admins in each of ``workspaces`` workspaces, German and English."""
    return [
        SlackUser(
            admin_id(w, a),
            team_id=team_id(w),
            is_admin=True,
            locale="de-DE" if a % 2 == 0 else "en-US",
            name=f"admin{w}-{a}",
        )
        for w in range(workspaces)
        for a in range(admins)
    ]


def team_id(w: int) -> str:
    """The id of workspace number ``w``."""
    return f"T{w:07d}B"


def admin_id(w: int, a: int) -> str:
    """The id of admin ``a`` of workspace ``w``."""
    return f"U{w:07d}A{a}"
