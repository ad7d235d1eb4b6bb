"""Views as Slack keeps them: modal stacks per user, App Homes, ids, hashes, typed values.

No HTTP here: the fake's Web API methods and the console both act on this model.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.slack_fake.wire import APP_ID, BOT_ID

MAX_STACK = 3  # Slack keeps at most three views in a modal stack


@dataclass
class Surface:
    """A view as Slack keeps it: the app's view, its id and version, what was typed."""

    id: str
    user: str | None  # whose it is; None when the fake was not told (a test's trigger)
    view: dict[str, Any]
    version: int = 1
    previous: str | None = None
    root: str = ""
    values: dict[tuple[str, str], str | None] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def type(self) -> str:
        """ "modal" or "home"."""
        return str(self.view.get("type", "modal"))

    @property
    def hash(self) -> str:
        """Changes with every update, as Slack's view hash does."""
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
            kind = element.get("type", "plain_text_input")
            initial_key = "initial_date" if kind == "datepicker" else "initial_value"
            if (block_id, action_id) in self.values:
                value = self.values[(block_id, action_id)]
            else:
                initial = element.get(initial_key)
                value = None if initial is None else str(initial)
            # a date picker's choice comes as selected_date, typed text as value
            key = "selected_date" if kind == "datepicker" else "value"
            values.setdefault(block_id, {})[action_id] = {"type": kind, key: value}
        return values

    def replace(self, view: dict[str, Any]) -> None:
        """A views.update: typed values survive where block and action ids stay the same."""
        self.view = view
        keep = {
            (block_id, str(element.get("action_id", ""))) for block_id, element in self.inputs()
        }
        self.values = {key: value for key, value in self.values.items() if key in keep}
        self.errors = {}
        self.version += 1

    def full(self, team_id: str) -> dict[str, Any]:
        """The view object Slack returns and puts into payloads."""
        view = self.view
        return {
            "id": self.id,
            "team_id": team_id,
            "type": self.type,
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": self.state_values()},
            "hash": self.hash,
            "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": self.previous,
            "root_view_id": self.root or self.id,
            "app_id": APP_ID,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": team_id,
            "bot_id": BOT_ID,
        }


class ViewModel:
    """Every live view, each user's modal stack (bottom first) and App Home."""

    def __init__(self) -> None:
        self.surfaces: dict[str, Surface] = {}
        self.stacks: dict[str, list[str]] = {}  # user -> modal view ids, bottom first
        self.homes: dict[str, str] = {}  # user -> App Home view id
        self._view_ids = itertools.count(1)

    def add_view(
        self, user: str | None, view: dict[str, Any], below: Surface | None = None
    ) -> Surface:
        """A new view (on top of ``below``, if any), in no user's stack yet."""
        view_id = f"V{next(self._view_ids):09d}"
        surface = Surface(
            view_id,
            user,
            view,
            previous=below.id if below else None,
            root=below.root if below else view_id,
        )
        self.surfaces[view_id] = surface
        return surface

    def top(self, user: str) -> Surface | None:
        """The modal the user sees, if any."""
        stack = self.stacks.get(user) or []
        return self.surfaces[stack[-1]] if stack else None

    def home_view(self, user: str) -> Surface | None:
        """The user's App Home, once the app published one."""
        view_id = self.homes.get(user)
        return self.surfaces.get(view_id) if view_id else None

    def latest_modal(self) -> Surface | None:
        """The modal opened or pushed last, whoever it belongs to."""
        return next((s for s in reversed(self.surfaces.values()) if s.type == "modal"), None)

    def open(self, user: str, view: dict[str, Any]) -> Surface:
        """views.open: a new modal stack (whatever was open is gone)."""
        self.clear(user)
        surface = self.add_view(user, view)
        self.stacks[user] = [surface.id]
        return surface

    def push(self, user: str, view: dict[str, Any]) -> Surface | None:
        """views.push / response_action push; None when the stack is full."""
        stack = self.stacks.setdefault(user, [])
        if len(stack) >= MAX_STACK:
            return None
        surface = self.add_view(user, view, self.top(user))
        stack.append(surface.id)
        return surface

    def publish(self, user: str, view: dict[str, Any]) -> Surface:
        """views.publish: the user's App Home, made or replaced."""
        surface = self.home_view(user)
        if surface is None:
            surface = self.add_view(user, view)
            self.homes[user] = surface.id
        else:
            surface.replace(view)
        return surface

    def find(self, view_id: str | None, external_id: str | None) -> Surface | None:
        """A live view by its id, else the latest with this external_id."""
        surface = self.surfaces.get(view_id or "")
        if surface is None and external_id:
            matches = [
                s for s in self.surfaces.values() if s.view.get("external_id") == external_id
            ]
            surface = matches[-1] if matches else None
        return surface

    def close(self, user: str, view_id: str) -> None:
        """Close ``view_id`` (and anything above it): the view underneath shows again."""
        stack = self.stacks.get(user) or []
        if view_id in stack:
            for gone in stack[stack.index(view_id) :]:
                self.surfaces.pop(gone, None)
            del stack[stack.index(view_id) :]

    def clear(self, user: str) -> None:
        """Close the whole modal stack."""
        for gone in self.stacks.pop(user, []):
            self.surfaces.pop(gone, None)
