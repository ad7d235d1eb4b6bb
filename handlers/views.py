"""Submitted views: the booking modal, Bestätigen on a booking, Bestätigen on Kündigen."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import services
from handlers.blocks import (
    CALLBACK_BOOK,
    CALLBACK_CONFIRM_BOOKING,
    CALLBACK_CONFIRM_CANCEL,
    CALLBACK_OVERVIEW,
    booking_confirmation_view,
    booking_done_message,
    cancellation_done_message,
    notice_view,
)
from handlers.common import Asker, asker, draw_overview, failure_text, logger, publish_home
from handlers.deps import SlackDeps
from handlers.i18n import t
from handlers.requests import (
    QuantityInputError,
    new_nonce,
    parse_booking_metadata,
    parse_cancellation_metadata,
    parse_option_metadata,
    parse_quantity,
    quantity_errors,
    quantity_from_state,
)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    """Register the view submissions."""

    @app.view(CALLBACK_OVERVIEW)
    async def overview_done(ack: AsyncAck) -> None:
        # "Fertig" closes the overview; Slack needs a submit button on a modal with inputs.
        await ack()

    async def finish(client: AsyncWebClient, ack: AsyncAck, view: dict[str, Any], who: Asker,
                     done_text: str) -> None:
        """Back to the refreshed overview below, or say what happened where there is none."""
        below = view.get("previous_view_id")
        if not below:
            await ack(response_action="update", view=notice_view(who.lang, done_text))
            try:
                await publish_home(deps, client, who)
            except Exception as error:  # the change stands and was shown; Home is stale
                logger.error("could not redraw App Home after a change", exc_info=error)
            return
        await ack()  # pops this confirmation; the overview underneath is redrawn
        try:
            await client.views_update(view_id=below,
                                      view=await draw_overview(deps, who.team_id, who.lang))
        except Exception as error:
            # The change stands: say what was done where the overview was. "Please try
            # again" here would invite a second booking.
            logger.error("could not redraw the overview after a change", exc_info=error)
            try:
                await client.views_update(view_id=below, view=notice_view(who.lang, done_text))
            except Exception as late:
                logger.error("could not show what was done", exc_info=late)

    def submission(handler: Any) -> Any:
        """Check rights; turn every failure into a notice in place of the submitted view."""

        async def listener(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient,
                           view: dict[str, Any]) -> None:
            lang, acked = deps.default_lang, False

            async def acknowledge(**kwargs: Any) -> None:
                nonlocal acked
                acked = True
                await ack(**kwargs)

            try:
                who = await asker(deps, client, body)
                lang = who.lang
                if not who.is_admin:
                    await acknowledge(response_action="update",
                                      view=notice_view(lang, t(lang, "refusal.not_admin")))
                    return
                await handler(acknowledge, client, view, who)
            except Exception as error:
                if acked:  # the change stands; finish() has already told the user
                    logger.error("error after a view submission was answered", exc_info=error)
                    return
                notice = notice_view(lang, failure_text(error, lang))
                await acknowledge(response_action="update", view=notice)

        listener.__name__ = handler.__name__
        return listener

    @submission
    async def booking_modal_submitted(ack: AsyncAck, client: AsyncWebClient,
                                      view: dict[str, Any], who: Asker) -> None:
        option = deps.ctx.catalog[parse_option_metadata(view.get("private_metadata"))]
        raw = quantity_from_state(view.get("state", {}).get("values", {}), option.key)
        try:
            quantity = parse_quantity(raw, option.max_quantity)
        except QuantityInputError as error:
            await ack(response_action="errors",
                      errors=quantity_errors(option.key, error, who.lang))
            return
        quote = await services.quote_booking(deps.ctx, who.team_id, option.key, quantity,
                                             deps.clock.now())
        await ack(response_action="update",
                  view=booking_confirmation_view(quote, nonce=new_nonce(), lang=who.lang))

    @submission
    async def booking_confirmed(ack: AsyncAck, client: AsyncWebClient, view: dict[str, Any],
                                who: Asker) -> None:
        request = parse_booking_metadata(view.get("private_metadata"))
        booked = await services.book(deps.ctx, who.team_id, request.option, request.quantity,
                                     deps.clock.now(), key=request.nonce, actor=who.user_id,
                                     quoted_on=request.quoted_on)
        done = booking_done_message(booked.quote, who.lang, repeated=not booked.created)
        await finish(client, ack, view, who, done["text"])

    @submission
    async def cancellation_confirmed(ack: AsyncAck, client: AsyncWebClient,
                                     view: dict[str, Any], who: Asker) -> None:
        request = parse_cancellation_metadata(view.get("private_metadata"))
        result = await services.cancel(deps.ctx, who.team_id, request.addon_id,
                                       request.outcome, deps.clock.now(), actor=who.user_id,
                                       confirmed_on=request.on)
        done = cancellation_done_message(result.addon, result.quote, catalog=deps.ctx.catalog,
                                         lang=who.lang)
        await finish(client, ack, view, who, done["text"])

    app.view(CALLBACK_BOOK)(booking_modal_submitted)
    app.view(CALLBACK_CONFIRM_BOOKING)(booking_confirmed)
    app.view(CALLBACK_CONFIRM_CANCEL)(cancellation_confirmed)
