"""Small Block Kit helpers shared by every screen, and Slack's limits they respect.

Slack's limits designed for: a view holds at most 100 blocks; a message at most 50
blocks; a section text 3,000 characters and a field 2,000 (what a view carries in
``private_metadata`` and reads back is in handlers/requests.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypedDict

from handlers.blocks.kit import Block, Text, button_element, context, mrkdwn, section
from handlers.i18n import tn

MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_PLAIN_LABEL = 75  # button texts and input labels
MAX_FALLBACK_TEXT = 3900
MAX_TEXT_LINES = 300  # lines of a text list (invoice lines, /addons liste) before folding


class MessagePayload(TypedDict):
    """Keyword arguments for ``respond``/``chat_postEphemeral``/``chat_postMessage``."""

    text: str
    blocks: list[dict[str, Any]]


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def md(text: str, limit: int = MAX_SECTION_TEXT) -> Text:
    """A mrkdwn text object within Slack's limit."""
    return mrkdwn(clip(text, limit))


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    """A button whose label fits Slack's limit."""
    return button_element(
        text=clip(text, MAX_PLAIN_LABEL), action_id=action_id, value=value, style=style
    )


def chunks(lines: Iterable[str], limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Join lines into texts of at most ``limit`` characters each."""
    joined: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            joined.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        joined.append(current)
    return joined


def message(text: str, blocks: Sequence[Block]) -> MessagePayload:
    """A message payload: the fallback text and the blocks as dicts."""
    return {"text": clip(text, MAX_FALLBACK_TEXT), "blocks": list(blocks)}


def text_sections(
    lines: list[str], room: int, lang: str, prefix: str, more_key: str
) -> list[Block]:
    """Sections of up to 3,000 characters in at most ``room`` blocks; the rest is counted."""
    texts = chunks(lines[:MAX_TEXT_LINES])
    if len(texts) > room - 1 or len(lines) > MAX_TEXT_LINES:
        texts = texts[: room - 1]
    shown = sum(text.count("\n") + 1 for text in texts)
    blocks: list[Block] = [
        section(block_id=f"{prefix}_{i}", text=md(c)) for i, c in enumerate(texts)
    ]
    if shown < len(lines):
        blocks.append(
            context(
                block_id=f"{prefix}_more", elements=[md(tn(lang, more_key, len(lines) - shown))]
            )
        )
    return blocks
