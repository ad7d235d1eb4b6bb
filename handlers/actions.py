"""Buttons: Hinzufügen, Kündigen, Kündigung zurücknehmen, Rechnungsdaten, paging the table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot import services
from handlers.blocks.booking import booking_confirmation_view, booking_modal
from handlers.blocks.cancelling import cancellation_confirmation_view
from handlers.blocks.details import billing_details_modal
from handlers.blocks.home import home_non_admin_view
from handlers.blocks.ids import (
    ACTION_ADD,
    ACTION_CANCEL,
    ACTION_OPEN_BOOKING,
    ACTION_OPEN_DETAILS,
    ACTION_PAGE_NEXT,
    ACTION_PAGE_PREV,
    ACTION_UNDO,
)
from handlers.blocks.kit import ViewDict
from handlers.blocks.replies import notice_view
from handlers.common import Asker, asker, draw_overview, fail_politely, trigger_of
from handlers.deps import ProvideDeps, SlackDeps, deps_of
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


def register(app: AsyncApp, deps: SlackDeps) -> None:
    """Register the buttons of the overview and App Home."""
    provide = [ProvideDeps(deps)]
    app.action(ACTION_ADD, middleware=provide)(add_clicked)
    app.action(ACTION_OPEN_BOOKING, middleware=provide)(open_booking_clicked)
    app.action(ACTION_CANCEL, middleware=provide)(cancel_clicked)
    app.action(ACTION_UNDO, middleware=provide)(undo_clicked)
    app.action(ACTION_PAGE_NEXT, middleware=provide)(page_clicked)
    app.action(ACTION_PAGE_PREV, middleware=provide)(page_clicked)
    app.action(ACTION_OPEN_DETAILS, middleware=provide)(details_clicked)


# Each listener acknowledges at once, then hands its step to _guarded, which checks
# rights and turns every failure into a polite notice (see handlers/common.py for why).
# The deps are read before the ack: a lookup in the context that only a listener
# registered without ProvideDeps can fail, and that failure belongs to @app.error.


async def add_clicked(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Hinzufügen in the overview modal: the booking's Bestätigen on top."""
    deps = deps_of(context)
    await ack()
    await _guarded(_add, deps, client, body)


async def open_booking_clicked(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Hinzufügen in App Home: the booking modal for that option."""
    deps = deps_of(context)
    await ack()
    await _guarded(_open_booking, deps, client, body)


async def cancel_clicked(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Kündigen on a row: what it will do, with Bestätigen."""
    deps = deps_of(context)
    await ack()
    await _guarded(_cancel, deps, client, body)


async def undo_clicked(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Kündigung zurücknehmen on a row: undone at once, the row redrawn."""
    deps = deps_of(context)
    await ack()
    await _guarded(_undo, deps, client, body)


async def page_clicked(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Mehr / Zurück under the table: the view redrawn at another row offset."""
    deps = deps_of(context)
    await ack()
    await _guarded(_page, deps, client, body)


async def details_clicked(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Rechnungsdaten in the overview or App Home: their modal, filled with what is stored."""
    deps = deps_of(context)
    await ack()
    await _guarded(_open_details, deps, client, body)


Step = Callable[[SlackDeps, AsyncWebClient, dict[str, Any], Asker], Awaitable[None]]


async def _guarded(
    step: Step, deps: SlackDeps, client: AsyncWebClient, body: dict[str, Any]
) -> None:
    """Check rights, run ``step``, and answer every failure politely."""
    lang = deps.default_lang
    try:
        who = await _admin_or_refuse(deps, client, body)
        if who is None:
            return
        lang = who.lang
        await step(deps, client, body, who)
    except Exception as error:

        async def reply(text: str) -> None:
            await _show(client, body, notice_view(lang, text))

        await fail_politely(error, lang, reply)


async def _admin_or_refuse(
    deps: SlackDeps, client: AsyncWebClient, body: dict[str, Any]
) -> Asker | None:
    who = await asker(deps, client, body)
    if who.is_admin:
        return who
    if _in_home(body):
        await client.views_publish(user_id=who.user_id, view=home_non_admin_view(who.lang))
    else:
        await _show(client, body, notice_view(who.lang, t(who.lang, "refusal.not_admin")))
    return None


async def _add(deps: SlackDeps, client: AsyncWebClient, body: dict[str, Any], who: Asker) -> None:
    option = deps.ctx.catalog[_value(body)]
    raw = quantity_from_state(_container(body).get("state", {}).get("values", {}), option.key)
    try:
        quantity = parse_quantity(raw, option.max_quantity)
    except QuantityInputError as error:
        await _redraw(deps, client, body, who, errors={option.key: error.text(who.lang)})
        return
    async with deps.gate:
        quote = await services.quote_booking(
            deps.ctx, who.team_id, option.key, quantity, deps.clock.now()
        )
    await _show(client, body, booking_confirmation_view(quote, nonce=new_nonce(), lang=who.lang))
    if any(
        str(b.get("block_id", "")).startswith("qty_error_")
        for b in _container(body).get("blocks", [])
    ):
        # The number is fine now: clear the earlier inline error underneath.
        await _redraw(deps, client, body, who)


async def _open_booking(
    deps: SlackDeps, client: AsyncWebClient, body: dict[str, Any], who: Asker
) -> None:
    option = deps.ctx.catalog[_value(body)]
    await client.views_open(trigger_id=trigger_of(body), view=booking_modal(option, who.lang))


async def _open_details(
    deps: SlackDeps, client: AsyncWebClient, body: dict[str, Any], who: Asker
) -> None:
    async with deps.gate:
        sub = await services.ensure_workspace(deps.ctx, who.team_id, deps.clock.now())
    await _show(client, body, billing_details_modal(sub.details, who.lang))


async def _cancel(
    deps: SlackDeps, client: AsyncWebClient, body: dict[str, Any], who: Asker
) -> None:
    addon_id = parse_addon_id(_value(body))
    now = deps.clock.now()
    async with deps.gate:
        addon, quote = await services.cancellation_offer(deps.ctx, who.team_id, addon_id, now)
    await _show(
        client,
        body,
        cancellation_confirmation_view(addon, quote, catalog=deps.ctx.catalog, lang=who.lang),
    )


async def _undo(deps: SlackDeps, client: AsyncWebClient, body: dict[str, Any], who: Asker) -> None:
    addon_id = parse_addon_id(_value(body))
    async with deps.gate:
        await services.undo_cancellation(
            deps.ctx, who.team_id, addon_id, deps.clock.now, actor=who.user_id
        )
    # The row turns back into a red Kündigen in place; no extra dialog.
    await _redraw(deps, client, body, who)


async def _page(deps: SlackDeps, client: AsyncWebClient, body: dict[str, Any], who: Asker) -> None:
    await _redraw(deps, client, body, who, offset=parse_offset(_value(body)))


def _container(body: dict[str, Any]) -> dict[str, Any]:
    view = body.get("view")
    return view if isinstance(view, dict) else {}


def _in_home(body: dict[str, Any]) -> bool:
    return _container(body).get("type") == "home"


def _value(body: dict[str, Any]) -> str:
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    return str(first.get("value") or "") if isinstance(first, dict) else ""


async def _show(client: AsyncWebClient, body: dict[str, Any], view: ViewDict) -> None:
    """Show a modal on top of what the button was in: push over a modal, open over Home."""
    if _in_home(body):
        await client.views_open(trigger_id=trigger_of(body), view=view)
    else:
        await client.views_push(trigger_id=trigger_of(body), view=view)


async def _redraw(
    deps: SlackDeps,
    client: AsyncWebClient,
    body: dict[str, Any],
    who: Asker,
    *,
    offset: int = 0,
    errors: dict[str, str] | None = None,
) -> None:
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
