"""Runtime commands of the CLI: serve, socket, scheduler, console and run."""

from __future__ import annotations

import argparse
import sys


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the long-running commands on the CLI's sub-parsers."""
    for name, text in (
        ("serve", "serve Slack over HTTP on $PORT (path /slack/events)"),
        ("socket", "serve Slack over Socket Mode (SLACK_APP_TOKEN)"),
        ("scheduler", "run only the billing schedule and the message sender"),
        ("console", "the offline console: try the app in a terminal"),
        ("run", "Slack when credentials are set, otherwise the offline console"),
    ):
        parser = sub.add_parser(name, help=text)
        parser.set_defaults(handler=_not_yet)


def _not_yet(args: argparse.Namespace) -> int:
    print(f"addons-bot {args.command}: not available yet", file=sys.stderr)
    return 2
