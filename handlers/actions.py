"""Buttons: Hinzufügen, Kündigen, Kündigung zurücknehmen, paging the table."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot import services
from handlers.blocks import (
    ACTION_ADD,
    ACTION_CANCEL,
    ACTION_OPEN_BOOKING,
    ACTION_PAGE_NEXT,
    ACTION_PAGE_PREV,
    ACTION_UNDO,
    booking_confirmation_view,
    booking_modal,
    cancellation_confirmation_view,
    home_non_admin_view,
    notice_view,
)
from handlers.common import Asker, asker, draw_overview, fail_politely, trigger_of
from handlers.deps import SlackDeps
from handlers.i18n import t
from handlers.requests import (
    MetadataError,
    QuantityInputError,
    new_nonce,
    parse_addon_id,
    parse_offset,
    parse_quantity,
    quantity_from_state,
)


def _container(body: dict[str, Any]) -> dict[str, Any]:
    view = body.get("view")
    return view if isinstance(view, dict) else {}


def _in_home(body: dict[str, Any]) -> bool:
    return _container(body).get("type") == "home"


def _value(body: dict[str, Any]) -> str:
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    return str(first.get("value") or "") if isinstance(first, dict) else ""


async def _show(client: AsyncWebClient, body: dict[str, Any], view: View) -> None:
    """Show a modal on top of what the button was in: push over a modal, open over Home."""
    if _in_home(body):
        await client.views_open(trigger_id=trigger_of(body), view=view)
    else:
        await client.views_push(trigger_id=trigger_of(body), view=view)


async def _redraw(deps: SlackDeps, client: AsyncWebClient, body: dict[str, Any], who: Asker,
                  *, offset: int = 0, errors: dict[str, str] | None = None) -> None:
    """Redraw the view that holds the button (overview modal or App Home) in place."""
    if _in_home(body):
        view = await draw_overview(deps, who.team_id, who.lang, home=True, offset=offset)
        await client.views_publish(user_id=who.user_id, view=view)
        return
    view_id = _container(body).get("id")
    if not isinstance(view_id, str) or not view_id:
        raise MetadataError("the button came from no view")
    view = await draw_overview(deps, who.team_id, who.lang, offset=offset, errors=errors)
    await client.views_update(view_id=view_id, view=view)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    """Register the buttons of the overview and App Home."""

    async def admin_or_refuse(client: AsyncWebClient, body: dict[str, Any]) -> Asker | None:
        who = await asker(deps, client, body)
        if who.is_admin:
            return who
        if _in_home(body):
            await client.views_publish(user_id=who.user_id, view=home_non_admin_view(who.lang))
        else:
            await _show(client, body, notice_view(who.lang, t(who.lang, "refusal.not_admin")))
        return None

    def guarded(handler: Any) -> Any:
        """Acknowledge at once, check rights, and answer every failure politely."""

        async def listener(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
            await ack()
            lang = deps.default_lang
            try:
                who = await admin_or_refuse(client, body)
                if who is None:
                    return
                lang = who.lang
                await handler(client, body, who)
            except Exception as error:
                async def reply(text: str) -> None:
                    await _show(client, body, notice_view(lang, text))
                await fail_politely(error, lang, reply)

        listener.__name__ = handler.__name__
        return listener

    @guarded
    async def add(client: AsyncWebClient, body: dict[str, Any], who: Asker) -> None:
        option = deps.ctx.catalog[_value(body)]
        raw = quantity_from_state(_container(body).get("state", {}).get("values", {}),
                                  option.key)
        try:
            quantity = parse_quantity(raw, option.max_quantity)
        except QuantityInputError as error:
            await _redraw(deps, client, body, who, errors={option.key: error.text(who.lang)})
            return
        quote = await services.quote_booking(deps.ctx, who.team_id, option.key, quantity,
                                             deps.clock.now())
        await _show(client, body, booking_confirmation_view(quote, nonce=new_nonce(),
                                                            lang=who.lang))
        if any(str(b.get("block_id", "")).startswith("qty_error_")
               for b in _container(body).get("blocks", [])):
            # The number is fine now: clear the earlier inline error underneath.
            await _redraw(deps, client, body, who)

    @guarded
    async def open_booking(client: AsyncWebClient, body: dict[str, Any], who: Asker) -> None:
        option = deps.ctx.catalog[_value(body)]
        await client.views_open(trigger_id=trigger_of(body),
                                view=booking_modal(option, who.lang))

    @guarded
    async def cancel(client: AsyncWebClient, body: dict[str, Any], who: Asker) -> None:
        addon_id = parse_addon_id(_value(body))
        now = deps.clock.now()
        addon = await services.get_addon(deps.ctx, who.team_id, addon_id)
        quote = await services.quote_cancellation(deps.ctx, who.team_id, addon_id, now)
        await _show(client, body, cancellation_confirmation_view(
            addon, quote, catalog=deps.ctx.catalog, lang=who.lang))

    @guarded
    async def undo(client: AsyncWebClient, body: dict[str, Any], who: Asker) -> None:
        addon_id = parse_addon_id(_value(body))
        await services.undo_cancellation(deps.ctx, who.team_id, addon_id,
                                                 deps.clock.now(), actor=who.user_id)
        # The row turns back into a red Kündigen in place; no extra dialog.
        await _redraw(deps, client, body, who)

    @guarded
    async def page(client: AsyncWebClient, body: dict[str, Any], who: Asker) -> None:
        await _redraw(deps, client, body, who, offset=parse_offset(_value(body)))

    app.action(ACTION_ADD)(add)
    app.action(ACTION_OPEN_BOOKING)(open_booking)
    app.action(ACTION_CANCEL)(cancel)
    app.action(ACTION_UNDO)(undo)
    app.action(ACTION_PAGE_NEXT)(page)
    app.action(ACTION_PAGE_PREV)(page)
