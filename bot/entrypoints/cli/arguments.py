"""The argument types of the command line, and its one-line usage errors."""

from __future__ import annotations

import argparse
import re
from datetime import date
from typing import NoReturn

from domain.errors import InvalidTimezone
from domain.workspace import InvalidCustomer, check_customer, check_timezone

PROG = "addons-bot"


class UsageError(Exception):
    """The command line itself is wrong; nothing was opened or changed."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, raised instead of exiting."""

    def error(self, message: str) -> NoReturn:
        """Raise the message, prefixed with the command (``addons book``), as a UsageError."""
        command = self.prog.removeprefix(PROG).strip()
        raise UsageError(f"{command}: {message}" if command else message)


def iso_date(text: str) -> date:
    """YYYY-MM-DD, and nothing else."""
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)")


def timezone(text: str) -> str:
    """An IANA time zone name."""
    try:
        return check_timezone(text)
    except InvalidTimezone as error:
        raise argparse.ArgumentTypeError(
            f"{error} (use an IANA name such as Europe/Berlin)"
        ) from None


def whole_number(text: str) -> int:
    """Digits only: no sign, no spaces."""
    if not re.fullmatch(r"[0-9]+", text):
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    return int(text)


# Ids and numbers are SQLite INTEGERs: 64-bit signed. A larger one names nothing.
LARGEST_ID = 2**63 - 1


def identifier(text: str) -> int:
    """An add-on id or invoice number: a whole number that fits the database's integers."""
    number = whole_number(text)
    if number > LARGEST_ID:
        raise argparse.ArgumentTypeError(f"no such number: {text!r} (too large)")
    return number


def team(text: str) -> str:
    """A Slack team id: one word."""
    if not re.fullmatch(r"\S+", text):
        raise argparse.ArgumentTypeError(f"not a Slack team id: {text!r}")
    return text


def user_ids(text: str) -> tuple[str, ...]:
    """Slack user ids, comma-separated (U… or W…); an empty text is none."""
    ids = tuple(part.strip() for part in text.split(",") if part.strip())
    for user in ids:
        if not re.fullmatch(r"[UW][A-Z0-9]{2,}", user):
            raise argparse.ArgumentTypeError(f"not a Slack user id: {user!r}")
    return ids


def path(text: str) -> str:
    """A database path that is not empty."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the database path must not be empty")
    return text


def name(text: str) -> str:
    """The operator's name, trimmed, not empty."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the operator's name must not be empty")
    return text.strip()


def customer(text: str) -> str:
    """A CloudCRM customer number: 1 to 64 printable characters."""
    try:
        return check_customer(text)
    except InvalidCustomer as error:
        raise argparse.ArgumentTypeError(str(error)) from None
