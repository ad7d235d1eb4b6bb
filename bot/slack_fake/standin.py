"""The console's Slack: strict about tokens, triggers and response URLs, as Slack is."""

from __future__ import annotations

from collections.abc import Iterable

from bot.slack_fake.server import FakeSlack
from bot.slack_fake.users import ConsoleUser
from bot.slack_fake.views import Surface


class SlackStandIn(FakeSlack[ConsoleUser]):
    """Slack's Web API for the console's demo workspace, inside the console's event loop.

    The console drives the view stacks (it pops and clears on the app's answers) and
    drains ``posted`` and ``notes`` after every step.
    """

    def __init__(
        self, team_id: str, users: Iterable[ConsoleUser], token: str, team_name: str = "Demo"
    ) -> None:
        super().__init__(users, team_id=team_id, token=token, team_name=team_name, strict=True)

    def home(self, user: str) -> Surface | None:
        """The user's App Home, once the app published one."""
        return self.home_view(user)
