"""Requests as Slack sends them to the app, signed with the console's own secret.

Three body shapes, as on the wire: slash commands are form fields; interactions
(block_actions, view_submission, view_closed) are one form field ``payload=<JSON>``;
events are a JSON document. Slack signs ``v0:<timestamp>:<body>`` with HMAC-SHA256 of the
signing secret; Bolt checks it (and the timestamp against the wall clock, not the test
clock), so every console request passes the same verification as a real one.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class Signed:
    """A request body and the headers Slack would send with it."""

    body: str
    headers: dict[str, str]


class Requests:
    """Builds signed requests for one app and one workspace."""

    def __init__(
        self,
        secret: str,
        *,
        team_id: str,
        team_domain: str,
        app_id: str,
        bot_user: str,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._verifier = SignatureVerifier(secret)
        self.team_id = team_id
        self.team_domain = team_domain
        self.app_id = app_id
        self.bot_user = bot_user
        self._wall_clock = wall_clock
        self._seq = itertools.count(1)

    def sign(self, body: str, content_type: str) -> Signed:
        stamp = str(int(self._wall_clock()))
        signature = self._verifier.generate_signature(timestamp=stamp, body=body)
        assert signature is not None
        return Signed(
            body,
            {
                "content-type": content_type,
                "x-slack-request-timestamp": stamp,
                "x-slack-signature": signature,
            },
        )

    def _user(self, user_id: str, name: str) -> dict[str, str]:
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _team(self) -> dict[str, str]:
        return {"id": self.team_id, "domain": self.team_domain}

    def _interaction(self, payload: Mapping[str, Any]) -> Signed:
        body = urlencode(
            {"payload": json.dumps(payload, ensure_ascii=False, separators=(",", ":"))}
        )
        return self.sign(body, FORM)

    def slash_command(
        self,
        *,
        user_id: str,
        user_name: str,
        command: str,
        text: str,
        channel_id: str,
        channel_name: str,
        response_url: str,
        trigger_id: str,
    ) -> Signed:
        """``/command text`` as Slack posts it: form fields."""
        fields = {
            "token": "console",
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": self.app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        return self.sign(urlencode(fields), FORM)

    def block_actions(
        self,
        *,
        user_id: str,
        user_name: str,
        view: Mapping[str, Any],
        action: Mapping[str, Any],
        trigger_id: str,
    ) -> Signed:
        """A button pressed in ``view`` (a modal or App Home, with its state)."""
        stamp = f"{int(self._wall_clock())}.{next(self._seq):06d}"
        payload = {
            "type": "block_actions",
            "user": self._user(user_id, user_name),
            "api_app_id": self.app_id,
            "token": "console",
            "trigger_id": trigger_id,
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "container": {"type": "view", "view_id": view.get("id")},
            "view": dict(view),
            "actions": [{**action, "action_ts": stamp}],
        }
        return self._interaction(payload)

    def view_submission(
        self, *, user_id: str, user_name: str, view: Mapping[str, Any], trigger_id: str
    ) -> Signed:
        """The submit button of ``view`` pressed."""
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user_id, user_name),
            "api_app_id": self.app_id,
            "token": "console",
            "trigger_id": trigger_id,
            "view": dict(view),
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._interaction(payload)

    def view_closed(
        self, *, user_id: str, user_name: str, view: Mapping[str, Any], cleared: bool
    ) -> Signed:
        """The user closed ``view`` (Slack sends it only with notify_on_close)."""
        payload = {
            "type": "view_closed",
            "team": self._team(),
            "user": self._user(user_id, user_name),
            "api_app_id": self.app_id,
            "token": "console",
            "view": dict(view),
            "is_cleared": cleared,
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._interaction(payload)

    def app_home_opened(
        self, *, user_id: str, channel: str, view: Mapping[str, Any] | None
    ) -> Signed:
        """The user opened the app's Home tab: an Events API ``event_callback``."""
        now = int(self._wall_clock())
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": channel,
            "tab": "home",
            "event_ts": f"{now}.{next(self._seq):06d}",
        }
        if view is not None:
            event["view"] = dict(view)
        payload = {
            "token": "console",
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": self.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{next(self._seq):010d}",
            "event_time": now,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        return self.sign(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), JSON)
