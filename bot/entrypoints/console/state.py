"""What a console session knows: the wiring, who you are, where you look, what you can press."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.clock import TestClock
from bot.entrypoints.console.demo import TEAM as TEAM  # re-exported: the demo workspace
from bot.entrypoints.console.payloads import Requests
from bot.entrypoints.console.render import Style, Target
from bot.ports import Render
from bot.services import Context
from bot.settings import Settings
from bot.slack_fake import ConsoleUser, SlackStandIn, Surface
from handlers.i18n import fmt_date, language_for
from storage import Database

TEAM_DOMAIN = "demo"
CHANNEL = ("C0DEMOGENERAL", "general")
ADMIN_ID = "U0DEMOADMIN"
MEMBER_ID = "U0DEMOMEMBER"

Ask = Callable[[str], "str | None"]


def demo_users() -> list[ConsoleUser]:
    """The demo workspace's people: one admin, one member, both German to begin with."""
    return [
        ConsoleUser(ADMIN_ID, "anna.admin", True, "de-DE"),
        ConsoleUser(MEMBER_ID, "max.mitglied", False, "de-DE"),
    ]


@dataclass
class Screen:
    """Where the console writes: a stream, emphasis, and a width to wrap at (or none)."""

    stream: TextIO
    style: Style
    width: int | None = None

    def say(self, *lines: str) -> None:
        """Write each line."""
        for line in lines:
            self.stream.write(line + "\n")
        self.stream.flush()

    def note(self, text: str) -> None:
        """A remark of the console's own, dimmed and in parentheses."""
        self.say(self.style.dim(f"({text})"))


@dataclass
class Session:
    """The session: the wired app and its stand-in, and the user's place in it."""

    settings: Settings
    app: AsyncApp
    ctx: Context
    db: Database
    clock: TestClock
    standin: SlackStandIn
    requests: Requests
    client: AsyncWebClient
    render: Render
    screen: Screen
    ask: Ask
    user: str = ADMIN_ID
    place: str = "channel"  # or "home": what shows when no modal is open
    targets: dict[int, Target] = field(default_factory=dict)
    shown: tuple[Any, ...] | None = None  # what was drawn last, to draw only changes

    @property
    def me(self) -> ConsoleUser:
        """The user you act as."""
        return self.standin.users[self.user]

    @property
    def lang(self) -> str:
        """Your Slack language, as the app would choose it."""
        return language_for(self.me.locale, self.settings.default_locale)

    def today(self, zone: str | None = None) -> date:
        """The test clock's date in ``zone`` (default: the configured billing zone)."""
        return self.clock.now().astimezone(ZoneInfo(zone or self.settings.timezone)).date()

    def day_text(self, day: date) -> str:
        """A date as your Slack language writes it."""
        return fmt_date(day, self.lang)

    def focus(self) -> Surface | None:
        """The view in front: the top modal, else App Home if that is where you are."""
        top = self.standin.top(self.user)
        if top is not None:
            return top
        return self.standin.home(self.user) if self.place == "home" else None
