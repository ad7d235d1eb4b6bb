"""The offline console: try /addons in a terminal, without Slack, against the real app.

`addons-bot console` (and `addons-bot run` without Slack credentials) opens a chat in the
terminal. What you type becomes the signed request Slack would send, and goes through
the same Bolt app, listeners, views and database code as production; the Slack Web API
calls the app makes are answered by an in-process stand-in (``bot.slack_fake``) that keeps the
view stack and draws what Slack would show as text (``render.py``). A test clock (like
Stripe's) moves only when told to; moving it runs the billing schedule's beat.

The clock is not stored. It starts at ``--date`` (12:00 UTC that day); without it, at the
current time, or later if the database already holds later events of the demo workspace
(a billing run or a booking after a ``:clock`` jump), so time does not run backwards
between sessions. The database is a real one, so what you book stays booked and invoices
stay issued; but it is the console's own (``--database``, default ``./addons-demo.db``,
never the file ``serve`` uses nor one with real workspaces: see ``demo.py``).

With a terminal, lines are edited with readline and the history is kept in
``~/.addons_console_history``; in a pipe the console reads lines from stdin, writes a
transcript (prompt and line) to stdout and ends at end of input, so it can be scripted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import shutil
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from bot.adapters.clock import TestClock
from bot.entrypoints.console.render import Style
from bot.entrypoints.console.session import Console
from bot.entrypoints.console.state import Screen
from bot.entrypoints.console.testclock import start_instant
from bot.settings import Settings
from storage import SchemaTooNew, StorageError

HISTORY = Path.home() / ".addons_console_history"
_WORDS = [
    ":help",
    ":home",
    ":as admin",
    ":as member",
    ":lang de",
    ":lang en",
    ":clock",
    ":clock +1d",
    ":clock +14d",
    ":clock +1m",
    ":invoices",
    ":quit",
    "/addons",
    "/addons hilfe",
    "/addons liste",
    "/addons rechnung",
    "/addons buchen users ",
    "/addons buchen storage ",
    "/addons kündigen ",
]

Reader = Callable[[str], "str | None"]


def run_console(settings: Settings, args: argparse.Namespace) -> int:
    """Run the console until :quit or end of input; the exit status."""
    try:
        start = start_instant(getattr(args, "date", None))
    except ValueError as error:
        print(f"addons-bot: error: --date: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    interactive = sys.stdin.isatty()
    read = _terminal_reader() if interactive else _pipe_reader()
    screen = Screen(
        sys.stdout, Style(ansi=sys.stdout.isatty() and "NO_COLOR" not in os.environ), _width()
    )
    with asyncio.Runner() as runner:
        resume = getattr(args, "date", None) is None
        console = runner.run(_open(settings, TestClock(start), screen, read, resume))
        if isinstance(console, str):
            print(f"addons-bot: error: {console}", file=sys.stderr)
            return 2
        try:
            _loop(runner, console, read)
        finally:
            runner.run(console.close())
            if interactive:
                with contextlib.suppress(OSError, ImportError):
                    import readline

                    readline.write_history_file(HISTORY)
    return 0


async def _open(
    settings: Settings, clock: TestClock, screen: Screen, read: Reader, resume: bool
) -> Console | str:
    """The started console, or why the database cannot be used (one line)."""
    try:
        return await Console.open(settings, clock, screen, read, resume=resume)
    except SchemaTooNew as error:
        problem = f"{settings.database}: {error}"
    except (StorageError, OSError, sqlite3.Error) as error:
        problem = f"cannot use the database {settings.database}: {error}"
    # aiosqlite stops a connection that failed to open on its worker thread, which then
    # reports back to this loop: give it a moment before the loop closes.
    await asyncio.sleep(0.1)
    return problem


def _loop(runner: asyncio.Runner, console: Console, read: Reader) -> None:
    """Read a line, do it, until :quit or end of input; Ctrl-C abandons one line."""
    log = logging.getLogger("addons.console")
    while True:
        try:
            line = read(console.prompt())
        except KeyboardInterrupt:
            print("^C")
            continue
        if line is None:
            print()
            return
        try:
            if not runner.run(console.handle(line)):
                return
        except KeyboardInterrupt:
            print("(interrupted)")
        except Exception:  # the console's own fault: say so, keep the session
            log.exception("the console failed on %r", line)


def _width() -> int | None:
    """Wrap at the terminal's width; in a pipe only if COLUMNS says so."""
    if sys.stdout.isatty():
        return shutil.get_terminal_size((100, 24)).columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) >= 40 else None


def _terminal_reader() -> Reader:
    """input() with readline: line editing, history, completion of console words."""
    try:
        import readline
    except ImportError:  # e.g. Windows without pyreadline: plain input() still works
        pass
    else:
        with contextlib.suppress(OSError):
            readline.read_history_file(HISTORY)
        readline.set_history_length(1000)

        def complete(text: str, state: int) -> str | None:
            line = readline.get_line_buffer()
            matches = [w[len(line) - len(text) :] for w in _WORDS if w.startswith(line)]
            return matches[state] if state < len(matches) else None

        readline.set_completer_delims(" ")
        readline.set_completer(complete)
        readline.parse_and_bind("tab: complete")

    def read(prompt: str) -> str | None:
        try:
            return input(prompt)
        except EOFError:
            return None

    return read


def _pipe_reader() -> Reader:
    """Lines from stdin, each echoed after its prompt so stdout reads as a transcript."""

    def read(prompt: str) -> str | None:
        sys.stdout.write(prompt)
        sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:
            return None
        line = line.rstrip("\r\n")
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
        return line

    return read
