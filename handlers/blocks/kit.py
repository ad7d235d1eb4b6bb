"""Block Kit as plain dicts: what Slack receives, built without slack_sdk's model objects.

The hot path draws a view per click; slack_sdk's models (objects, then ``to_dict()`` with
its validation) cost about half of a click's CPU. These functions build the very dicts
those models would produce (same keys, numbers as strings, ``emoji: true`` on plain
text), and tests/unit/blocks/test_every_view.py parses every view the app can draw with
slack_sdk's ``View`` and checks Slack's limits, so the checks are kept, in the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, NotRequired, TypedDict

Block = dict[str, Any]


class Text(TypedDict):
    """A text object: ``mrkdwn`` or ``plain_text``."""

    type: Literal["mrkdwn", "plain_text"]
    text: str
    emoji: NotRequired[bool]


# A modal or App Home as views.open/update/publish and ack take it. A plain dict, not a
# TypedDict: slack_sdk's and Bolt's signatures take ``dict`` (a TypedDict is not one).
ViewDict = dict[str, Any]


def mrkdwn(text: str) -> Text:
    """A mrkdwn text object (the caller keeps it within Slack's limits)."""
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> Text:
    """A plain_text object, as slack_sdk makes it from a string."""
    return {"type": "plain_text", "text": text, "emoji": True}


def section(
    *,
    block_id: str,
    text: Text | None = None,
    fields: Sequence[Text] | None = None,
    accessory: Block | None = None,
) -> Block:
    """A section block: text, up to 10 fields, and an optional accessory."""
    block: Block = {"type": "section", "block_id": block_id}
    if text is not None:
        block["text"] = text
    if fields:
        block["fields"] = list(fields)
    if accessory is not None:
        block["accessory"] = accessory
    return block


def context(*, block_id: str, elements: Sequence[Text]) -> Block:
    """A context block of small texts."""
    return {"type": "context", "block_id": block_id, "elements": list(elements)}


def header(*, block_id: str, text: str) -> Block:
    """A header block (plain text)."""
    return {"type": "header", "block_id": block_id, "text": plain(text)}


def divider(*, block_id: str) -> Block:
    """A divider."""
    return {"type": "divider", "block_id": block_id}


def actions(*, block_id: str, elements: Sequence[Block]) -> Block:
    """An actions block of buttons."""
    block: Block = {"type": "actions", "block_id": block_id}
    if elements:
        block["elements"] = list(elements)
    return block


def button_element(*, text: str, action_id: str, value: str, style: str | None = None) -> Block:
    """A button (the caller keeps its label within 75 characters)."""
    element: Block = {
        "type": "button",
        "action_id": action_id,
        "text": plain(text),
        "value": value,
    }
    if style is not None:
        element["style"] = style
    return element


def number_input(
    *,
    action_id: str,
    initial_value: int,
    min_value: int,
    max_value: int,
    placeholder: str,
) -> Block:
    """A whole-number input; Slack wants its numbers as strings."""
    return {
        "type": "number_input",
        "action_id": action_id,
        "is_decimal_allowed": False,
        "initial_value": str(initial_value),
        "min_value": str(min_value),
        "max_value": str(max_value),
        "placeholder": plain(placeholder),
    }


def text_input(*, action_id: str, initial_value: str | None, max_length: int) -> Block:
    """A one-line text input; Slack refuses an empty initial value, so none is sent."""
    element: Block = {"type": "plain_text_input", "action_id": action_id, "max_length": max_length}
    if initial_value:
        element["initial_value"] = initial_value
    return element


def datepicker(*, action_id: str, initial_date: str | None, placeholder: str) -> Block:
    """A date picker (``initial_date`` as YYYY-MM-DD)."""
    element: Block = {
        "type": "datepicker",
        "action_id": action_id,
        "placeholder": plain(placeholder),
    }
    if initial_date:
        element["initial_date"] = initial_date
    return element


def input_block(
    *, block_id: str, label: str, element: Block, hint: str | None, optional: bool
) -> Block:
    """An input block around one element."""
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }
    if hint is not None:
        block["hint"] = plain(hint)
    return block


def modal(
    *,
    callback_id: str,
    title: str,
    blocks: list[Block],
    close: str | None = None,
    submit: str | None = None,
    private_metadata: str | None = None,
) -> ViewDict:
    """A modal view."""
    view: ViewDict = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title),
        "blocks": blocks,
    }
    if submit is not None:
        view["submit"] = plain(submit)
    if close is not None:
        view["close"] = plain(close)
    if private_metadata is not None:
        view["private_metadata"] = private_metadata
    return view


def home_tab(*, callback_id: str, blocks: list[Block]) -> ViewDict:
    """An App Home view."""
    return {"type": "home", "callback_id": callback_id, "blocks": blocks}
