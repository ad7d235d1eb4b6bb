"""`addons-bot`: the operator command line, and the door to the runtime commands.

Exit status: 0 done; 2 bad input or a rule refused it (nothing changed); 1 the database
could not serve the request (busy, unreadable). Every error is one line on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import sqlite3
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from bot import runtime, services
from bot.ports import AuditEntry
from bot.settings import Settings
from domain.addons import AddOn, Outcome, Status
from domain.catalog import Catalog, Option
from domain.errors import DomainError, UnknownOption
from domain.invoices import Invoice
from domain.money import Money
from storage.sqlite import (
    Database,
    SchemaTooNew,
    StorageBusy,
    StorageError,
    migrations,
)

PROG = "addons-bot"
EXIT_OK, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2
OPERATOR = "operator:"
IDEMPOTENCY_PREFIX = "cli:"

# The billing run "as of" a date runs at 12:00 UTC of that date: that instant lies on
# the same calendar date in every billing time zone from UTC-11 to UTC+11.
AS_OF_TIME = time(12, 0, tzinfo=UTC)


class UsageError(Exception):
    """The command line itself is wrong; nothing was opened or changed."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, raised instead of exiting."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix(PROG).strip()  # "addons book"
        raise UsageError(f"{command}: {message}" if command else message)


Action = Callable[["Run"], Awaitable[int]]
if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


# -- argument types -------------------------------------------------------------------


def _iso_date(text: str) -> date:
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)")


def _timezone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            f"unknown time zone: {text!r} (use an IANA name such as Europe/Berlin)"
        ) from None
    return text


def _whole_number(text: str) -> int:
    if not re.fullmatch(r"[0-9]+", text):
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    return int(text)


def _team(text: str) -> str:
    if not re.fullmatch(r"\S+", text):
        raise argparse.ArgumentTypeError(f"not a Slack team id: {text!r}")
    return text


def _path(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("the database path must not be empty")
    return text


def _name(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("the operator's name must not be empty")
    return text.strip()


# -- the parser -----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: operator commands and the runtime commands."""
    # --database goes on the top parser and on every sub-parser; SUPPRESS keeps a
    # sub-parser from overwriting a value given before the command with its default.
    database = _Parser(add_help=False)
    database.add_argument(
        "--database", metavar="PATH", default=argparse.SUPPRESS, type=_path,
        help="the SQLite file (default: $ADDONS_DATABASE or ./addons.db)",
    )
    as_json = _Parser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="machine-readable output")
    by = _Parser(add_help=False)
    by.add_argument("--by", metavar="NAME", required=True, type=_name,
                    help="the operator's name, recorded in the audit log as operator:NAME")

    parser = _Parser(prog=PROG, description="/addons: CloudCRM add-ons, operator command line")
    parser.add_argument("--database", metavar="PATH", default=None, type=_path,
                        help="the SQLite file (default: $ADDONS_DATABASE or ./addons.db)")
    commands: Subparsers = parser.add_subparsers(  # type: ignore[assignment]
        dest="command", metavar="COMMAND", required=True)

    def group(name: str, text: str) -> Subparsers:
        parent = commands.add_parser(name, help=text, description=text)
        return parent.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)

    def command(
        where: Subparsers, name: str, text: str,
        action: Action, *parents: argparse.ArgumentParser,
    ) -> argparse.ArgumentParser:
        sub = where.add_parser(name, help=text, description=text,
                               parents=[database, *parents])
        sub.set_defaults(action=action, creates_database=False)
        return sub

    workspace = group("workspace", "configure a workspace's subscription")
    p = command(workspace, "set", "create or configure a workspace (billing anchor, zone, "
                "language); the anchor is fixed once add-ons exist", _workspace_set, as_json)
    p.set_defaults(creates_database=True)
    p.add_argument("team_id", metavar="TEAM_ID", type=_team)
    p.add_argument("--anchor", metavar="YYYY-MM-DD", type=_iso_date, required=True,
                   help="the billing anchor date: period k starts on anchor + k months")
    p.add_argument("--tz", metavar="ZONE", type=_timezone, default=None,
                   help="billing time zone (default: the workspace's, else Europe/Berlin)")
    p.add_argument("--locale", choices=("de", "en"), default=None,
                   help="the workspace's language (default: the workspace's, else de)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", type=_iso_date, default=None,
                   help="set it up as if it were that date (12:00 UTC): periods that began "
                        "before it count as billed; for demos and test clocks that start "
                        "in the past")

    addons = group("addons", "list, book and cancel a workspace's add-ons")
    p = command(addons, "list", "the workspace's add-ons, newest first", _addons_list,
                as_json)
    p.add_argument("team_id", metavar="TEAM_ID", type=_team)
    p = command(addons, "book", "book an add-on today, like an admin in Slack (the prorated "
                "amount goes on the next consolidated invoice)", _addons_book, by, as_json)
    p.add_argument("team_id", metavar="TEAM_ID", type=_team)
    p.add_argument("option", metavar="OPTION", help="users or storage (10-GB packages)")
    p.add_argument("quantity", metavar="QUANTITY", help="a whole number from 1 to the maximum")
    p.add_argument("--key", metavar="KEY", default=None,
                   help="idempotency key: a rerun with the same key books once "
                        "(default: a new key per invocation)")
    p = command(addons, "cancel", "Kündigen today: a cancellation to the period end, or a "
                "withdrawal within 14 days of booking; prints which", _addons_cancel, by,
                as_json)
    p.add_argument("team_id", metavar="TEAM_ID", type=_team)
    p.add_argument("addon_id", metavar="ADDON_ID", type=_whole_number)
    p = command(addons, "undo-cancel", "take back a scheduled cancellation "
                "(Kündigung zurücknehmen)", _addons_undo, by, as_json)
    p.add_argument("team_id", metavar="TEAM_ID", type=_team)
    p.add_argument("addon_id", metavar="ADDON_ID", type=_whole_number)

    invoice = group("invoice", "the upcoming consolidated invoice")
    p = command(invoice, "preview", "the upcoming consolidated invoice as it stands today",
                _invoice_preview, as_json)
    p.add_argument("team_id", metavar="TEAM_ID", type=_team)

    invoices = group("invoices", "issued consolidated invoices")
    p = command(invoices, "list", "the workspace's issued invoices, newest first",
                _invoices_list, as_json)
    p.add_argument("team_id", metavar="TEAM_ID", type=_team)
    p = command(invoices, "show", "one issued invoice with its lines", _invoices_show, as_json)
    p.add_argument("number", metavar="NUMBER", type=_whole_number)

    billing = group("billing", "the billing run")
    p = command(billing, "run", "issue every due consolidated invoice of every workspace, "
                "catching up period by period; a rerun issues nothing new", _billing_run,
                as_json)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", type=_iso_date, default=None,
                   help="run as if it were 12:00 UTC on that date (that calendar date in "
                        "every billing time zone from UTC-11 to UTC+11), e.g. to process "
                        "the periods starting on it; today or earlier, since the invoices "
                        "it issues are real")

    p = commands.add_parser("audit", help="the workspace's audit log, newest first",
                            description="the workspace's audit log, newest first",
                            parents=[database, as_json])
    p.set_defaults(action=_audit, creates_database=False)
    p.add_argument("team_id", metavar="TEAM_ID", type=_team)

    p = commands.add_parser("migrate", help="apply pending schema migrations",
                            description="apply pending schema migrations and say which",
                            parents=[database])
    p.set_defaults(action=_migrate, creates_database=True)

    before = set(commands.choices)
    runtime.add_commands(commands)
    for name in set(commands.choices) - before:
        if "--database" not in commands.choices[name]._option_string_actions:
            commands.choices[name].add_argument(
                "--database", metavar="PATH", default=argparse.SUPPRESS,
                help="the SQLite file (default: $ADDONS_DATABASE or ./addons.db)")
    return parser


# -- running a command ----------------------------------------------------------------


class Run:
    """One invocation: its arguments, context, the instant it runs at, and output."""

    def __init__(self, args: argparse.Namespace, ctx: services.Context, now: datetime,
                 db: Database, applied: list[str]) -> None:
        self.args = args
        self.ctx = ctx
        self.now = now
        self.db = db
        self.applied = applied

    @property
    def catalog(self) -> Catalog:
        return self.ctx.catalog

    def json(self, value: Any) -> int:
        print(json.dumps(value, ensure_ascii=False, indent=2))
        return EXIT_OK

    def say(self, *lines: str) -> int:
        for line in lines:
            print(line)
        return EXIT_OK


def _fail(message: str, status: int = EXIT_REFUSED) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return status


def main(argv: list[str] | None = None, *, now: datetime | None = None) -> int:
    """Run the command line; return the exit status.

    ``now`` is read from the clock here, once, unless a test passes it in.
    """
    now = now if now is not None else datetime.now(UTC)
    try:
        args = build_parser().parse_args(argv)
    except UsageError as error:
        return _fail(str(error))
    except SystemExit as done:  # --help
        return done.code if isinstance(done.code, int) else EXIT_OK
    if not hasattr(args, "action"):
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    try:
        settings = Settings()
        if args.database is not None:
            settings = settings.model_copy(update={"database": args.database})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return _fail(f"bad setting {where}: {first['msg']}")
    try:
        _validate(args, settings.catalog())
    except (UsageError, DomainError) as error:
        return _fail(str(error))
    path = settings.database
    if not args.creates_database and not os.path.exists(path):
        return _fail(f"no database at {path} (create it with `{PROG} workspace set` "
                     f"or `{PROG} migrate`, or pass --database)")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return _fail(f"cannot create the database {path}: no such directory {folder}")
    if getattr(args, "as_of", None) is not None:
        if args.as_of > now.astimezone(UTC).date():
            # Invoices issued for a period that has not begun would be real and wrong.
            return _fail(f"--as-of {args.as_of} lies in the future; it may only go back")
        now = datetime.combine(args.as_of, AS_OF_TIME)
    return asyncio.run(_run(args, settings, now))


def _validate(args: argparse.Namespace, catalog: Catalog) -> None:
    """Check option and quantity against the catalog before the database is touched."""
    if args.action is not _addons_book:
        return
    option = _option(catalog, args.option)
    with contextlib.suppress(argparse.ArgumentTypeError):  # validate_quantity names the range
        args.quantity = _whole_number(args.quantity)
    option.validate_quantity(args.quantity)


def _option(catalog: Catalog, key: str) -> Option:
    try:
        return catalog[key]
    except UnknownOption:
        known = ", ".join(option.key for option in catalog)
        raise UsageError(f"unknown add-on option: {key!r} (choose one of: {known})") from None


async def _run(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    db = Database(settings.database, pool_size=2)
    try:
        applied = await db.open()
    except SchemaTooNew as error:
        return _fail(f"{settings.database}: {error}")
    except StorageError as error:
        return _fail(f"{settings.database}: {error}", EXIT_FAILED)
    except sqlite3.Error as error:
        return _fail(f"cannot use the database {settings.database}: {error}", EXIT_FAILED)
    ctx = services.Context(
        db=db,
        catalog=settings.catalog(),
        default_locale=settings.default_locale,
        default_timezone=settings.timezone,
        billing_admins=settings.billing_admins,
    )
    try:
        action: Action = args.action
        return await action(Run(args, ctx, now, db, applied))
    except DomainError as error:
        return _fail(str(error))
    except StorageBusy as error:
        return _fail(str(error), EXIT_FAILED)
    except (StorageError, sqlite3.Error) as error:
        return _fail(f"the database {settings.database} failed: {error}", EXIT_FAILED)
    finally:
        await db.close()


# -- formatting -----------------------------------------------------------------------


def _money(amount: Money) -> str:
    return str(amount)  # "2.85 EUR"


def _option_text(catalog: Catalog, key: str, quantity: int) -> str:
    """"users x2 (+2 seats)", "storage x3 (+30 GB)"."""
    if key not in catalog:
        return f"{key} x{quantity}"
    option = catalog[key]
    gives = option.gives(quantity)
    unit = option.unit if option.unit != "seat" or gives == 1 else "seats"
    return f"{key} x{quantity} (+{gives} {unit})"


def _status_text(addon: AddOn) -> str:
    if addon.status is Status.CANCELLATION_PENDING:
        return f"cancellation pending (Kündigung zum {addon.effective_on})"
    if addon.status is Status.ENDED:
        return f"ended (Beendet am {addon.ended_on})"
    if addon.status is Status.WITHDRAWN:
        return f"withdrawn (Widerrufen am {addon.ended_on})"
    return "active"


def _addon_line(catalog: Catalog, addon: AddOn) -> str:
    price = (_money(catalog[addon.option].monthly_price(addon.quantity)) + "/month"
             if addon.option in catalog else "-")
    billed = addon.billed_until.isoformat() if addon.billed_until else "-"
    return (f"#{addon.id:<5} {_option_text(catalog, addon.option, addon.quantity):<28} "
            f"{price:>16}  billed until {billed:<10}  {_status_text(addon)}")


def _invoice_lines(catalog: Catalog, invoice: Invoice, heading: str) -> list[str]:
    out = [f"{heading}, period {invoice.period.start}..{invoice.period.end}"]
    if not invoice.lines:
        out.append("  (no lines)")
    for line in invoice.lines:
        out.append(f"  {line.kind.value:<10} add-on #{line.addon_id:<5} "
                   f"{_option_text(catalog, line.option, line.quantity):<28} "
                   f"{line.from_day}..{line.to_day}  {_money(line.amount):>14}")
    out.append(f"  {'total':<82}{_money(invoice.total):>14}")
    return out


def _audit_to_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "team_id": entry.team_id,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "addon_id": entry.addon_id,
        "before": entry.before_status,
        "after": entry.after_status,
        "detail": entry.detail,
    }


# -- the commands ---------------------------------------------------------------------


async def _workspace_set(run: Run) -> int:
    args = run.args
    sub = await services.set_workspace(run.ctx, args.team_id, args.anchor, run.now,
                                       timezone=args.tz, locale=args.locale, actor="operator")
    period = sub.schedule.period_containing(sub.today(run.now))
    if args.json:
        return run.json({"team_id": sub.team_id, "anchor": sub.anchor.isoformat(),
                         "timezone": sub.timezone, "locale": sub.locale,
                         "period_start": period.start.isoformat(),
                         "period_end": period.end.isoformat()})
    return run.say(f"Workspace {sub.team_id}: anchor {sub.anchor}, time zone {sub.timezone}, "
                   f"locale {sub.locale}; current period {period.start}..{period.end}.")


async def _addons_list(run: Run) -> int:
    addons = await services.list_addons(run.ctx, run.args.team_id)
    if run.args.json:
        return run.json([services.addon_to_json(addon) for addon in addons])
    if not addons:
        return run.say(f"{run.args.team_id} has no add-ons.")
    return run.say(f"Add-ons of {run.args.team_id}, newest first:",
                   *(_addon_line(run.catalog, addon) for addon in addons))


async def _addons_book(run: Run) -> int:
    args = run.args
    key = IDEMPOTENCY_PREFIX + (args.key if args.key is not None else uuid.uuid4().hex)
    booked = await services.book(run.ctx, args.team_id, args.option, args.quantity, run.now,
                                 key=key, actor=OPERATOR + args.by)
    addon, quote = booked.addon, booked.quote
    if args.json:
        return run.json({"created": booked.created, "addon": services.addon_to_json(addon),
                         "monthly_price": str(quote.monthly_price.amount),
                         "prorated": str(quote.prorated.amount),
                         "period_start": quote.period.start.isoformat(),
                         "period_end": quote.period.end.isoformat()})
    what = _option_text(run.catalog, addon.option, addon.quantity)
    if not booked.created:
        return run.say(f"Already booked with this key: add-on #{addon.id} for {args.team_id}, "
                       f"{what}; nothing changed.")
    return run.say(
        f"Booked add-on #{addon.id} for {args.team_id}: {what}, "
        f"{_money(quote.monthly_price)}/month.",
        f"Prorated {_money(quote.prorated)} for {quote.booked_on}..{quote.period.end}, "
        f"charged with the next consolidated invoice; billed until {quote.billed_until}.",
    )


async def _addons_cancel(run: Run) -> int:
    args = run.args
    # Quote first and confirm exactly that: if the facts move in between (the withdrawal
    # window closes at midnight), cancel refuses with OutcomeChanged instead.
    quote = await services.quote_cancellation(run.ctx, args.team_id, args.addon_id, run.now)
    done = await services.cancel(run.ctx, args.team_id, args.addon_id, quote.outcome, run.now,
                                 actor=OPERATOR + args.by)
    quote = done.quote
    if args.json:
        return run.json({"outcome": quote.outcome.value, "on": quote.on.isoformat(),
                         "refund": str(quote.refund.amount),
                         "removed_from_drafts": str(quote.removed_from_drafts.amount),
                         "credited": str(quote.credited.amount),
                         "addon": services.addon_to_json(done.addon)})
    if quote.outcome is Outcome.CANCELLATION:
        return run.say(f"Add-on #{args.addon_id} of {args.team_id}: cancellation "
                       f"(Kündigung zum {quote.on}); it stays in force until then.")
    return run.say(
        f"Add-on #{args.addon_id} of {args.team_id}: withdrawal (Widerruf) on {quote.on}, "
        f"ended at once; refunded {_money(quote.refund)} "
        f"({_money(quote.removed_from_drafts)} removed from the draft, "
        f"{_money(quote.credited)} credited on the next invoice)."
    )


async def _addons_undo(run: Run) -> int:
    args = run.args
    addon = await services.undo_cancellation(run.ctx, args.team_id, args.addon_id, run.now,
                                             actor=OPERATOR + args.by)
    if args.json:
        return run.json({"addon": services.addon_to_json(addon)})
    return run.say(f"Add-on #{addon.id} of {args.team_id}: cancellation taken back "
                   f"(Kündigung zurückgenommen); active again, billed until "
                   f"{addon.billed_until}.")


async def _invoice_preview(run: Run) -> int:
    invoice = await services.preview_invoice(run.ctx, run.args.team_id, run.now)
    if run.args.json:
        return run.json(services.invoice_to_json(invoice))
    return run.say(*_invoice_lines(
        run.catalog, invoice,
        f"Upcoming invoice for {invoice.team_id} (preview, no number yet), "
        f"to be issued {invoice.issued_on}"))


async def _invoices_list(run: Run) -> int:
    invoices = await services.list_invoices(run.ctx, run.args.team_id)
    if run.args.json:
        return run.json([services.invoice_to_json(invoice) for invoice in invoices])
    if not invoices:
        return run.say(f"{run.args.team_id} has no invoices yet.")
    return run.say(
        f"Invoices of {run.args.team_id}, newest first:",
        *(f"{invoice.number:>6}  issued {invoice.issued_on}  "
          f"period {invoice.period.start}..{invoice.period.end}  "
          f"{_money(invoice.total):>14}  ({len(invoice.lines)} lines)" for invoice in invoices),
    )


async def _invoices_show(run: Run) -> int:
    invoice = await services.get_invoice(run.ctx, run.args.number)
    if run.args.json:
        return run.json(services.invoice_to_json(invoice))
    return run.say(*_invoice_lines(
        run.catalog, invoice,
        f"Invoice {invoice.number} for {invoice.team_id}, issued {invoice.issued_on}"))


async def _billing_run(run: Run) -> int:
    turns = await services.billing_run(run.ctx, run.now)
    issued = [turn.invoice for turn in turns if turn.invoice is not None]
    if run.args.json:
        return run.json({
            "now": run.now.isoformat(),
            "issued": [services.invoice_to_json(invoice) for invoice in issued],
            "turns": [{"team_id": turn.team_id,
                       "period_start": turn.period.start.isoformat(),
                       "period_end": turn.period.end.isoformat(),
                       "invoice_number": turn.invoice.number if turn.invoice else None,
                       "deactivated": list(turn.deactivated),
                       "renewed": turn.renewed} for turn in turns],
        })
    lines = []
    for turn in turns:
        span = f"{turn.period.start}..{turn.period.end}"
        if turn.invoice is not None:
            lines.append(f"Issued invoice {turn.invoice.number} to {turn.team_id} for {span}: "
                         f"{_money(turn.invoice.total)}, {len(turn.invoice.lines)} lines.")
        if turn.deactivated:
            ids = ", ".join(f"#{i}" for i in turn.deactivated)
            last_day = turn.period.start - timedelta(days=1)
            lines.append(f"Ended add-on {ids} of {turn.team_id}: its cancellation took effect "
                         f"on {last_day}.")
    quiet = len(turns) - len(issued)
    lines.append(f"Billing run as of {run.now.isoformat()}: {len(issued)} invoice(s) issued"
                 + (f", {quiet} period(s) turned with nothing to bill." if quiet else "."))
    return run.say(*lines)


async def _audit(run: Run) -> int:
    entries = await services.audit_log(run.ctx, run.args.team_id)
    if run.args.json:
        return run.json([_audit_to_json(entry) for entry in entries])
    if not entries:
        return run.say(f"{run.args.team_id} has no audit entries.")
    out = [f"Audit log of {run.args.team_id}, newest first:"]
    for entry in entries:
        addon = f" add-on #{entry.addon_id}" if entry.addon_id is not None else ""
        change = (f" {entry.before_status or '-'} -> {entry.after_status or '-'}"
                  if entry.before_status or entry.after_status else "")
        detail = " ".join(f"{k}={v}" for k, v in sorted(entry.detail.items()))
        out.append(f"{entry.at.isoformat()}  {entry.actor}  {entry.action}{addon}{change}"
                   + (f"  {detail}" if detail else ""))
    return run.say(*out)


async def _migrate(run: Run) -> int:
    version = len(migrations())
    if not run.applied:
        return run.say(f"Nothing to do: {run.db.path} is at schema version {version}.")
    return run.say(f"Applied to {run.db.path}: {', '.join(run.applied)} "
                   f"(now at schema version {version}).")
