"""The requests of the latency benchmark, signed ahead: /addons and Bestätigen."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from bench.latency.slack import TimedFakeSlack
from bot.slack_fake import SIGNING_SECRET, SignedRequest, SlackSigner
from handlers import requests

COMMAND, CONFIRMATION = "command", "confirmation"
KINDS = (COMMAND, CONFIRMATION)
KIND_LABELS = {"all": "all requests", COMMAND: "/addons", CONFIRMATION: "Bestätigen (books)"}
VIEWS_LABELS = {
    "modal_opened": "/addons -> views.open (overview, or placeholder)",
    "overview_filled": "/addons -> overview shown (views.open or .update)",
    "result_shown": "Bestätigen -> views.update (Gebucht shown)",
    "overview_redrawn": "Bestätigen -> views.update (overview below redrawn)",
}
# What each views call must show; a notice there is the app failing politely under load.
# /addons opens the filled overview, or a placeholder when the overview missed its budget.
EXPECTED_SHOWS: dict[str, tuple[str, ...]] = {
    "modal_opened": ("overview", "loading"),
    "overview_filled": ("overview",),
    "result_shown": ("notice",),
    "overview_redrawn": ("overview",),
}
# The bare baseline that opens a one-line modal on /addons (its views.open, by trigger).
BARE_MODAL_LABEL = "/addons -> views.open (one-line modal), bare Bolt"
BOOK_OPTION, BOOK_QUANTITY = "users", 2


@dataclass
class Planned:
    """One signed request and what it must cause."""

    kind: str
    request: SignedRequest
    trigger_id: str | None = None  # /addons: views.open carries it
    below: str | None = None  # Bestätigen: the overview that must be redrawn
    nonce: str | None = None
    view_id: str | None = None  # Bestätigen: the confirmation, where the result shows


def in_team(view: dict[str, Any], team: str) -> dict[str, Any]:
    """The view as Slack shows it in ``team``'s requests: one fake Slack serves every
    workspace of the benchmark, and the app refuses a request whose team fields disagree."""
    return {**view, "team_id": team, "app_installed_team_id": team}


@dataclass
class Workspace:
    """One workspace as the warm-up left it: its admins, overview and confirmation."""

    team: str
    admins: list[str]
    overview: str = ""  # id of an overview modal the app drew
    confirmation: str = ""  # id of the confirmation the app pushed onto it


class Planner:
    """Signs requests: /addons by turns of admins; Bestätigen on a copied confirmation."""

    def __init__(self, fake: TimedFakeSlack, workspaces: list[Workspace]) -> None:
        self.fake = fake
        self.workspaces = workspaces
        self.signer = SlackSigner(SIGNING_SECRET, response_urls=fake.response_url)
        self.users = [(ws, admin) for ws in workspaces for admin in ws.admins]
        self._turn = itertools.count()

    def command(self) -> Planned:
        """``/addons`` (no text) by the next admin."""
        ws, admin = self.users[next(self._turn) % len(self.users)]
        request = self.signer.slash_command(user_id=admin, team_id=ws.team)
        return Planned(COMMAND, request, trigger_id=str(request.payload["trigger_id"]))

    def confirmation(self) -> Planned:
        """Bestätigen by the next admin, on a fresh copy of the workspace's confirmation."""
        ws, admin = self.users[next(self._turn) % len(self.users)]
        below = self.fake.copy_view(ws.overview)
        template = self.fake.full_view(ws.confirmation)
        asked = requests.parse_booking_metadata(template["private_metadata"])
        nonce = requests.new_nonce()
        metadata = requests.BookingRequest(asked.option, asked.quantity, nonce).to_metadata()
        view = self.fake.copy_view(ws.confirmation, below=below["id"], private_metadata=metadata)
        request = self.signer.view_submission(
            user_id=admin, team_id=ws.team, view=in_team(view, ws.team)
        )
        return Planned(
            CONFIRMATION, request, below=str(below["id"]), nonce=nonce, view_id=str(view["id"])
        )

    def mix(self, count: int) -> list[Planned]:
        """``count`` requests, alternating /addons and Bestätigen."""
        return [self.command() if i % 2 == 0 else self.confirmation() for i in range(count)]
