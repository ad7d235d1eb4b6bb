"""The whole command line: the operator commands and the runtime commands."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.entrypoints import runtime
from bot.entrypoints.cli import (
    addons,
    arguments,
    audit,
    billing,
    documents,
    entitlements,
    export,
    invoices,
    lifecycle,
    migrate,
    webhooks,
    workspace,
    workspace_billing,
)
from bot.entrypoints.cli.arguments import PROG, Parser
from bot.entrypoints.cli.builder import DATABASE_HELP, Builder, database_option

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

DATABASE_HELPS = {
    "console": "the console's SQLite file (default: ./addons-demo.db, never serve's)",
    "run": "a SQLite file path or a postgresql:// URL: with Slack $ADDONS_DATABASE or "
    "./addons.db, for the console ./addons-demo.db",
}
RUNTIME_COMMANDS = (
    ("serve", "serve Slack over HTTP on $PORT (path /slack/events) with the schedule"),
    ("socket", "serve Slack over Socket Mode (SLACK_APP_TOKEN) with the schedule"),
    ("scheduler", "run only the billing schedule and the message sender"),
    ("console", "the offline console: try the app in a terminal"),
    ("run", "Slack when credentials are set, otherwise the offline console"),
)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; operator commands carry ``action``, the rest ``handler``."""
    parser = Parser(prog=PROG, description="/addons: CloudCRM add-ons, operator command line")
    database_option(parser, None)
    parser.add_argument("--version", action="version", version=f"%(prog)s {migrate.app_version()}")
    commands: Subparsers = parser.add_subparsers(  # type: ignore[assignment]
        dest="command", metavar="COMMAND", required=True
    )
    b = Builder(commands)
    _workspace(b)
    _addons(b)
    _invoices(b)
    _billing(b)
    _events(b)
    lifecycle.add_commands(b)
    p = b.command(
        commands, "audit", "the workspace's audit log, newest first", audit.audit, b.as_json
    )
    p.add_argument("team_id", metavar="TEAM_ID", type=arguments.team)
    p = commands.add_parser(
        "migrate",
        help="apply pending schema migrations",
        description="apply pending schema migrations and say which (and the schema version)",
        parents=[b.database, b.as_json],
    )
    p.set_defaults(action=migrate.migrate, creates_database=True, migrates=True, validate=None)
    for name, text in RUNTIME_COMMANDS:
        p = commands.add_parser(name, help=text)
        # The console never uses serve's file (bot.entrypoints.console.demo): its default differs.
        database_option(p, argparse.SUPPRESS, DATABASE_HELPS.get(name, DATABASE_HELP))
        p.set_defaults(handler=runtime.run_command)
        if name in ("console", "run"):
            p.add_argument(
                "--date",
                metavar="YYYY-MM-DD",
                default=None,
                help="console: start its test clock on this date (default: now)",
            )
    return parser


def _workspace(b: Builder) -> None:
    where = b.group("workspace", "configure a workspace's subscription")
    p = b.command(
        where,
        "list",
        "every workspace: Slack name, installed, customer, Tarif, active add-ons, next invoice",
        workspace.workspace_list,
        b.as_json,
    )
    p.add_argument(
        "--not-installed", action="store_true", help="only workspaces without an installation"
    )
    p.add_argument(
        "--without-customer", action="store_true", help="only workspaces without a customer"
    )
    lifecycle.add_workspace_commands(b, where)
    shown = b.command(
        where,
        "show",
        "the workspace's subscription, billing admins, Slack installation, "
        "Rechnungsdaten, SEPA mandate (IBAN masked) and Tarif",
        workspace.workspace_show,
        b.as_json,
    )
    shown.add_argument("team_id", metavar="TEAM_ID", type=arguments.team)
    p = b.command(
        where,
        "set",
        "create or configure a workspace (billing anchor, zone, language, CloudCRM "
        "customer number, Rechnungsdaten, SEPA mandate, Tarif); the anchor is fixed once "
        "add-ons exist; each option changes only its own value",
        workspace.workspace_set,
        b.as_json,
    )
    p.set_defaults(creates_database=True)
    p.add_argument("team_id", metavar="TEAM_ID", type=arguments.team)
    p.add_argument(
        "--anchor",
        metavar="YYYY-MM-DD",
        type=arguments.iso_date,
        default=None,
        help="the billing anchor date: period k starts on anchor + k months "
        "(needed to create a workspace; default: the workspace's)",
    )
    p.add_argument(
        "--customer",
        metavar="NUMBER",
        type=arguments.customer,
        default=None,
        help="the workspace's CloudCRM customer number (1-64 printable characters), "
        "shown on invoices and in every event",
    )
    p.add_argument(
        "--billing-admins",
        metavar="U1,U2",
        type=arguments.user_ids,
        default=None,
        help="the workspace's billing admins (Slack user ids, comma-separated; "
        "'' for none): they may book and receive invoices besides the Slack admins",
    )
    p.add_argument(
        "--tz",
        metavar="ZONE",
        type=arguments.timezone,
        default=None,
        help="billing time zone (default: the workspace's, else Europe/Berlin)",
    )
    p.add_argument(
        "--locale",
        choices=("de", "en"),
        default=None,
        help="the workspace's language (default: the workspace's, else de)",
    )
    p.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        type=arguments.iso_date,
        default=None,
        help="set it up as if it were that date (12:00 UTC): periods that began "
        "before it count as billed; for demos and test clocks that start "
        "in the past",
    )
    workspace_billing.add_billing_options(p)


def _addons(b: Builder) -> None:
    where = b.group("addons", "list, book and cancel a workspace's add-ons")
    p = b.command(
        where, "list", "the workspace's add-ons, newest first", addons.addons_list, b.as_json
    )
    p.add_argument("team_id", metavar="TEAM_ID", type=arguments.team)
    p = b.command(
        where,
        "book",
        "book an add-on today, like an admin in Slack (the prorated "
        "amount goes on the next consolidated invoice)",
        addons.addons_book,
        b.by,
        b.as_json,
    )
    p.set_defaults(validate=addons.validate_book)
    p.add_argument("team_id", metavar="TEAM_ID", type=arguments.team)
    p.add_argument("option", metavar="OPTION", help="users or storage (10-GB packages)")
    p.add_argument("quantity", metavar="QUANTITY", help="a whole number from 1 to the maximum")
    p.add_argument(
        "--key",
        metavar="KEY",
        default=None,
        help="idempotency key: a rerun with the same key books once "
        "(default: a new key per invocation)",
    )
    p = b.command(
        where,
        "cancel",
        "Kündigen today: a cancellation to the period end, or a "
        "withdrawal within 14 days of booking; prints which",
        addons.addons_cancel,
        b.by,
        b.as_json,
    )
    p.set_defaults(issues_invoices=True)  # a withdrawal issues a Rechnungskorrektur
    p.add_argument("team_id", metavar="TEAM_ID", type=arguments.team)
    p.add_argument("addon_id", metavar="ADDON_ID", type=arguments.identifier)
    p = b.command(
        where,
        "undo-cancel",
        "take back a scheduled cancellation (Kündigung zurücknehmen)",
        addons.addons_undo,
        b.by,
        b.as_json,
    )
    p.add_argument("team_id", metavar="TEAM_ID", type=arguments.team)
    p.add_argument("addon_id", metavar="ADDON_ID", type=arguments.identifier)


def _invoices(b: Builder) -> None:
    upcoming = b.group("invoice", "the upcoming consolidated invoice")
    p = b.command(
        upcoming,
        "preview",
        "the upcoming consolidated invoice as it stands today",
        invoices.invoice_preview,
        b.as_json,
    )
    p.add_argument("team_id", metavar="TEAM_ID", type=arguments.team)
    issued = b.group("invoices", "issued consolidated invoices and their corrections")
    p = b.command(
        issued,
        "list",
        "the workspace's issued invoices and corrections, newest first",
        invoices.invoices_list,
        b.as_json,
    )
    p.add_argument("team_id", metavar="TEAM_ID", type=arguments.team)
    p = b.command(
        issued,
        "show",
        "one issued invoice (NUMBER) or correction (K-NUMBER) with its lines",
        invoices.invoices_show,
        b.as_json,
    )
    p.add_argument("number", metavar="NUMBER", type=invoices.document_number)
    p = b.command(
        issued,
        "document",
        "the document stored when NUMBER (or K-NUMBER) was issued, byte for byte: the PDF "
        "(ZUGFeRD, refused on a terminal), the CII XML, or the XRechnung",
        documents.invoices_document,
    )
    p.add_argument("number", metavar="NUMBER", type=invoices.document_number)
    p.add_argument("--format", choices=("pdf", "xml", "xrechnung"), default="pdf")
    p.add_argument("--out", metavar="PATH", default=None, help="write the file here")
    p = b.command(
        issued,
        "validate",
        "check the stored XML of NUMBER (or K-NUMBER) with the EN 16931 XSD and Schematron "
        "(and the XRechnung's BR-DE rules); needs the dev extra (saxonche)",
        documents.invoices_validate,
    )
    p.add_argument("number", metavar="NUMBER", type=invoices.document_number)
    p = b.command(
        issued,
        "export",
        "every workspace's invoices and Rechnungskorrekturen issued in a date range, one "
        "row per line (corrections negative), with net, VAT, gross, tax category and rate, "
        "for accounting (amounts as decimal strings, net unless named gross or vat)",
        export.invoices_export,
    )
    p.add_argument(
        "--from", dest="date_from", metavar="YYYY-MM-DD", type=arguments.iso_date, required=True
    )
    p.add_argument(
        "--to", dest="date_to", metavar="YYYY-MM-DD", type=arguments.iso_date, required=True
    )
    p.add_argument(
        "--format",
        choices=("csv", "json"),
        default="csv",
        help="csv: UTF-8 with a header row (default); json: one JSON object per line",
    )


def _billing(b: Builder) -> None:
    where = b.group("billing", "the billing run")
    p = b.command(
        where,
        "run",
        "issue every due consolidated invoice of every workspace, "
        "catching up period by period; a rerun issues nothing new",
        billing.billing_run,
        b.as_json,
    )
    p.set_defaults(issues_invoices=True)  # refused without a complete seller
    p.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        type=arguments.iso_date,
        default=None,
        help="run as if it were 12:00 UTC on that date (that calendar date in "
        "every billing time zone from UTC-11 to UTC+11), e.g. to process "
        "the periods starting on it; today or earlier: the invoices it issues "
        "are real and dated today, never backdated",
    )


def _events(b: Builder) -> None:
    p = b.command(
        b.commands,
        "entitlements",
        "the extra seats and storage a workspace's add-ons give today",
        entitlements.entitlements,
        b.as_json,
    )
    p.add_argument("team_id", metavar="TEAM_ID", type=arguments.team)
    where = b.group("webhooks", "CloudCRM's events and their delivery")
    p = b.command(
        where,
        "list",
        "events newest first, with their delivery status",
        webhooks.webhooks_list,
        b.as_json,
    )
    p.add_argument("--failed", action="store_true", help="only events given up")
    p.add_argument("--limit", metavar="N", type=arguments.limit, default=100, help="at most N")
    p = b.command(
        where,
        "retry",
        "send failed events again (one by id, or every failed one)",
        webhooks.webhooks_retry,
        b.as_json,
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("event_id", metavar="ID", nargs="?", type=arguments.identifier)
    which.add_argument("--all-failed", action="store_true", help="every failed event")
    p = b.command(
        where,
        "replay",
        "queue a workspace's events again (same ids, in sequence), for a CloudCRM that "
        "lost its copy",
        webhooks.webhooks_replay,
        b.as_json,
    )
    p.add_argument("team_id", metavar="TEAM_ID", type=arguments.team)
    p.add_argument(
        "--since",
        metavar="SEQUENCE",
        type=arguments.whole_number,
        required=True,
        help="the first sequence number to send again",
    )
