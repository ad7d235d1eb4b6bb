"""Submitted views: the booking modal, Bestätigen on a booking, Bestätigen on Kündigen."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot import services
from handlers.blocks.booking import booking_confirmation_view, booking_done_message
from handlers.blocks.cancelling import cancellation_done_message
from handlers.blocks.ids import (
    CALLBACK_BOOK,
    CALLBACK_CONFIRM_BOOKING,
    CALLBACK_CONFIRM_CANCEL,
    CALLBACK_OVERVIEW,
)
from handlers.blocks.replies import notice_view
from handlers.common import Asker, asker, draw_overview, failure_text, logger, publish_home
from handlers.deps import ProvideDeps, SlackDeps, deps_of
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
    provide = [ProvideDeps(deps)]
    app.view(CALLBACK_OVERVIEW)(overview_done)
    app.view(CALLBACK_BOOK, middleware=provide)(booking_modal_submitted)
    app.view(CALLBACK_CONFIRM_BOOKING, middleware=provide)(booking_confirmed)
    app.view(CALLBACK_CONFIRM_CANCEL, middleware=provide)(cancellation_confirmed)


async def overview_done(ack: AsyncAck) -> None:
    """ "Fertig" closes the overview; Slack needs a submit button on a modal with inputs."""
    await ack()


class Answer:
    """The submission's one ack, remembering whether it was sent (then the change stands).

    A view submission is answered through its ack (update the modal, show input errors,
    or close it), so unlike the other listeners these ack after the work, not before.
    """

    def __init__(self, ack: AsyncAck) -> None:
        self._ack = ack
        self.sent = False

    async def update(self, view: View) -> None:
        """Replace the submitted modal with ``view``."""
        self.sent = True
        await self._ack(response_action="update", view=view)

    async def errors(self, errors: dict[str, str]) -> None:
        """Keep the modal and show these messages under its inputs."""
        self.sent = True
        await self._ack(response_action="errors", errors=errors)

    async def close(self) -> None:
        """Close the submitted modal (the one below shows again)."""
        self.sent = True
        await self._ack()


Step = Callable[[SlackDeps, Answer, AsyncWebClient, dict[str, Any], Asker], Awaitable[None]]


async def booking_modal_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    view: dict[str, Any],
    context: AsyncBoltContext,
) -> None:
    """Weiter in the booking modal from App Home: the quote with Bestätigen."""
    await _submitted(_quote_booking, deps_of(context), Answer(ack), client, body, view)


async def booking_confirmed(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    view: dict[str, Any],
    context: AsyncBoltContext,
) -> None:
    """Bestätigen on a booking: book it, then show the refreshed overview."""
    await _submitted(_book, deps_of(context), Answer(ack), client, body, view)


async def cancellation_confirmed(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    view: dict[str, Any],
    context: AsyncBoltContext,
) -> None:
    """Bestätigen on Kündigen: cancel or withdraw, then show the refreshed overview."""
    await _submitted(_cancel, deps_of(context), Answer(ack), client, body, view)


async def _submitted(
    step: Step,
    deps: SlackDeps,
    answer: Answer,
    client: AsyncWebClient,
    body: dict[str, Any],
    view: dict[str, Any],
) -> None:
    """Check rights; turn every failure into a notice in place of the submitted view."""
    lang = deps.default_lang
    try:
        who = await asker(deps, client, body)
        lang = who.lang
        if not who.is_admin:
            await answer.update(notice_view(lang, t(lang, "refusal.not_admin")))
            return
        await step(deps, answer, client, view, who)
    except Exception as error:
        if answer.sent:  # the change stands; _finish() has already told the user
            logger.error("error after a view submission was answered", exc_info=error)
            return
        await answer.update(notice_view(lang, failure_text(error, lang)))


async def _quote_booking(
    deps: SlackDeps, answer: Answer, client: AsyncWebClient, view: dict[str, Any], who: Asker
) -> None:
    option = deps.ctx.catalog[parse_option_metadata(view.get("private_metadata"))]
    raw = quantity_from_state(view.get("state", {}).get("values", {}), option.key)
    try:
        quantity = parse_quantity(raw, option.max_quantity)
    except QuantityInputError as error:
        await answer.errors(quantity_errors(option.key, error, who.lang))
        return
    quote = await services.quote_booking(
        deps.ctx, who.team_id, option.key, quantity, deps.clock.now()
    )
    await answer.update(booking_confirmation_view(quote, nonce=new_nonce(), lang=who.lang))


async def _book(
    deps: SlackDeps, answer: Answer, client: AsyncWebClient, view: dict[str, Any], who: Asker
) -> None:
    request = parse_booking_metadata(view.get("private_metadata"))
    booked = await services.book(
        deps.ctx,
        who.team_id,
        request.option,
        request.quantity,
        deps.clock.now(),
        key=request.nonce,
        actor=who.user_id,
        quoted_on=request.quoted_on,
    )
    done = booking_done_message(booked.quote, who.lang, repeated=not booked.created)
    await _finish(deps, client, answer, view, who, done["text"], changed=booked.created)


async def _cancel(
    deps: SlackDeps, answer: Answer, client: AsyncWebClient, view: dict[str, Any], who: Asker
) -> None:
    request = parse_cancellation_metadata(view.get("private_metadata"))
    result = await services.cancel(
        deps.ctx,
        who.team_id,
        request.addon_id,
        request.outcome,
        deps.clock.now(),
        actor=who.user_id,
        confirmed_on=request.on,
    )
    done = cancellation_done_message(
        result.addon, result.quote, catalog=deps.ctx.catalog, lang=who.lang
    )
    await _finish(deps, client, answer, view, who, done["text"])


async def _finish(
    deps: SlackDeps,
    client: AsyncWebClient,
    answer: Answer,
    view: dict[str, Any],
    who: Asker,
    done_text: str,
    *,
    changed: bool = True,
) -> None:
    """Back to the refreshed overview below, or say what happened where there is none."""
    below = view.get("previous_view_id")
    if not below:
        await answer.update(notice_view(who.lang, done_text))
        try:
            await publish_home(deps, client, who)
        except Exception as error:  # the change stands and was shown; Home is stale
            logger.error("could not redraw App Home after a change", exc_info=error)
        return
    await answer.close()  # pops this confirmation; the overview underneath is redrawn
    try:
        await client.views_update(
            view_id=below, view=await draw_overview(deps, who.team_id, who.lang)
        )
        if changed:  # App Home shows the same table: a change must not leave it stale
            await publish_home(deps, client, who)
    except Exception as error:
        # The change stands: say what was done where the overview was. "Please try
        # again" here would invite a second booking.
        logger.error("could not redraw the overview after a change", exc_info=error)
        try:
            await client.views_update(view_id=below, view=notice_view(who.lang, done_text))
        except Exception as late:
            logger.error("could not show what was done", exc_info=late)
