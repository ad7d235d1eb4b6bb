"""`addons-bot addons list|book|cancel|undo-cancel`: a workspace's add-ons."""

from __future__ import annotations

import argparse
import contextlib
import uuid

from bot import services
from bot.entrypoints.cli.arguments import UsageError, whole_number
from bot.entrypoints.cli.invocation import Run
from bot.entrypoints.cli.output import addon_line, money, net, option_text
from domain.addons import Outcome
from domain.catalog import Catalog, Option
from domain.errors import UnknownOption

OPERATOR = "operator:"
IDEMPOTENCY_PREFIX = "cli:"


def validate_book(args: argparse.Namespace, catalog: Catalog) -> None:
    """Check option and quantity against the catalog before the database is touched."""
    option = _option(catalog, args.option)
    with contextlib.suppress(argparse.ArgumentTypeError):  # validate_quantity names the range
        args.quantity = whole_number(args.quantity)
    option.validate_quantity(args.quantity)


def _option(catalog: Catalog, key: str) -> Option:
    try:
        return catalog[key]
    except UnknownOption:
        known = ", ".join(option.key for option in catalog)
        raise UsageError(f"unknown add-on option: {key!r} (choose one of: {known})") from None


async def addons_list(run: Run) -> int:
    """The workspace's add-ons, newest first."""
    addons = await services.list_addons(run.ctx, run.args.team_id)
    if run.args.json:
        return run.json([services.addon_to_json(addon) for addon in addons])
    if not addons:
        return run.say(f"{run.args.team_id} has no add-ons.")
    return run.say(
        f"Add-ons of {run.args.team_id}, newest first (monthly prices excl. VAT):",
        *(addon_line(run.catalog, addon) for addon in addons),
    )


async def addons_book(run: Run) -> int:
    """Book an add-on today, once per idempotency key."""
    args = run.args
    key = IDEMPOTENCY_PREFIX + (args.key if args.key is not None else uuid.uuid4().hex)
    booked = await services.book(
        run.ctx,
        args.team_id,
        args.option,
        args.quantity,
        run.now,
        key=key,
        actor=OPERATOR + args.by,
    )
    addon, quote = booked.addon, booked.quote
    if args.json:
        return run.json(
            {
                "created": booked.created,
                "addon": services.addon_to_json(addon),
                "monthly_price": str(quote.monthly_price.amount),
                "prorated": str(quote.prorated.amount),
                "period_start": quote.period.start.isoformat(),
                "period_end": quote.period.end.isoformat(),
            }
        )
    what = option_text(run.catalog, addon.option, addon.quantity)
    if not booked.created:
        return run.say(
            f"Already booked with this key: add-on #{addon.id} for {args.team_id}, "
            f"{what}; nothing changed."
        )
    return run.say(
        f"Booked add-on #{addon.id} for {args.team_id}: {what}, "
        f"{money(quote.monthly_price)}/month excl. VAT.",
        f"Prorated {net(quote.prorated)} for {quote.booked_on}..{quote.period.end}, "
        f"charged with the next consolidated invoice; billed until {quote.billed_until}.",
    )


async def addons_cancel(run: Run) -> int:
    """Kündigen today: a cancellation to the period end, or a withdrawal; say which."""
    args = run.args
    # Quote first and confirm exactly that: if the facts move in between (the withdrawal
    # window closes at midnight), cancel refuses with OutcomeChanged instead.
    quote = await services.quote_cancellation(run.ctx, args.team_id, args.addon_id, run.now)
    done = await services.cancel(
        run.ctx, args.team_id, args.addon_id, quote.outcome, run.now, actor=OPERATOR + args.by
    )
    quote, refunded = done.quote, done.refunded
    if args.json:
        customer = (await services.get_workspace(run.ctx, args.team_id)).customer
        return run.json(
            {
                "outcome": quote.outcome.value,
                "on": quote.on.isoformat(),
                **services.money_figures(quote, refunded),
                "credited": str(quote.credited.amount),
                "corrections": [services.correction_to_json(c, customer) for c in done.corrections],
                "addon": services.addon_to_json(done.addon),
            }
        )
    if quote.outcome is Outcome.CANCELLATION:
        return run.say(
            f"Add-on #{args.addon_id} of {args.team_id}: cancellation "
            f"(Kündigung zum {quote.on}); it stays in force until then."
        )
    said = [
        f"{net(c.refund)} ({money(-c.taxed.gross if c.taxed else c.refund)} gross) refunded "
        f"with correction K-{c.number} to invoice {c.corrects}"
        for c in done.corrections
    ]
    if quote.removed_from_drafts:
        never = "" if said else ", never charged"
        said.append(
            f"{net(quote.removed_from_drafts)} removed from the next consolidated invoice{never}"
        )
    return run.say(
        f"Add-on #{args.addon_id} of {args.team_id}: withdrawal (Widerruf) on {quote.on}, "
        f"ended at once; " + ("; ".join(said) if said else "nothing was charged") + "."
    )


async def addons_undo(run: Run) -> int:
    """Take back a scheduled cancellation."""
    args = run.args
    addon = await services.undo_cancellation(
        run.ctx, args.team_id, args.addon_id, run.now, actor=OPERATOR + args.by
    )
    if args.json:
        return run.json({"addon": services.addon_to_json(addon)})
    return run.say(
        f"Add-on #{addon.id} of {args.team_id}: cancellation taken back "
        f"(Kündigung zurückgenommen); active again, billed until "
        f"{addon.billed_until}."
    )
