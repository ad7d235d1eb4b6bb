"""Running one command line: parse, load the settings, check, open, run, report."""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from bot.adapters.clock import noon_utc
from bot.bootstrap import SettingsError, bootstrap, load_settings
from bot.entrypoints.cli.arguments import PROG, UsageError
from bot.entrypoints.cli.dates import anchor_problem, as_of_problem
from bot.entrypoints.cli.invocation import EXIT_FAILED, EXIT_OK, Action, Run, fail
from bot.entrypoints.cli.parser import build_parser
from bot.ports import Busy
from bot.settings import Settings
from domain.catalog import Catalog
from domain.errors import DomainError
from storage import SchemaTooNew, StorageError, StorageUnavailable, UnsupportedDatabase
from storage.urls import is_url, parse, shown

Validate = Callable[[argparse.Namespace, Catalog], None]


def main(argv: list[str] | None = None, *, now: datetime | None = None) -> int:
    """Run the command line; return the exit status.

    ``now`` is read from the clock here, once, unless a test passes it in.
    """
    now = now if now is not None else datetime.now(UTC)
    try:
        args = build_parser().parse_args(argv)
    except UsageError as error:
        return fail(str(error))
    except SystemExit as done:  # --help
        return done.code if isinstance(done.code, int) else EXIT_OK
    runtime = not hasattr(args, "action")  # serve, socket, scheduler, console, run
    try:
        # The runtime commands apply --database themselves: the console has its own file.
        settings = load_settings(None if runtime else args.database)
    except SettingsError as error:
        return fail(str(error))
    if runtime:
        handler: Callable[[Settings, argparse.Namespace], int] = args.handler
        return handler(settings, args)
    return _operator_command(args, settings, now)


def _operator_command(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    """Check everything that needs no database, then run the command on it."""
    validate: Validate | None = args.validate
    try:
        if validate is not None:
            validate(args, settings.catalog())
    except (UsageError, DomainError) as error:
        return fail(str(error))
    path = settings.database
    try:
        parse(path)
    except UnsupportedDatabase as error:
        return fail(str(error))
    file = not is_url(path)  # else a PostgreSQL server: no file to look for
    if file and not args.creates_database and not os.path.exists(path):
        return fail(
            f"no database at {path} (create it with `{PROG} workspace set` "
            f"or `{PROG} migrate`, or pass --database)"
        )
    folder = os.path.dirname(os.path.abspath(path))
    if file and not os.path.isdir(folder):
        return fail(f"cannot create the database {path}: no such directory {folder}")
    today = now.astimezone(UTC).date()
    as_of = getattr(args, "as_of", None)
    problem = as_of_problem(as_of, today)
    anchor = getattr(args, "anchor", None)
    if problem is None and anchor is not None and file and not os.path.exists(path):
        # No workspace can hold this anchor yet; with a file, `workspace set` checks
        # whether the anchor is new (an existing one may be named again, however old).
        problem = anchor_problem(anchor, as_of or today)
    if problem is not None:
        return fail(problem)
    return asyncio.run(_run(args, settings, _as_of(args, now)))


def _as_of(args: argparse.Namespace, now: datetime) -> datetime:
    """Noon of ``--as-of`` if given, else now."""
    as_of = getattr(args, "as_of", None)
    return noon_utc(as_of) if as_of is not None else now


async def _run(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    """Open the database, run the command on it, close it; a failure to open is one line."""
    try:
        async with bootstrap(settings, pool_size=2, slack_session=False) as rt:
            return await _act(Run(args, rt, now))
    except SchemaTooNew as error:
        return fail(f"{shown(settings.database)}: {error}")
    except (StorageUnavailable, UnsupportedDatabase) as error:
        return fail(str(error))  # the line names the setting already
    except StorageError as error:
        return fail(f"{shown(settings.database)}: {error}", EXIT_FAILED)
    except sqlite3.Error as error:
        return fail(f"cannot use the database {settings.database}: {error}", EXIT_FAILED)


async def _act(run: Run) -> int:
    """Run the command's action; a refusal or a database failure is one line."""
    action: Action = run.args.action
    try:
        return await action(run)
    except DomainError as error:
        return fail(str(error))
    except Busy as error:
        return fail(str(error), EXIT_FAILED)
    except (StorageError, sqlite3.Error) as error:
        return fail(f"the database {shown(run.rt.settings.database)} failed: {error}", EXIT_FAILED)
