"""The Slack side of the wire: requests as Slack sends them to /slack/events, signed.

Slack signs ``v0:<timestamp>:<raw body>`` with HMAC-SHA256 of the app's signing secret and
sends ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature: v0=<hex>``; Bolt rejects a
bad signature or a timestamp more than 5 minutes off with 401. The signature here comes
from slack_sdk's own ``SignatureVerifier.generate_signature``.

    signer = SlackSigner("secret", response_urls=fake.response_url)
    request = signer.slash_command(user_id="U1", text="liste")
    await session.post(app_url, data=request.data, headers=request.headers)

Three body shapes: slash commands are form fields; interactions (block_actions,
view_submission) are one form field ``payload=<JSON>``; events are a JSON document.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.slack_fake.drawn import find_button, state_values
from bot.slack_fake.wire import APP_ID, BOT_USER, DEFAULT_TEAM, dm_channel

DEFAULT_DOMAIN = "acme"
LEGACY_TOKEN = "legacy-verification-token"  # Slack still sends it; Bolt ignores it
STALE_SECONDS = 6 * 60  # Bolt refuses anything older than 5 minutes
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def signature(secret: str, timestamp: int | str, body: str) -> str:
    """ "v0=" + HMAC-SHA256(secret, "v0:<timestamp>:<body>"), as Slack computes it."""
    signed = SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body)
    assert signed is not None
    return signed


@dataclass(frozen=True)
class SignedRequest:
    """A body and the headers Slack would send with it."""

    body: str
    headers: dict[str, str]
    payload: dict[str, Any] = field(default_factory=dict)  # the decoded content, for tests

    @property
    def data(self) -> bytes:
        """The exact bytes that were signed (post these, not a re-encoding)."""
        return self.body.encode("utf-8")

    def forged(self) -> SignedRequest:
        """The same request with a signature nobody with the secret made."""
        return replace(self, headers={**self.headers, "X-Slack-Signature": "v0=" + "0" * 64})

    def resigned(self, secret: str) -> SignedRequest:
        """The same request signed with another secret (e.g. another app's)."""
        stamp = self.headers["X-Slack-Request-Timestamp"]
        return replace(
            self, headers={**self.headers, "X-Slack-Signature": signature(secret, stamp, self.body)}
        )


class SlackSigner:
    """Makes signed Slack requests for one app (signing secret) and one workspace."""

    def __init__(
        self,
        secret: str,
        *,
        team_id: str = DEFAULT_TEAM,
        team_domain: str = DEFAULT_DOMAIN,
        api_app_id: str = APP_ID,
        response_urls: Callable[[], str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.secret = secret
        self.team_id = team_id
        self.team_domain = team_domain
        self.api_app_id = api_app_id
        self._response_urls = response_urls
        self._clock = clock
        self._seq = itertools.count(1)

    # -- pieces -------------------------------------------------------------------------

    def now(self) -> int:
        """The timestamp requests carry unless one is given."""
        return int(self._clock())

    def stale(self) -> int:
        """A timestamp older than Bolt accepts."""
        return self.now() - STALE_SECONDS

    def trigger_id(self) -> str:
        """A fresh trigger_id shaped like Slack's."""
        n = next(self._seq)
        return f"{self.now()}.{n:09d}.{n:032x}"

    def response_url(self) -> str:
        """A fresh response_url (from the fake when one is wired in)."""
        if self._response_urls is not None:
            return self._response_urls()
        n = next(self._seq)
        return f"https://hooks.slack.com/commands/{self.team_id}/{n}/{n:024x}"

    def sign(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        payload: dict[str, Any] | None = None,
    ) -> SignedRequest:
        """Headers for ``body`` signed now (or at ``timestamp``)."""
        stamp = self.now() if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(stamp),
            "X-Slack-Signature": signature(self.secret, stamp, body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        return SignedRequest(body, headers, payload or {})

    def _team(self, team_id: str | None) -> dict[str, Any]:
        return {"id": team_id or self.team_id, "domain": self.team_domain}

    def _user(self, user_id: str, team_id: str | None) -> dict[str, Any]:
        name = user_id.lower()
        return {"id": user_id, "username": name, "name": name, "team_id": team_id or self.team_id}

    def _interaction(self, payload: dict[str, Any], timestamp: int | None) -> SignedRequest:
        body = urlencode(
            {"payload": json.dumps(payload, ensure_ascii=False, separators=(",", ":"))}
        )
        return self.sign(body, FORM, timestamp=timestamp, payload=payload)

    @staticmethod
    def _view(view: Mapping[str, Any], values: Mapping[str, Any] | None) -> dict[str, Any]:
        full = dict(view)
        full["state"] = {"values": dict(values if values is not None else state_values(view))}
        return full

    # -- slash commands -----------------------------------------------------------------

    def slash_command(
        self,
        *,
        user_id: str,
        text: str = "",
        command: str = "/addons",
        team_id: str | None = None,
        channel_id: str = "C0GENERAL1",
        channel_name: str = "general",
        trigger_id: str | None = None,
        response_url: str | None = None,
        timestamp: int | None = None,
    ) -> SignedRequest:
        """``/addons <text>`` typed by ``user_id``: form-encoded, as Slack posts it."""
        fields = {
            "token": LEGACY_TOKEN,
            "team_id": team_id or self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url or self.response_url(),
            "trigger_id": trigger_id or self.trigger_id(),
        }
        return self.sign(urlencode(fields), FORM, timestamp=timestamp, payload=fields)

    # -- interactions -------------------------------------------------------------------

    def block_actions(
        self,
        *,
        user_id: str,
        actions: Sequence[Mapping[str, Any]],
        view: Mapping[str, Any] | None = None,
        values: Mapping[str, Any] | None = None,
        team_id: str | None = None,
        trigger_id: str | None = None,
        timestamp: int | None = None,
    ) -> SignedRequest:
        """A ``block_actions`` payload: buttons pressed in a view (modal or App Home).

        ``view`` is the view as Slack stores it (e.g. ``fake.views[id]``, with id and
        hash); ``values`` its ``state.values`` (default: each input's initial value).
        """
        stamp = f"{self.now()}.{next(self._seq):06d}"
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id, team_id),
            "api_app_id": self.api_app_id,
            "token": LEGACY_TOKEN,
            "trigger_id": trigger_id or self.trigger_id(),
            "team": self._team(team_id),
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [{**action, "action_ts": stamp} for action in actions],
        }
        if view is not None:
            full = self._view(view, values)
            payload["container"] = {"type": "view", "view_id": full.get("id")}
            payload["view"] = full
        else:
            payload["container"] = {
                "type": "message",
                "message_ts": stamp,
                "channel_id": "C0GENERAL1",
                "is_ephemeral": True,
            }
            payload["channel"] = {"id": "C0GENERAL1", "name": "general"}
            payload["response_url"] = self.response_url()
        return self._interaction(payload, timestamp)

    def click(
        self,
        *,
        user_id: str,
        view: Mapping[str, Any],
        action_id: str,
        value: str | None = None,
        values: Mapping[str, Any] | None = None,
        team_id: str | None = None,
        timestamp: int | None = None,
    ) -> SignedRequest:
        """Press the button ``action_id`` (with ``value``) that ``view`` shows."""
        block_id, button = find_button(view, action_id, value)
        action = {
            "type": "button",
            "action_id": action_id,
            "block_id": block_id,
            "text": button.get("text"),
            "value": button.get("value"),
        }
        if "style" in button:
            action["style"] = button["style"]
        return self.block_actions(
            user_id=user_id,
            actions=[action],
            view=view,
            values=values,
            team_id=team_id,
            timestamp=timestamp,
        )

    def view_submission(
        self,
        *,
        user_id: str,
        view: Mapping[str, Any],
        values: Mapping[str, Any] | None = None,
        team_id: str | None = None,
        private_metadata: str | None = None,
        timestamp: int | None = None,
    ) -> SignedRequest:
        """Submit ``view`` (as Slack stores it: id, hash, private_metadata, callback_id).

        ``private_metadata`` overrides the view's, to test tampered or stale metadata.
        """
        full = self._view(view, values)
        if private_metadata is not None:
            full["private_metadata"] = private_metadata
        payload = {
            "type": "view_submission",
            "team": self._team(team_id),
            "user": self._user(user_id, team_id),
            "api_app_id": self.api_app_id,
            "token": LEGACY_TOKEN,
            "trigger_id": self.trigger_id(),
            "view": full,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._interaction(payload, timestamp)

    def view_closed(
        self, *, user_id: str, view: Mapping[str, Any], timestamp: int | None = None
    ) -> SignedRequest:
        """The user closed ``view`` (sent only if it had notify_on_close)."""
        payload = {
            "type": "view_closed",
            "team": self._team(None),
            "user": self._user(user_id, None),
            "api_app_id": self.api_app_id,
            "token": LEGACY_TOKEN,
            "view": self._view(view, {}),
            "is_cleared": False,
            "is_enterprise_install": False,
        }
        return self._interaction(payload, timestamp)

    # -- events -------------------------------------------------------------------------

    def event(
        self, event: Mapping[str, Any], *, team_id: str | None = None, timestamp: int | None = None
    ) -> SignedRequest:
        """An Events API ``event_callback`` around ``event``, as JSON."""
        stamp = self.now() if timestamp is None else timestamp
        team = team_id or self.team_id
        payload = {
            "token": LEGACY_TOKEN,
            "team_id": team,
            "context_team_id": team,
            "context_enterprise_id": None,
            "api_app_id": self.api_app_id,
            "event": dict(event),
            "type": "event_callback",
            "event_id": f"Ev{next(self._seq):010d}",
            "event_time": stamp,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team,
                    "user_id": BOT_USER,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{next(self._seq):012d}",
        }
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return self.sign(body, JSON, timestamp=stamp, payload=payload)

    def app_home_opened(
        self,
        *,
        user_id: str,
        tab: str = "home",
        view: Mapping[str, Any] | None = None,
        team_id: str | None = None,
        timestamp: int | None = None,
    ) -> SignedRequest:
        """``app_home_opened`` for ``user_id`` (``view``: the Home they had, if any)."""
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": dm_channel(user_id),
            "tab": tab,
            "event_ts": f"{self.now()}.{next(self._seq):06d}",
        }
        if view is not None:
            event["view"] = dict(view)
        return self.event(event, team_id=team_id, timestamp=timestamp)

    def url_verification(
        self, challenge: str = "challenge-token", timestamp: int | None = None
    ) -> SignedRequest:
        """Slack's check when the Request URL is saved in the app settings."""
        payload = {"token": LEGACY_TOKEN, "challenge": challenge, "type": "url_verification"}
        return self.sign(json.dumps(payload), JSON, timestamp=timestamp, payload=payload)
