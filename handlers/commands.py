"""/addons and its text forms: hilfe, liste, buchen, kündigen, rechnung."""

from __future__ import annotations

import asyncio
import contextlib
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import services
from domain.errors import UnknownOption
from handlers.blocks.booking import booking_confirmation_view
from handlers.blocks.cancelling import cancellation_confirmation_view
from handlers.blocks.invoices import invoices_message
from handlers.blocks.overview import loading_view
from handlers.blocks.primitives import MessagePayload
from handlers.blocks.replies import (
    help_message,
    list_message,
    notice_view,
    refusal_message,
    text_message,
)
from handlers.common import Asker, asker, draw_overview, fail_politely, logger, trigger_of
from handlers.deps import ProvideDeps, SlackDeps, deps_of
from handlers.i18n import t
from handlers.requests import (
    MetadataError,
    QuantityInputError,
    new_nonce,
    parse_addon_id,
    parse_quantity,
)

COMMAND = "/addons"

WORDS = {
    "": "overview",
    "hilfe": "help",
    "help": "help",
    "?": "help",
    "liste": "list",
    "list": "list",
    "buchen": "book",
    "book": "book",
    "hinzufügen": "book",
    "add": "book",
    "kündigen": "cancel",
    "kuendigen": "cancel",
    "kundigen": "cancel",
    "cancel": "cancel",
    "rechnung": "invoice",
    "invoice": "invoice",
    "rechnungen": "invoice",
    "invoices": "invoice",
}
OPTION_WORDS = {
    "benutzer": "users",
    "nutzer": "users",
    "user": "users",
    "speicher": "storage",
    "speicherplatz": "storage",
}


def parse_text(text: str) -> tuple[str, list[str]]:
    """The sub-command of ``/addons <text>`` and its arguments; "unknown" if not ours."""
    # macOS keyboards may send "kündigen" decomposed (u + combining diaeresis).
    words = unicodedata.normalize("NFC", text).split()
    first = words[0].casefold() if words else ""
    return WORDS.get(first, "unknown"), words[1:]


def register(app: AsyncApp, deps: SlackDeps) -> None:
    """Register /addons."""
    app.command(COMMAND, middleware=[ProvideDeps(deps)])(addons_command)


async def addons_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    """/addons [text]: check rights, then do what the text asks."""
    deps = deps_of(context)
    await ack()  # at once: see handlers/common.py for why every failure is caught below
    lang = deps.default_lang

    async def reply(text: str) -> None:
        await respond(response_type="ephemeral", replace_original=False, **text_message(text))

    try:
        who = await asker(deps, client, body)
        lang = who.lang
        if not who.is_admin:  # checked on every request, before anything is read
            await respond(response_type="ephemeral", **refusal_message(lang))
            return
        await _dispatch(deps, client, respond, body, who)
    except Exception as error:  # every failure reaches the user politely, and the log
        await fail_politely(error, lang, reply)


@dataclass(frozen=True)
class _Command:
    """One admin's /addons request, parsed: what every sub-command works with."""

    deps: SlackDeps
    client: AsyncWebClient
    respond: AsyncRespond
    body: dict[str, Any]
    who: Asker
    args: list[str]
    now: datetime

    async def reply(self, payload: MessagePayload) -> None:
        """An ephemeral answer in the channel the command was typed in."""
        await self.respond(response_type="ephemeral", **payload)


async def _dispatch(
    deps: SlackDeps,
    client: AsyncWebClient,
    respond: AsyncRespond,
    body: dict[str, Any],
    who: Asker,
) -> None:
    verb, args = parse_text(str(body.get("text") or ""))
    command = _Command(deps, client, respond, body, who, args, deps.clock.now())
    if verb == "overview":
        await _overview(command)
    elif verb in ("help", "unknown"):
        unknown = str(body.get("text") or "").split()[0] if verb == "unknown" else None
        await command.reply(help_message(who.lang, deps.ctx.catalog, unknown=unknown))
    else:
        await services.ensure_workspace(deps.ctx, who.team_id, command.now)
        await _VERBS[verb](command)


async def _overview(command: _Command) -> None:
    client, lang = command.client, command.who.lang
    # The overview is read at once. Ready within the budget (the usual case), it is opened
    # filled: one round trip. Otherwise a placeholder spends the trigger (it lives 3 s)
    # and the overview fills it when it is ready.
    drawing = asyncio.ensure_future(draw_overview(command.deps, command.who.team_id, lang))
    done, _ = await asyncio.wait({drawing}, timeout=command.deps.overview_budget)
    if done and drawing.exception() is None:
        await client.views_open(trigger_id=trigger_of(command.body), view=drawing.result())
        return
    try:
        opened = await client.views_open(
            trigger_id=trigger_of(command.body), view=loading_view(lang)
        )
    except BaseException:
        drawing.cancel()
        with contextlib.suppress(BaseException):
            await drawing
        raise
    view_id = opened["view"]["id"]
    try:
        view = await drawing
        await client.views_update(view_id=view_id, hash=opened["view"]["hash"], view=view)
    except Exception as error:
        # Say it in the modal the user is looking at, not only behind it.
        async def in_modal(text: str) -> None:
            try:
                await client.views_update(view_id=view_id, view=notice_view(lang, text))
            except Exception as late:
                logger.error("could not show the failure in the modal", exc_info=late)
                await command.respond(
                    response_type="ephemeral", replace_original=False, **text_message(text)
                )

        await fail_politely(error, lang, in_modal)


async def _list(command: _Command) -> None:
    ctx = command.deps.ctx
    addons = await services.list_addons(ctx, command.who.team_id)
    await command.reply(list_message(addons, catalog=ctx.catalog, lang=command.who.lang))


async def _invoice(command: _Command) -> None:
    ctx = command.deps.ctx
    state = await services.overview(ctx, command.who.team_id, command.now, invoices=5)
    await command.reply(
        invoices_message(
            state.upcoming,
            state.last_invoices,
            catalog=ctx.catalog,
            lang=command.who.lang,
            corrections=state.last_corrections,
        )
    )


async def _book(command: _Command) -> None:
    ctx, args, lang = command.deps.ctx, command.args, command.who.lang
    if not args:
        await command.reply(help_message(lang, ctx.catalog))
        return
    key = OPTION_WORDS.get(args[0].casefold(), args[0].casefold())
    if key not in ctx.catalog:
        raise UnknownOption(args[0][:40])
    option = ctx.catalog[key]
    try:
        quantity = parse_quantity(args[1] if len(args) > 1 else "", option.max_quantity)
    except QuantityInputError as error:
        await command.reply(text_message(error.text(lang)))
        return
    booking = await services.quote_booking(
        ctx, command.who.team_id, option.key, quantity, command.now
    )
    await command.client.views_open(
        trigger_id=trigger_of(command.body),
        view=booking_confirmation_view(booking, nonce=new_nonce(), lang=lang),
    )


async def _cancel(command: _Command) -> None:
    ctx, args, lang, team_id = command.deps.ctx, command.args, command.who.lang, command.who.team_id
    try:
        addon_id = parse_addon_id(args[0] if args else "")
    except MetadataError:  # typed, not tampered with: say how, not "no longer valid"
        await command.reply(text_message(t(lang, "help.cancel_needs_number")))
        return
    addon, quote = await services.cancellation_offer(ctx, team_id, addon_id, command.now)
    await command.client.views_open(
        trigger_id=trigger_of(command.body),
        view=cancellation_confirmation_view(addon, quote, catalog=ctx.catalog, lang=lang),
    )


_VERBS: dict[str, Callable[[_Command], Awaitable[None]]] = {
    "list": _list,
    "invoice": _invoice,
    "book": _book,
    "cancel": _cancel,
}
