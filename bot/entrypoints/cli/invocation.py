"""One operator command being run: its arguments, the wiring, the instant, its output."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.bootstrap import Runtime
from bot.entrypoints.cli.arguments import PROG
from bot.entrypoints.cli.output import print_json, print_lines
from bot.services import Context
from domain.catalog import Catalog

EXIT_OK, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2
EXIT_PIPE = 141  # as a process killed by SIGPIPE: the reader closed the pipe early


class Run:
    """One invocation: its arguments, the opened runtime, the instant it runs at."""

    def __init__(
        self, args: argparse.Namespace, rt: Runtime, now: datetime, real: datetime | None = None
    ) -> None:
        self.args = args
        self.rt = rt
        self.now = now  # --as-of's noon where given
        self.real = real if real is not None else now  # what the clock said: issue dates

    @property
    def ctx(self) -> Context:
        """The use cases' context."""
        return self.rt.ctx

    @property
    def catalog(self) -> Catalog:
        """The configured add-on options."""
        return self.rt.ctx.catalog

    def json(self, value: Any) -> int:
        """Print ``value`` as JSON; the command is done."""
        print_json(value)
        return EXIT_OK

    def say(self, *lines: str) -> int:
        """Print the lines; the command is done."""
        print_lines(*lines)
        return EXIT_OK


Action = Callable[[Run], Awaitable[int]]


def fail(message: str, status: int = EXIT_REFUSED) -> int:
    """Say what went wrong in one line on stderr; return the exit status."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return status
