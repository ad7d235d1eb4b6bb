"""The wire format of Slack's Web API as slack_sdk speaks it, and the fake's identities."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

DEFAULT_TEAM = "T0ADDONS1"
BOT_TOKEN = "xoxb-addons-test"  # the bot token the tests and the benchmark use
SIGNING_SECRET = "addons-test-signing-secret"  # the app's secret in the tests and benchmark
BOT_USER = "U0ADDONSBOT"
BOT_ID = "B0ADDONSBOT"
APP_ID = "A0ADDONS01"
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


def sent_token(params: Mapping[str, Any], headers: Mapping[str, str]) -> str | None:
    """The token of a call: the Authorization header's bearer token, else ``token``."""
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:]
    token = params.get("token")
    return token if isinstance(token, str) and token else None


def as_view(value: object) -> dict[str, Any] | None:
    """A view argument as a dict (JSON text decoded), or None when it is not one."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    return value if isinstance(value, dict) else None


def truthy(value: object) -> bool:
    """A boolean argument as slack_sdk sends it (True, "1" or "true")."""
    return value is True or (isinstance(value, str) and value.lower() in ("1", "true"))


def dm_channel(user: str) -> str:
    """The direct-message channel between the app and ``user``."""
    return "D" + user.lstrip("UW")
