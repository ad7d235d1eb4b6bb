"""Reading a view as Slack drew it: what its inputs hold, and where its buttons are."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def state_values(
    view: Mapping[str, Any], typed: Mapping[str, str | None] | None = None
) -> dict[str, Any]:
    """``view.state.values`` for a drawn view: each input's initial value or what was typed.

    ``typed`` maps an input's block_id to the raw text in it (None: left empty).
    """
    typed = dict(typed or {})
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block.get("element", {})
        block_id = block.get("block_id")
        kind = element.get("type", "plain_text_input")
        if kind == "datepicker":  # Slack sends a picked date as selected_date
            picked = typed.pop(block_id, element.get("initial_date"))
            values[block_id] = {element.get("action_id"): {"type": kind, "selected_date": picked}}
            continue
        raw = typed.pop(block_id, element.get("initial_value"))
        values[block_id] = {element.get("action_id"): {"type": kind, "value": raw}}
    if typed:
        raise KeyError(f"no input blocks {sorted(typed)} in the view")
    return values


def find_button(
    view: Mapping[str, Any], action_id: str, value: str | None = None
) -> tuple[str, dict[str, Any]]:
    """The (block_id, button) in ``view`` with this action_id (and value): it must be drawn."""
    for block in view.get("blocks", []):
        candidates = []
        if isinstance(block.get("accessory"), dict):
            candidates.append(block["accessory"])
        candidates += [e for e in block.get("elements", []) if isinstance(e, dict)]
        for element in candidates:
            if element.get("action_id") == action_id and (
                value is None or element.get("value") == value
            ):
                return block.get("block_id", ""), element
    raise LookupError(f"no button {action_id!r} with value {value!r} in the view")
