"""Slack's checks, in the tests: every drawn view and message parsed by slack_sdk's models.

The builders return plain dicts (speed); here each one is parsed back into slack_sdk's
``View`` or blocks, whose ``to_dict()`` validates what slack_sdk knows of Slack's limits,
must come out unchanged (so the dict is exactly what the models would send), and is
checked against the limits slack_sdk does not check itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from handlers.blocks.primitives import (
    MAX_FALLBACK_TEXT,
    MAX_FIELD_TEXT,
    MAX_HEADER_TEXT,
    MAX_MESSAGE_BLOCKS,
    MAX_PLAIN_LABEL,
    MAX_SECTION_TEXT,
    MAX_VIEW_BLOCKS,
)

MAX_MODAL_TITLE = 24  # also the submit and close buttons
MAX_METADATA = 3000
MAX_ID = 255  # block_id, action_id, callback_id
MAX_BUTTON_VALUE = 2000
MAX_SECTION_FIELDS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10


def _walk(node: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(node, Mapping):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _check_block(block: Mapping[str, Any]) -> None:
    parsed = Block.parse(dict(block))
    assert parsed is not None, block
    assert parsed.to_dict() == block, "slack_sdk would send something else"
    assert len(block.get("block_id", "")) <= MAX_ID
    kind = block["type"]
    if kind == "section":
        assert "text" in block or "fields" in block, block
        assert len(block.get("text", {}).get("text", "")) <= MAX_SECTION_TEXT
        fields = block.get("fields", [])
        assert len(fields) <= MAX_SECTION_FIELDS
        assert all(len(f["text"]) <= MAX_FIELD_TEXT for f in fields)
    elif kind == "header":
        assert len(block["text"]["text"]) <= MAX_HEADER_TEXT
    elif kind == "actions":
        assert 1 <= len(block.get("elements", [])) <= MAX_ACTIONS_ELEMENTS, block
    elif kind == "context":
        assert 1 <= len(block["elements"]) <= MAX_CONTEXT_ELEMENTS
    for node in _walk(block):
        if node.get("type") == "button":
            assert len(node["text"]["text"]) <= MAX_PLAIN_LABEL
            assert len(node.get("value", "")) <= MAX_BUTTON_VALUE
        if "action_id" in node:
            assert len(node["action_id"]) <= MAX_ID
        if node.get("type") in ("mrkdwn", "plain_text"):
            assert node["text"], "Slack refuses an empty text"
    assert block.get("block_id"), "every block is named, so tests and handlers find it"


def checked(view: Mapping[str, Any]) -> dict[str, Any]:
    """The view, after slack_sdk parsed and validated it and Slack's limits held."""
    parsed = View(**dict(view))
    assert parsed.to_dict() == view, "slack_sdk would send something else"
    assert view["type"] in ("modal", "home")
    blocks = view["blocks"]
    assert 1 <= len(blocks) <= MAX_VIEW_BLOCKS
    ids = [b["block_id"] for b in blocks]
    assert len(ids) == len(set(ids)), "block_ids must be unique in a view"
    for block in blocks:
        _check_block(block)
    if view["type"] == "modal":
        for key in ("title", "submit", "close"):
            if key in view:
                assert 1 <= len(view[key]["text"]) <= MAX_MODAL_TITLE, view[key]
        if any(b["type"] == "input" for b in blocks):
            assert "submit" in view, "a modal with inputs needs a submit button"
    assert len(view.get("private_metadata", "")) <= MAX_METADATA
    assert len(view.get("callback_id", "")) <= MAX_ID
    return dict(view)


def checked_message(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A message payload (text and blocks) within Slack's limits, parsed by slack_sdk."""
    assert payload["text"]
    assert len(payload["text"]) <= MAX_FALLBACK_TEXT
    blocks = payload["blocks"]
    assert 1 <= len(blocks) <= MAX_MESSAGE_BLOCKS
    ids = [b["block_id"] for b in blocks]
    assert len(ids) == len(set(ids))
    for block in blocks:
        _check_block(block)
    return dict(payload)
