"""What is known about the Slack request being handled, for logs and metrics.

One mutable record per request lives in a context variable: the HTTP edge creates it,
Bolt's middleware fills in the kind and workspace, and whatever runs for the request
(its listeners, their lazy work, the Web API calls they make) reads the same record,
because asyncio copies the context into every task a request starts.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RequestInfo:
    """The request in hand: its kind, its workspace, when it arrived."""

    kind: str = "unknown"
    team_id: str | None = None
    started: float = field(default_factory=time.perf_counter)
    failed: bool = False  # a listener raised (Bolt's error handler saw it)

    def elapsed(self) -> float:
        """Seconds since the request arrived."""
        return time.perf_counter() - self.started


CURRENT: ContextVar[RequestInfo | None] = ContextVar("addons_request", default=None)


def current() -> RequestInfo | None:
    """The request being handled here, if any."""
    return CURRENT.get()


def kind_of(body: dict[str, Any]) -> str:
    """What Slack sent, as a short fixed name: command, block_actions, event:app_home_opened…"""
    if "command" in body:
        return "command"
    kind = str(body.get("type") or "unknown")
    if kind == "event_callback":
        event = body.get("event")
        inner = event.get("type") if isinstance(event, dict) else None
        return f"event:{inner}" if isinstance(inner, str) else "event"
    return kind


def team_of(body: dict[str, Any]) -> str | None:
    """The workspace a Bolt request body belongs to, wherever Slack put it."""
    team = body.get("team_id")
    if isinstance(team, str):
        return team
    nested = body.get("team")
    if isinstance(nested, dict) and isinstance(nested.get("id"), str):
        return str(nested["id"])
    return None
