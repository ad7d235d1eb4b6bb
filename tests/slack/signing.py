"""Signed Slack requests for the tests: the fake's Slack side (bot/slack_fake/signing.py)."""

from __future__ import annotations

from bot.slack_fake.signing import (
    FORM,
    JSON,
    LEGACY_TOKEN,
    STALE_SECONDS,
    SignedRequest,
    SlackSigner,
    find_button,
    signature,
    state_values,
)

__all__ = [
    "FORM",
    "JSON",
    "LEGACY_TOKEN",
    "STALE_SECONDS",
    "SignedRequest",
    "SlackSigner",
    "find_button",
    "signature",
    "state_values",
]
