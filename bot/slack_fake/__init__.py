"""A fake of Slack for the console, the tests and the benchmarks.

Slack's Web API over real HTTP on 127.0.0.1 (``FakeSlack``; ``SlackStandIn`` is the
console's strict flavour), the requests Slack sends to the app, signed (``SlackSigner``),
and the real app served against a fake (``served_app``).
"""

from __future__ import annotations

from bot.slack_fake.drawn import find_button, state_values
from bot.slack_fake.files import UploadedFile
from bot.slack_fake.server import Call, FakeSlack, MessageKind, Posted
from bot.slack_fake.signing import SignedRequest, SlackSigner
from bot.slack_fake.standin import SlackStandIn
from bot.slack_fake.users import ConsoleUser, SlackUser
from bot.slack_fake.views import MAX_STACK, Surface, ViewModel
from bot.slack_fake.wire import (
    APP_ID,
    BOT_ID,
    BOT_TOKEN,
    BOT_USER,
    DEFAULT_TEAM,
    SIGNING_SECRET,
    dm_channel,
    web_api_params,
)

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_TOKEN",
    "BOT_USER",
    "DEFAULT_TEAM",
    "MAX_STACK",
    "SIGNING_SECRET",
    "Call",
    "ConsoleUser",
    "FakeSlack",
    "MessageKind",
    "Posted",
    "SignedRequest",
    "SlackSigner",
    "SlackStandIn",
    "SlackUser",
    "Surface",
    "UploadedFile",
    "ViewModel",
    "dm_channel",
    "find_button",
    "state_values",
    "web_api_params",
]
