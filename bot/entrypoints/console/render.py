"""Block Kit as terminal text: views and messages drawn the way Slack would show them.

Pure functions over the JSON the app sends to Slack. Everything a user can press or fill
in gets a number, in reading order: buttons, inputs, and a modal's submit and close. The
caller keeps the numbers of the view it printed last, so typing a number presses exactly
what the user saw.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

TargetKind = Literal["button", "input", "submit", "close"]

# The red (danger) button, named in the user's language.
_DANGER = {"de": "rot", "en": "red"}
# The few emoji the app's texts might carry, as characters a terminal shows.
_EMOJI = {
    ":warning:": "⚠",
    ":white_check_mark:": "✓",
    ":heavy_check_mark:": "✓",
    ":x:": "✗",
    ":information_source:": "ℹ",
    ":calendar:": "📅",
    ":email:": "✉",
}
_FIELD = re.compile(r"^\*(?P<title>[^*\n]+)\*\n(?P<value>.*)$", re.DOTALL)
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]+))?>")
_REQUIRED = {
    "de": "Bitte füllen Sie dieses Pflichtfeld aus.",
    "en": "Please complete this required field.",
}


@dataclass(frozen=True)
class Style:
    """Terminal emphasis: ANSI escapes on a colour terminal, nothing in a pipe."""

    ansi: bool = False

    def bold(self, text: str) -> str:
        return f"\x1b[1m{text}\x1b[22m" if self.ansi and text else text

    def dim(self, text: str) -> str:
        return f"\x1b[2m{text}\x1b[22m" if self.ansi and text else text

    def red(self, text: str) -> str:
        return f"\x1b[31m{text}\x1b[39m" if self.ansi and text else text


PLAIN = Style()


@dataclass(frozen=True)
class Target:
    """Something numbered: a button, an input, or a modal's submit / close."""

    kind: TargetKind
    label: str
    block_id: str = ""
    element: Mapping[str, Any] = field(default_factory=dict)

    @property
    def action_id(self) -> str:
        return str(self.element.get("action_id", ""))


@dataclass
class Drawn:
    """The lines of a drawn view or message and what its numbers stand for."""

    lines: list[str]
    targets: dict[int, Target] = field(default_factory=dict)


def required_text(lang: str) -> str:
    """Slack's own words when a required input is left empty."""
    return _REQUIRED.get(lang, _REQUIRED["en"])


def mrkdwn(text: str, style: Style = PLAIN) -> str:
    """Slack mrkdwn as plain text: bold marked (or emphasised), links and entities resolved."""
    text = _LINK.sub(lambda m: _link(m.group(1), m.group(2)), text)
    text = _BOLD.sub(lambda m: style.bold(m.group(1)), text)
    for code, char in _EMOJI.items():
        text = text.replace(code, char)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _link(target: str, label: str | None) -> str:
    if target.startswith("@"):
        return label or target
    if target.startswith("!"):
        return "@" + (label or target[1:].split("^")[0])
    return f"{label} ({target})" if label else target


def _raw(obj: Any) -> str:
    """The unrendered text of a text object (mrkdwn marks kept)."""
    return str(obj.get("text", "")) if isinstance(obj, Mapping) else str(obj or "")


def text_of(obj: Any, style: Style = PLAIN) -> str:
    """The text of a text object (plain_text or mrkdwn), or of a plain string."""
    if isinstance(obj, str):
        return obj
    if not isinstance(obj, Mapping):
        return ""
    text = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        return mrkdwn(text, style)
    for code, char in _EMOJI.items():
        text = text.replace(code, char)
    return text


class _Drawer:
    """Draws blocks into lines, numbering interactive elements from ``first`` on."""

    def __init__(
        self,
        *,
        lang: str,
        style: Style,
        width: int | None,
        values: Mapping[tuple[str, str], str | None],
        errors: Mapping[str, str],
        numbered: bool,
        first: int = 1,
    ) -> None:
        self.lang = lang
        self.style = style
        self.width = width
        self.values = values
        self.errors = errors
        self.numbered = numbered
        self.next = first
        self.lines: list[str] = []
        self.targets: dict[int, Target] = {}

    # -- helpers --------------------------------------------------------------------

    def number(self, target: Target) -> str:
        if not self.numbered:
            return ""
        n = self.next
        self.next += 1
        self.targets[n] = target
        return f"[{n}] "

    def para(self, text: str, indent: str = "") -> None:
        for raw in text.split("\n"):
            if self.width and len(indent) + len(raw) > self.width:
                wrapped = textwrap.wrap(
                    raw, self.width - len(indent), break_long_words=False, break_on_hyphens=False
                ) or [""]
                self.lines += [indent + part for part in wrapped]
            else:
                self.lines.append(indent + raw)

    def button(self, element: Mapping[str, Any], block_id: str) -> str:
        label = text_of(element.get("text"))
        style = element.get("style")
        mark = ""
        if style == "danger":  # the red button; primary (green) is Slack's usual look
            mark = f" ({_DANGER.get(self.lang, _DANGER['en'])})"
        text = self.number(Target("button", label, block_id, element)) + label + mark
        if element.get("url"):
            text += f" → {element['url']}"
        return self.style.red(text) if style == "danger" else text

    def element(self, element: Mapping[str, Any], block_id: str) -> str:
        kind = element.get("type")
        if kind == "button":
            return self.button(element, block_id)
        if kind in ("image",):
            return f"<image: {element.get('alt_text', '')}>"
        return f"<{kind}>"

    # -- blocks ---------------------------------------------------------------------

    def blocks(self, blocks: Sequence[Mapping[str, Any]]) -> None:
        i = 0
        while i < len(blocks):
            block = blocks[i]
            if i and _spaced(blocks[i - 1], block):
                self.lines.append("")
            titles = _row_titles(block)
            if titles is not None:
                rows = [block]
                while i + 1 < len(blocks) and _row_titles(blocks[i + 1]) == titles:
                    i += 1
                    rows.append(blocks[i])
                self.table(titles, rows)
            else:
                self.block(block)
            i += 1

    def block(self, block: Mapping[str, Any]) -> None:
        kind = block.get("type")
        block_id = str(block.get("block_id", ""))
        if kind == "header":
            self.lines.append(self.style.bold("## " + text_of(block.get("text"))))
        elif kind == "section":
            self.section(block, block_id)
        elif kind == "divider":
            self.lines.append("─" * 40)
        elif kind == "context":
            parts = [
                text_of(e, self.style)
                if e.get("type") in ("mrkdwn", "plain_text")
                else self.element(e, block_id)
                for e in block.get("elements", [])
            ]
            self.para(self.style.dim("· " + "  ".join(p for p in parts if p)))
        elif kind == "actions":
            items = [self.element(e, block_id) for e in block.get("elements", [])]
            self.lines.append("   ".join(items))
        elif kind == "input":
            self.input(block, block_id)
        elif kind == "image":
            self.lines.append(f"<image: {block.get('alt_text', '')}>")
        else:
            self.lines.append(f"<{kind}>")

    def section(self, block: Mapping[str, Any], block_id: str) -> None:
        if block.get("text"):
            self.para(text_of(block["text"], self.style))
        for item in block.get("fields", []) or []:
            text = _raw(item)
            match = _FIELD.match(text)
            if match:
                value = mrkdwn(match.group("value"), self.style)
                self.para(f"{mrkdwn(match.group('title'))}: {value}", "  ")
            else:
                self.para(mrkdwn(text, self.style), "  ")
        accessory = block.get("accessory")
        if isinstance(accessory, Mapping):
            self.lines.append("  " + self.element(accessory, block_id))

    def table(self, titles: tuple[str, ...], rows: list[Mapping[str, Any]]) -> None:
        """Consecutive sections of "*TITLE*\\nvalue" fields: one row each, like Slack's grid."""
        cells: list[list[str]] = []
        buttons: list[str] = []
        for row in rows:
            values = []
            for item in row.get("fields", []):
                match = _FIELD.match(_raw(item))
                values.append(mrkdwn(match.group("value")) if match else "")
            cells.append([value.replace("\n", " ") for value in values])
            accessory = row.get("accessory")
            buttons.append(
                self.element(accessory, str(row.get("block_id", "")))
                if isinstance(accessory, Mapping)
                else ""
            )
        widths = [max(len(t), *(len(r[c]) for r in cells)) for c, t in enumerate(titles)]

        def line(values: Iterable[str]) -> str:
            return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=False))

        self.lines.append(self.style.bold(line(titles).rstrip()))
        for values, button in zip(cells, buttons, strict=True):
            self.lines.append((line(values) + ("  " + button if button else "")).rstrip())

    def input(self, block: Mapping[str, Any], block_id: str) -> None:
        element = block.get("element") or {}
        label = text_of(block.get("label"))
        kind = element.get("type")
        optional = " (optional)" if block.get("optional") else ""
        if kind in (
            "number_input",
            "plain_text_input",
            "email_text_input",
            "url_text_input",
            "datepicker",  # typed as YYYY-MM-DD
        ):
            value = input_value(block, self.values)
            shown = value if value not in (None, "") else "___"
            placeholder = text_of(element.get("placeholder"))
            after = f"  ({placeholder})" if placeholder and value in (None, "") else ""
            number = self.number(Target("input", label, block_id, element))
            self.lines.append(f"{number}{label}{optional}: {shown}{after}")
        else:
            self.lines.append(f"{label}{optional}: <{kind}: not supported in the console>")
        if block.get("hint"):
            self.para(self.style.dim(text_of(block["hint"])), "    ")
        if block_id in self.errors:
            self.para(self.style.red("⚠ " + mrkdwn(self.errors[block_id])), "    ")


def _spaced(before: Mapping[str, Any], block: Mapping[str, Any]) -> bool:
    """Slack leaves room above a section or header, except right after a divider."""
    return (
        block.get("type") in ("section", "header")
        and before.get("type") != "divider"
        and not (_row_titles(before) and _row_titles(block))
    )


def _row_titles(block: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The column titles if ``block`` is a table row: a section of titled fields only."""
    if block.get("type") != "section" or block.get("text") or not block.get("fields"):
        return None
    titles = []
    for item in block["fields"]:
        match = _FIELD.match(_raw(item))
        if not match:
            return None
        titles.append(mrkdwn(match.group("title")))
    return tuple(titles) if len(titles) > 1 else None


def input_value(
    block: Mapping[str, Any], values: Mapping[tuple[str, str], str | None]
) -> str | None:
    """What an input holds: what the user typed, else its initial value."""
    element = block.get("element") or {}
    key = (str(block.get("block_id", "")), str(element.get("action_id", "")))
    if key in values:
        return values[key]
    picker = element.get("type") == "datepicker"
    initial = element.get("initial_date" if picker else "initial_value")
    return None if initial is None else str(initial)


def draw_view(
    view: Mapping[str, Any],
    *,
    lang: str,
    style: Style = PLAIN,
    width: int | None = None,
    values: Mapping[tuple[str, str], str | None] | None = None,
    errors: Mapping[str, str] | None = None,
    heading: str | None = None,
) -> Drawn:
    """A modal or App Home in a frame, with numbered buttons, inputs, submit and close."""
    inner = None if width is None else max(20, width - 2)
    drawer = _Drawer(
        lang=lang, style=style, width=inner, values=values or {}, errors=errors or {}, numbered=True
    )
    drawer.blocks(view.get("blocks", []))
    title = heading or text_of(view.get("title")) or "App Home"
    top = f"┌─ {style.bold(title)} " + "─" * max(3, 56 - len(title))
    lines = [top, *("│ " + line if line else "│" for line in drawer.lines)]
    footer = []
    if view.get("type", "modal") == "modal":
        if view.get("submit"):
            label = text_of(view["submit"])
            footer.append(drawer.number(Target("submit", label)) + label)
        close = text_of(view.get("close")) or ("Abbrechen" if lang == "de" else "Cancel")
        footer.append(drawer.number(Target("close", close)) + close)
    lines.append("└─ " + "   ".join(footer) if footer else "└" + "─" * 20)
    return Drawn(lines, drawer.targets)


def draw_message(
    message: Mapping[str, Any],
    *,
    lang: str,
    style: Style = PLAIN,
    width: int | None = None,
    indent: str = "  ",
) -> list[str]:
    """A message as Slack shows it: its blocks if it has any, otherwise its text."""
    inner = None if width is None else max(20, width - len(indent))
    drawer = _Drawer(lang=lang, style=style, width=inner, values={}, errors={}, numbered=False)
    blocks = message.get("blocks")
    if isinstance(blocks, list) and blocks:
        drawer.blocks(blocks)
    else:
        drawer.para(mrkdwn(str(message.get("text", "")), style))
    return [indent + line if line else "" for line in drawer.lines]
