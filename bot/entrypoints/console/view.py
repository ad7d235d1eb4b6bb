"""What the console prints: messages first, then the view in front, and billing runs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.entrypoints.console.render import Drawn, draw_message, draw_view
from bot.entrypoints.console.state import CHANNEL, Session
from bot.services import PeriodTurn
from bot.slack_fake import Posted, Surface, UploadedFile
from handlers.blocks.invoices import amount_text


def show(s: Session, *, force: bool = False) -> None:
    """Print the stand-in's notes and messages, then the view in front if it changed."""
    for note in s.standin.notes:
        s.screen.note(note)
    s.standin.notes.clear()
    for posted in s.standin.posted:
        _print_message(s, posted)
    s.standin.posted.clear()
    focus = s.focus()
    key = (
        None
        if focus is None
        else (focus.id, focus.version, tuple(sorted(focus.errors.items())), focus.type)
    )
    if not force and key == s.shown:
        return
    if focus is None:
        if s.shown is not None and s.shown[-1] == "modal":
            s.screen.note("the dialog is closed")
        s.targets = {}
    else:
        drawn = _draw(s, focus)
        s.screen.say(*drawn.lines)
        s.targets = drawn.targets
    s.shown = key


def _draw(s: Session, surface: Surface) -> Drawn:
    heading = "App Home · /addons" if surface.type == "home" else None
    return draw_view(
        surface.view,
        lang=s.lang,
        style=s.screen.style,
        width=s.screen.width,
        values=surface.values,
        errors=surface.errors,
        heading=heading,
    )


def _print_message(s: Session, posted: Posted) -> None:
    who = s.standin.users.get(posted.user or "")
    name = who.name if who else (posted.user or posted.channel)
    if posted.kind == "dm":
        head = f"✉ addons · direct message to {name}"
    elif posted.kind == "ephemeral":
        head = (
            "addons · only visible to you"
            if posted.user == s.user
            else f"addons · only visible to {name}"
        )
    else:
        head = f"addons · in #{CHANNEL[1] if posted.channel == CHANNEL[0] else posted.channel}"
    if posted.replaces:
        head += " (replaces the message before)"
    s.screen.say(
        s.screen.style.bold(head + ":"),
        *draw_message(posted.message, lang=s.lang, style=s.screen.style, width=s.screen.width),
        *[_attached(s, file) for file in posted.files],
    )


def _attached(s: Session, file: UploadedFile) -> str:
    """Write a file the message carries next to the demo database; say where it is."""
    database = Path(s.settings.database)
    folder = database.parent if "://" not in s.settings.database else Path.cwd()
    (folder / file.filename).write_bytes(file.content)
    kilobytes = max(1, round(len(file.content) / 1024))
    return f"📎 {file.filename} ({kilobytes} KB) → {folder / file.filename}"


def report(s: Session, turns: Sequence[PeriodTurn]) -> None:
    """One note per billing turn the schedule's beat processed."""
    for turn in turns:
        start, end = s.day_text(turn.period.start), s.day_text(turn.period.end)
        parts = [f"billing run for {turn.team_id}: period {start}–{end} began"]
        if turn.invoice is not None:
            invoice = turn.invoice
            amount = amount_text(invoice.total, invoice.taxed, s.lang)
            parts.append(f"invoice no. {invoice.number} issued, {amount}")
        else:
            parts.append("nothing to bill, no invoice")
        if turn.deactivated:
            ids = ", ".join(f"no. {i}" for i in turn.deactivated)
            parts.append(f"ended add-on {ids}")
        s.screen.note("; ".join(parts))
