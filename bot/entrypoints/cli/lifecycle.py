"""The data lifecycle on the command line (docs/privacy.md): export and erase a workspace,
erase a person, run the retention job once, re-encrypt the stored tokens."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from bot.adapters.retention import NoPseudonymKey, pseudonym_key, run_retention
from bot.entrypoints.cli import arguments
from bot.entrypoints.cli.invocation import EXIT_FAILED, Run, fail
from storage.erasure import EraseRefused, erase_user, erase_workspace
from storage.lifecycle import export_workspace, stored_files

if TYPE_CHECKING:
    from bot.entrypoints.cli.builder import Builder, Subparsers


async def workspace_export(run: Run) -> int:
    """Write everything kept about the workspace as one JSON file (and its PDFs)."""
    args = run.args
    exported = await export_workspace(run.rt.db, args.team_id)
    if not exported["tables"]["subscriptions"]:
        return fail(f"no workspace {args.team_id}")
    exported["exported_at"] = run.now.isoformat()
    _write(args.out, (json.dumps(exported, ensure_ascii=False, indent=2) + "\n").encode())
    written = 0
    if args.documents is not None:
        os.makedirs(args.documents, exist_ok=True)
        for name, data in await stored_files(run.rt.db, args.team_id):
            _write(os.path.join(args.documents, name), data)
            written += 1
    rows = sum(len(rows) for rows in exported["tables"].values())
    shown = {"team_id": args.team_id, "out": args.out, "rows": rows, "documents": written}
    if args.json:
        return run.json(shown)
    return run.say(f"Exported workspace {args.team_id}: {rows} rows to {args.out}.")


def _write(path: str, data: bytes) -> None:
    with open(path, "wb") as file:
        file.write(data)


def _key(run: Run) -> bytes | None:
    try:
        return pseudonym_key(run.rt.settings)
    except NoPseudonymKey as error:
        fail(str(error))
        return None


async def workspace_erase(run: Run) -> int:
    """Pseudonymize every person of an uninstalled workspace without running add-ons."""
    key = _key(run)
    if key is None:
        return 2
    try:
        erased = await erase_workspace(
            run.rt.db, run.args.team_id, key, run.now, actor=f"operator:{run.args.by}"
        )
    except EraseRefused as error:
        return fail(str(error))
    return _said(run, run.args.team_id, erased.people, erased.rows)


async def user_erase(run: Run) -> int:
    """Pseudonymize one person of a workspace."""
    key = _key(run)
    if key is None:
        return 2
    args = run.args
    try:
        erased = await erase_user(
            run.rt.db, args.team_id, args.user_id, key, run.now, actor=f"operator:{args.by}"
        )
    except EraseRefused as error:
        return fail(str(error))
    return _said(run, args.team_id, erased.people, erased.rows)


def _said(run: Run, team_id: str, people: int, rows: int) -> int:
    if run.args.json:
        return run.json({"team_id": team_id, "people": people, "rows": rows})
    if not rows:
        return run.say(f"Nothing left to erase in {team_id}.")
    return run.say(f"Erased {people} person(s) of {team_id}: {rows} rows pseudonymized.")


async def retention_run(run: Run) -> int:
    """Run the retention job once, now (or --as-of)."""
    purged = await run_retention(run.rt.db, run.rt.settings, run.now)
    if run.args.json:
        return run.json(purged.counts)
    return run.say(
        "Purged: " + ", ".join(f"{n} {what}" for what, n in sorted(purged.counts.items())) + "."
    )


async def keys_rotate(run: Run) -> int:
    """Re-encrypt every stored token under the first key of ADDONS_TOKEN_KEY."""
    from bot.adapters.slack_install.crypto import TokenCipher, TokenKeyError
    from bot.adapters.slack_install.rotation import count_old, rotate_tokens

    try:
        cipher = TokenCipher(run.rt.settings.token_key)
    except TokenKeyError as error:
        return fail(str(error))
    done = await rotate_tokens(run.rt.db, cipher)
    old = await count_old(run.rt.db, cipher)
    shown = {"rotated": done.rotated, "current": done.current, "old": old}
    if run.args.json:
        run.json(shown)
    else:
        run.say(
            f"Re-encrypted {done.rotated} token(s); {done.current} already under the first "
            f"key; {old} under an older key"
            + (" (the old key can go)." if not old else " (no key of ADDONS_TOKEN_KEY opens them).")
        )
    return EXIT_FAILED if old else 0


def user_id(text: str) -> str:
    """One Slack user id."""
    (one,) = arguments.user_ids(text) or ("",)
    if not one:
        raise ValueError(text)
    return one


def add_workspace_commands(b: Builder, where: Subparsers) -> None:
    """`workspace export` and `workspace erase`."""
    p = b.command(
        where,
        "export",
        "everything kept about the workspace as one JSON file (Art. 15/20 DSGVO); no tokens",
        workspace_export,
        b.as_json,
    )
    p.add_argument("team_id", metavar="TEAM_ID", type=arguments.team)
    p.add_argument("--out", metavar="FILE", required=True, type=arguments.path)
    p.add_argument(
        "--documents", metavar="DIR", default=None, help="also write the stored PDFs there"
    )
    p = b.command(
        where,
        "erase",
        "replace every Slack user id of an uninstalled workspace by a pseudonym; "
        "invoices and corrections are kept until their retention ends",
        workspace_erase,
        b.by,
        b.as_json,
    )
    p.add_argument("team_id", metavar="TEAM_ID", type=arguments.team)


def add_commands(b: Builder) -> None:
    """`user erase`, `retention run` and `keys rotate`."""
    where = b.group("user", "a person of a workspace")
    p = b.command(
        where,
        "erase",
        "replace one person's Slack user id by a pseudonym everywhere in the workspace",
        user_erase,
        b.by,
        b.as_json,
    )
    p.add_argument("team_id", metavar="TEAM_ID", type=arguments.team)
    p.add_argument("user_id", metavar="USER_ID", type=user_id)
    where = b.group("retention", "purging what is past its time")
    p = b.command(
        where,
        "run",
        "run the daily retention job once (the scheduler runs it every day)",
        retention_run,
        b.as_json,
    )
    where = b.group("keys", "the key of the stored Slack tokens")
    p = b.command(
        where,
        "rotate",
        "re-encrypt every stored token under the first key of ADDONS_TOKEN_KEY; "
        "exit 1 while any remains under an older one",
        keys_rotate,
        b.as_json,
    )
