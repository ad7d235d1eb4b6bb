"""How the operator command line is put together: the shared options and one builder
that adds a group or a command (used by ``parser`` and the modules that add their own)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.entrypoints.cli import arguments
from bot.entrypoints.cli.arguments import Parser
from bot.entrypoints.cli.invocation import Action

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

DATABASE_HELP = (
    "a SQLite file path or a postgresql:// URL (default: $ADDONS_DATABASE or ./addons.db)"
)


def database_option(
    parser: argparse.ArgumentParser, default: object, text: str = DATABASE_HELP
) -> None:
    """``--database``: its one definition, on the top parser and on every command."""
    parser.add_argument(
        "--database", metavar="PATH|URL", default=default, type=arguments.path, help=text
    )


class Builder:
    """The shared options, and how a group or an operator command is added."""

    def __init__(self, commands: Subparsers) -> None:
        self.commands = commands
        # On every sub-parser too; SUPPRESS keeps a sub-parser from overwriting a value
        # given before the command with its default.
        self.database = Parser(add_help=False)
        database_option(self.database, argparse.SUPPRESS)
        self.as_json = Parser(add_help=False)
        self.as_json.add_argument("--json", action="store_true", help="machine-readable output")
        self.by = Parser(add_help=False)
        self.by.add_argument(
            "--by",
            metavar="NAME",
            required=True,
            type=arguments.name,
            help="the operator's name, recorded in the audit log as operator:NAME",
        )

    def group(self, name: str, text: str) -> Subparsers:
        """A command with sub-commands, such as ``addons``."""
        parent = self.commands.add_parser(name, help=text, description=text)
        return parent.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)

    def command(
        self,
        where: Subparsers,
        name: str,
        text: str,
        action: Action,
        *parents: argparse.ArgumentParser,
    ) -> argparse.ArgumentParser:
        """An operator command that runs ``action`` on an existing database."""
        sub = where.add_parser(name, help=text, description=text, parents=[self.database, *parents])
        sub.set_defaults(action=action, creates_database=False, validate=None)
        return sub
