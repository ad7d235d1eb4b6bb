"""/addons and its text forms: hilfe, liste, buchen, kündigen, rechnung."""

from __future__ import annotations

import unicodedata
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import services
from domain.errors import UnknownOption
from handlers.blocks import (
    booking_confirmation_view,
    cancellation_confirmation_view,
    help_message,
    invoices_message,
    list_message,
    loading_view,
    notice_view,
    refusal_message,
    text_message,
)
from handlers.common import Asker, asker, draw_overview, fail_politely, logger, trigger_of
from handlers.deps import SlackDeps
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
    "hilfe": "help", "help": "help", "?": "help",
    "liste": "list", "list": "list",
    "buchen": "book", "book": "book", "hinzufügen": "book", "add": "book",
    "kündigen": "cancel", "kuendigen": "cancel", "kundigen": "cancel", "cancel": "cancel",
    "rechnung": "invoice", "invoice": "invoice", "rechnungen": "invoice", "invoices": "invoice",
}
OPTION_WORDS = {
    "benutzer": "users", "nutzer": "users", "user": "users",
    "speicher": "storage", "speicherplatz": "storage",
}


def parse_text(text: str) -> tuple[str, list[str]]:
    """The sub-command of ``/addons <text>`` and its arguments; "unknown" if not ours."""
    # macOS keyboards may send "kündigen" decomposed (u + combining diaeresis).
    words = unicodedata.normalize("NFC", text).split()
    first = words[0].casefold() if words else ""
    return WORDS.get(first, "unknown"), words[1:]


def register(app: AsyncApp, deps: SlackDeps) -> None:
    """Register /addons."""

    @app.command(COMMAND)
    async def addons_command(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        lang = deps.default_lang

        async def reply(text: str) -> None:
            await respond(response_type="ephemeral", replace_original=False,
                          **text_message(text))

        try:
            who = await asker(deps, client, body)
            lang = who.lang
            if not who.is_admin:  # checked on every request, before anything is read
                await respond(response_type="ephemeral", **refusal_message(lang))
                return
            await _dispatch(deps, client, respond, body, who)
        except Exception as error:  # every failure reaches the user politely, and the log
            await fail_politely(error, lang, reply)


async def _dispatch(
    deps: SlackDeps, client: AsyncWebClient, respond: AsyncRespond, body: dict[str, Any],
    who: Asker,
) -> None:
    verb, args = parse_text(str(body.get("text") or ""))
    ctx, lang, now = deps.ctx, who.lang, deps.clock.now()
    if verb == "overview":
        # Open at once (the trigger lives 3 s), then fill it.
        opened = await client.views_open(trigger_id=trigger_of(body), view=loading_view(lang))
        view_id = opened["view"]["id"]
        try:
            view = await draw_overview(deps, who.team_id, lang)
            await client.views_update(view_id=view_id, hash=opened["view"]["hash"], view=view)
        except Exception as error:
            # Say it in the modal the user is looking at, not only behind it.
            async def in_modal(text: str) -> None:
                try:
                    await client.views_update(view_id=view_id, view=notice_view(lang, text))
                except Exception as late:
                    logger.error("could not show the failure in the modal", exc_info=late)
                    await respond(response_type="ephemeral", replace_original=False,
                                  **text_message(text))

            await fail_politely(error, lang, in_modal)
        return
    if verb in ("help", "unknown"):
        unknown = str(body.get("text") or "").split()[0] if verb == "unknown" else None
        await respond(response_type="ephemeral", **help_message(lang, ctx.catalog,
                                                                unknown=unknown))
        return
    await services.ensure_workspace(ctx, who.team_id, now)
    if verb == "list":
        addons = await services.list_addons(ctx, who.team_id)
        await respond(response_type="ephemeral",
                      **list_message(addons, catalog=ctx.catalog, lang=lang))
    elif verb == "invoice":
        state = await services.overview(ctx, who.team_id, now, invoices=5)
        await respond(response_type="ephemeral", **invoices_message(
            state.upcoming, state.last_invoices, catalog=ctx.catalog, lang=lang))
    elif verb == "book":
        if not args:
            await respond(response_type="ephemeral", **help_message(lang, ctx.catalog))
            return
        key = OPTION_WORDS.get(args[0].casefold(), args[0].casefold())
        if key not in ctx.catalog:
            raise UnknownOption(args[0][:40])
        option = ctx.catalog[key]
        try:
            quantity = parse_quantity(args[1] if len(args) > 1 else "", option.max_quantity)
        except QuantityInputError as error:
            await respond(response_type="ephemeral", **text_message(error.text(lang)))
            return
        booking = await services.quote_booking(ctx, who.team_id, option.key, quantity, now)
        await client.views_open(trigger_id=trigger_of(body),
                                view=booking_confirmation_view(booking, nonce=new_nonce(),
                                                               lang=lang))
    elif verb == "cancel":
        try:
            addon_id = parse_addon_id(args[0] if args else "")
        except MetadataError:  # typed, not tampered with: say how, not "no longer valid"
            await respond(response_type="ephemeral",
                          **text_message(t(lang, "help.cancel_needs_number")))
            return
        quote = await services.quote_cancellation(ctx, who.team_id, addon_id, now)
        addon = await services.get_addon(ctx, who.team_id, addon_id)
        await client.views_open(trigger_id=trigger_of(body), view=cancellation_confirmation_view(
            addon, quote, catalog=ctx.catalog, lang=lang))
