"""Running one command line: parse, load the settings, check, open, run, report."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime

from bot.adapters.clock import noon_utc
from bot.bootstrap import SettingsError, bootstrap, load_settings
from bot.entrypoints.cli.arguments import UsageError
from bot.entrypoints.cli.checks import demo_problem, file_problem
from bot.entrypoints.cli.dates import anchor_problem, as_of_problem
from bot.entrypoints.cli.invocation import EXIT_FAILED, EXIT_OK, EXIT_PIPE, Action, Run, fail
from bot.entrypoints.cli.parser import build_parser
from bot.ports import Busy
from bot.settings import Settings
from domain.catalog import Catalog
from domain.errors import DomainError
from storage import SchemaNotCurrent, StorageError, StorageUnavailable, UnsupportedDatabase
from storage.urls import SETTING, is_url, parse, shown

Validate = Callable[[argparse.Namespace, Catalog], None]


def main(argv: list[str] | None = None, *, now: datetime | None = None) -> int:
    """Run the command line; return the exit status.

    ``now`` is read from the clock here, once, unless a test passes it in. A reader
    that closes the pipe early (``| head``) ends the command quietly (EXIT_PIPE).
    """
    try:
        status = _main(argv, now if now is not None else datetime.now(UTC))
        sys.stdout.flush()  # a pipe is written when flushed: meet a closed one here
        return status
    except BrokenPipeError:
        # Python would complain again when it flushes stdout at exit: point it elsewhere.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE


def _main(argv: list[str] | None, now: datetime) -> int:
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
    source = "--database" if args.database else SETTING
    return _operator_command(args, settings, now, source)


def _operator_command(
    args: argparse.Namespace, settings: Settings, now: datetime, source: str
) -> int:
    """Check everything that needs no database, then run the command on it."""
    validate: Validate | None = args.validate
    try:
        if validate is not None:
            validate(args, settings.catalog())
    except (UsageError, DomainError) as error:
        return fail(str(error))
    if getattr(args, "issues_invoices", False):
        seller = settings.seller_problem()  # every invoice must name the seller
        if seller is not None:
            return fail(f"{seller} (see docs/invoices.md)")
    path = settings.database
    try:
        parse(path, source)
    except UnsupportedDatabase as error:
        return fail(str(error))
    problem = file_problem(path, args.creates_database) if not is_url(path) else None
    if problem is None:
        problem = _dates_problem(args, path, now)
    if problem is None and args.creates_database:
        problem = demo_problem(path, getattr(args, "team_id", None))
    if problem is not None:
        return fail(problem)
    return asyncio.run(_run(args, settings, _as_of(args, now), source, now))


def _dates_problem(args: argparse.Namespace, path: str, now: datetime) -> str | None:
    """Why ``--as-of`` or ``--anchor`` cannot be, if so (no database needed)."""
    today = now.astimezone(UTC).date()
    as_of = getattr(args, "as_of", None)
    problem = as_of_problem(as_of, today)
    anchor = getattr(args, "anchor", None)
    if problem is None and anchor is not None and not is_url(path) and not os.path.exists(path):
        # No workspace can hold this anchor yet; with a file, `workspace set` checks
        # whether the anchor is new (an existing one may be named again, however old).
        problem = anchor_problem(anchor, as_of or today)
    return problem


def _as_of(args: argparse.Namespace, now: datetime) -> datetime:
    """Noon of ``--as-of`` if given, else now."""
    as_of = getattr(args, "as_of", None)
    return noon_utc(as_of) if as_of is not None else now


async def _run(
    args: argparse.Namespace, settings: Settings, now: datetime, source: str, real: datetime
) -> int:
    """Open the database, run the command on it, close it; a failure to open is one line.

    Only `migrate` changes a schema that exists; a command that creates a workspace may
    create an empty database, a reading one refuses it.
    """
    where = shown(settings.database, source)
    try:
        async with bootstrap(
            settings,
            pool_size=2,
            slack_session=False,
            migrate=getattr(args, "migrates", False),
            create=args.creates_database,
        ) as rt:
            return await _act(Run(args, rt, now, real))
    except SchemaNotCurrent as error:
        return fail(f"{where}: {error}")
    except (StorageUnavailable, UnsupportedDatabase) as error:
        return fail(str(error).replace(SETTING, source))  # the line names the setting
    except StorageError as error:  # the store says why in one line, whichever engine
        return fail(f"cannot use the database {where}: {error}", EXIT_FAILED)


async def _act(run: Run) -> int:
    """Run the command's action; a refusal or a database failure is one line."""
    action: Action = run.args.action
    try:
        return await action(run)
    except DomainError as error:
        return fail(str(error))
    except Busy as error:
        return fail(str(error), EXIT_FAILED)
    except StorageError as error:  # mapped from the driver's error inside storage
        return fail(f"the database {shown(run.rt.settings.database)} failed: {error}", EXIT_FAILED)
