"""Run a document's examples against the app and say what each block should read.

Every example becomes the block the app's real output gives today: a console transcript
from `addons-bot console` as a process, a story's commands and events from one process
on one SQLite file (`tests/docs/story_process.py`). ``refreshed`` maps each stale block
to its new lines; the test shows them, `python -m tests.docs.refresh` writes them.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tests.docs.blocks import ROOT, Block, Step, examples, story
from tests.environment import SELLER

TIMEOUT = 180
# Test webhook settings: the story queues CloudCRM's events, nothing is ever sent.
WEBHOOK = {
    "ADDONS_WEBHOOK_URL": "http://127.0.0.1:9/cloudcrm",
    "ADDONS_WEBHOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
}
# Lines a loaded machine adds to a console transcript; they say nothing about the app.
TIMING_NOTES = ("(the app took ", "(the app is still busy after ")
KINDS = ("console", "cli", "command", "event", "unchecked")
WEBHOOK_ID = re.compile(r"msg_[0-9a-f]{32}")


def environment(**extra: str) -> dict[str, str]:
    """This environment without Slack credentials or ADDONS_* settings, with a seller."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "ADDONS_")) and k != "COLUMNS"
    }
    # the seller every invoice names (as an operator's .env sets it)
    return {**env, **SELLER, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **extra}


def noon_utc(day: date) -> datetime:
    """The instant a command of the story runs at, as `--as-of` does."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def process(argv: list[str], stdin: str, **env: str) -> str:
    """Run ``argv`` in an empty folder; its stdout, or an error naming its stderr."""
    with tempfile.TemporaryDirectory(prefix="docs-example-") as folder:
        done = subprocess.run(
            argv,
            cwd=folder,
            env=environment(**env),
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=TIMEOUT,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr}")
    return done.stdout


def console(block: Block) -> list[str]:
    """The transcript `addons-bot console` writes for the block's typed lines."""
    typed = "".join(f"{line}\n" for line in block.inputs())
    # the console as an operator starts it: documents as configured by default (its demo
    # seller makes them), not switched off as the other tests' processes have them
    argv = [sys.executable, "-m", "bot", "console", *block.console_args()]
    out = process(argv, typed, ADDONS_DOCUMENTS="auto")
    lines = [line.rstrip() for line in out.splitlines()]
    return [line for line in lines if not line.startswith(TIMING_NOTES)]


def _output(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _scalar(value: Any) -> bool:
    return not isinstance(value, dict | list) or not value


def _pretty(value: Any, indent: str = "", width: int = 92) -> list[str]:
    """JSON as a reader likes it: what fits on a line stays on it, flat objects wrap."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(indent) + len(flat) <= width or _scalar(value):
        return [indent + flat]
    inner = indent + "  "
    pairs = value.items() if isinstance(value, dict) else enumerate(value)
    keyed = isinstance(value, dict)
    opening, closing = ("{", "}") if keyed else ("[", "]")
    parts = [(json.dumps(k) + ": " if keyed else "", item) for k, item in pairs]
    if indent and all(_scalar(item) for _, item in parts):  # pack nested flat objects
        lines = [indent + opening]
        for key, item in parts:
            piece = key + json.dumps(item, ensure_ascii=False) + ","
            if len(lines) > 1 and len(lines[-1]) + 1 + len(piece) <= width:
                lines[-1] += " " + piece
            else:
                lines.append(inner + piece)
        return [*lines[:-1], lines[-1][:-1], indent + closing]
    body: list[str] = []
    for key, item in parts:
        nested = _pretty(item, inner, width - len(key))
        body += [inner + key + nested[0].lstrip(), *nested[1:]]
        body[-1] += ","
    body[-1] = body[-1][:-1]
    return [indent + opening, *body, indent + closing]


def _command(block: Block, printed: str) -> list[str]:
    """A command block: its JSON as a reader likes it, or what it printed."""
    try:
        value = json.loads(printed)
    except ValueError:
        return _output(printed)
    return _pretty(value[0] if block.first_only and value else value)


def _session(block: Block, printed: list[str]) -> list[str]:
    """A `cli` block: each `$` line as written, then what it printed."""
    commands = [line for line in block.lines if line.startswith("$ ")]
    lines: list[str] = []
    for command, text in zip(commands, printed, strict=True):
        lines += [*([""] if lines else []), command, *_output(text)]
    return lines


def _event(block: Block, bodies: list[Any]) -> list[str]:
    """An event block: the body of the story's first event of its type."""
    first = next((body for body in bodies if body["type"] == block.event_type()), None)
    return _pretty(first) if first else [f"(the story sent no {block.event_type()} event)"]


def _story(parts: list[tuple[Block, list[Step]]], events: list[Block]) -> dict[Block, list[str]]:
    """Run a document's story in one process; each of its blocks' new lines."""
    steps = [step for _, block_steps in parts for step in block_steps]
    request = {"steps": [[list(s.argv), noon_utc(s.day).isoformat()] for s in steps]}
    runner = [sys.executable, "-m", "tests.docs.story_process"]
    answer = json.loads(process(runner, json.dumps(request), **WEBHOOK))
    outputs: list[str] = answer["outputs"]
    new: dict[Block, list[str]] = {}
    for block, block_steps in parts:
        printed, outputs = outputs[: len(block_steps)], outputs[len(block_steps) :]
        if block.kind == "command":
            new[block] = _command(block, printed[0])
        else:
            new[block] = _session(block, printed)
    bodies = [json.loads(body) for body in answer["events"]]
    new.update((block, _event(block, bodies)) for block in events)
    return new


def _normal(value: Any) -> Any:
    """The value with what differs on every run (webhook ids) made alike."""
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normal(item) for item in value]
    if isinstance(value, str):
        return WEBHOOK_ID.sub("msg_…", value)
    return value


def _json(lines: tuple[str, ...] | list[str]) -> Any:
    try:
        return _normal(json.loads("\n".join(lines)))
    except ValueError:
        return None


def same(block: Block, new: list[str]) -> bool:
    """Whether the block already says what the app says (JSON compared as values)."""
    if block.language == "json" and _json(block.lines) is not None:
        return bool(_json(block.lines) == _json(new))
    return list(block.lines) == new


@dataclass(frozen=True)
class Stale:
    """A block whose text is not what the app prints today."""

    block: Block
    new: list[str]

    def report(self) -> str:
        """What differs (document against app), then the whole block the app gives."""
        diff = difflib.unified_diff(
            list(self.block.lines), self.new, "the document", "the app today", lineterm=""
        )
        return (
            f"{self.block.where} ({self.block.marker}) is stale:\n"
            + "\n".join(diff)
            + "\n--- the block as the app prints it today:\n"
            + "\n".join(self.new)
            + "\n"
        )


def refreshed(path: Path) -> list[Stale]:
    """Run every example of ``path``; the blocks that say something else than the app."""
    blocks = examples(path)
    unknown = [block.where for block in blocks if block.kind not in KINDS]
    if unknown:
        raise ValueError(f"unknown example markers at {', '.join(unknown)}")
    new = {block: console(block) for block in blocks if block.kind == "console"}
    parts = story(blocks)
    events = [block for block in blocks if block.kind == "event"]
    if events and not parts:
        raise ValueError(f"{path.name}: event examples need a `cli` session to send them")
    if parts:
        new.update(_story(parts, events))
    return [Stale(block, lines) for block, lines in new.items() if not same(block, lines)]
