"""The examples of README.md and docs/: fenced blocks that follow a marker comment.

A fenced block is an example when the line just before its opening fence is a marker,
an HTML comment (GitHub does not show it)::

    <!-- example: console --date 2026-04-03 -->
        a console transcript: what follows each prompt is typed into
        `addons-bot console --date 2026-04-03` (a process in an empty folder)
    <!-- example: cli -->
        a shell session: each `$ addons-bot ...` line runs in the file's story
    <!-- example: addons-bot invoices show 1 --json -->
        a JSON block: that command's output, run next in the file's story
    <!-- example: addons-bot audit T0123ABC --json | first -->
        the same, showing only the first element of the array it prints
    <!-- example: event addon.booked -->
        a JSON block: the body of the story's first CloudCRM event of that type
    <!-- example: unchecked: WHY -->
        a JSON block no process here can produce; the reason is said

A command runs "today" as the `# DD.MM.YYYY` comment at its end says (else on the day of
its `--as-of`, else on the day of the command before it), at 12:00 UTC: the instant
`--as-of` uses. Each file's `cli` lines and commands form one story, in the order they
appear, on one fresh SQLite file.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^<!-- example: (.+?) -->$")
FENCE = re.compile(r"^(```+)(\S*)")
PROMPT = re.compile(r"^\[[^\]\n]+\]>(?: (.*))?$")
DAY = re.compile(r"#\s*(?:(\d{2})\.(\d{2})\.(\d{4})|(\d{4})-(\d{2})-(\d{2}))\s*$")
AS_OF = re.compile(r"--as-of[ =](\d{4}-\d{2}-\d{2})")
PROG = "addons-bot"
FIRST = " | first"


def documents() -> list[Path]:
    """README.md and every page under docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@dataclass(frozen=True)
class Block:
    """One fenced block of a document, with the marker before it (or none)."""

    path: Path
    marker: str | None
    language: str
    start: int  # index of the first content line
    lines: tuple[str, ...]

    @property
    def where(self) -> str:
        """``README.md:42``: the opening fence, as an editor finds it."""
        return f"{self.path.relative_to(ROOT)}:{self.start}"

    @property
    def kind(self) -> str:
        """console, cli, command, event, unchecked, or none."""
        if self.marker is None:
            return "none"
        head = self.marker.split()[0].rstrip(":")
        if head == PROG:
            return "command"
        return head

    def inputs(self) -> list[str]:
        """What a console transcript types, line by line."""
        found = (PROMPT.match(line) for line in self.lines)
        return [match.group(1) or "" for match in found if match]

    def console_args(self) -> list[str]:
        """The arguments of `addons-bot console` after the marker's ``console``."""
        return shlex.split(self.marker or "")[1:]

    @property
    def first_only(self) -> bool:
        """Whether a command block shows only the first element of the array printed."""
        return (self.marker or "").endswith(FIRST)

    def command_text(self) -> str:
        """A command block's command line, without its ``| first``."""
        return (self.marker or "").removesuffix(FIRST)

    def event_type(self) -> str:
        return (self.marker or "").split()[1]


def fenced_blocks(path: Path) -> list[Block]:
    """Every fenced block of ``path``, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        ticks, language = opening.groups()
        end = i + 1
        while end < len(lines) and not lines[end].startswith(ticks):
            end += 1
        marker = MARKER.match(lines[i - 1]) if i > 0 else None
        blocks.append(
            Block(
                path,
                marker.group(1) if marker else None,
                language,
                i + 1,
                tuple(lines[i + 1 : end]),
            )
        )
        i = end + 1
    return blocks


def examples(path: Path) -> list[Block]:
    """The marked blocks of ``path``."""
    return [block for block in fenced_blocks(path) if block.marker is not None]


def looks_like_an_example(block: Block) -> bool:
    """JSON, a console prompt or an `$ addons-bot` line: output that can go stale."""
    return (
        block.language == "json"
        or any(PROMPT.match(line) for line in block.lines)
        or any(line.startswith(f"$ {PROG} ") for line in block.lines)
    )


@dataclass(frozen=True)
class Step:
    """One command of a file's story."""

    argv: tuple[str, ...]
    day: date


def _day(text: str, before: date | None) -> date:
    found = DAY.search(text)
    if found:
        d, m, y, iy, im, id_ = found.groups()
        return date(int(y or iy), int(m or im), int(d or id_))
    as_of = AS_OF.search(text)
    if as_of:
        return date.fromisoformat(as_of.group(1))
    if before is None:
        raise ValueError(f"the first command of a story needs its day (# DD.MM.YYYY): {text}")
    return before


def command(text: str, before: date | None) -> Step:
    """``addons-bot ARGS  # DD.MM.YYYY`` as a step; the program name is dropped."""
    words = shlex.split(text, comments=True)
    if not words or words[0] != PROG:
        raise ValueError(f"not an {PROG} command: {text}")
    return Step(tuple(words[1:]), _day(text, before))


def story(blocks: list[Block]) -> list[tuple[Block, list[Step]]]:
    """Each `cli` or command block with the steps it runs, in document order."""
    out: list[tuple[Block, list[Step]]] = []
    day: date | None = None
    for block in blocks:
        steps: list[Step] = []
        if block.kind == "cli":
            texts = [line[2:] for line in block.lines if line.startswith("$ ")]
        elif block.kind == "command":
            texts = [block.command_text()]
        else:
            continue
        for text in texts:
            step = command(text, day)
            day = step.day
            steps.append(step)
        out.append((block, steps))
    return out


def replace(path: Path, new: dict[int, list[str]]) -> None:
    """Put new content lines into the blocks that start at the given indexes."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for start in sorted(new, reverse=True):
        ticks = FENCE.match(lines[start - 1])
        assert ticks, f"{path}:{start} is no fenced block"
        end = start
        while not lines[end].startswith(ticks.group(1)):
            end += 1
        lines[start:end] = new[start]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
