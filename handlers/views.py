"""Submitted views: the booking modal, Bestätigen on a booking, Bestätigen on Kündigen.

Answer first, then work (DESIGN §10). Slack waits 3 s for the answer to a submission and
then shows the admin an error, while the listener would go on and commit: a ghost
booking. So a submission is answered at once: checks that need no I/O (metadata this app
wrote, a quantity that is a number) answer inline; everything else is acknowledged with
``response_action: update`` and a "Wird gebucht …" view. Then users.info decides the
rights, the use case runs, and ``views.update`` replaces the working view with what
happened: the result, or the refusal (nothing changed). Nothing is committed after Slack
has been answered with a failure, because Slack is never answered with one; and if
showing the result fails after the commit, the admin is not told it failed (it did not):
the change is logged and the overview below is still redrawn, where it can be seen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot import services
from domain.addons import Outcome
from domain.parties import InvalidBillingDetail
from handlers.answered import once_answered
from handlers.blocks.booking import booking_confirmation_view, booking_done_message
from handlers.blocks.cancelling import cancellation_done_message
from handlers.blocks.details import details_error, details_summary
from handlers.blocks.ids import (
    CALLBACK_BOOK,
    CALLBACK_CONFIRM_BOOKING,
    CALLBACK_CONFIRM_CANCEL,
    CALLBACK_DETAILS,
    CALLBACK_OVERVIEW,
)
from handlers.blocks.kit import ViewDict
from handlers.blocks.progress import result_view, working_view
from handlers.blocks.replies import notice_view
from handlers.common import (
    Asker,
    asker,
    draw_overview_and_home,
    failure_text,
    logger,
    publish_home,
)
from handlers.deps import ProvideDeps, SlackDeps, deps_of
from handlers.i18n import LANGUAGES, language_for, t
from handlers.requests import (
    MetadataError,
    QuantityInputError,
    billing_details_from_state,
    new_nonce,
    parse_booking_metadata,
    parse_cancellation_metadata,
    parse_option_metadata,
    parse_quantity,
    quantity_errors,
    quantity_from_state,
)

# The earliest time zone's lead on UTC (UTC+14): its date is the latest day anywhere.
LATEST_ZONE = timedelta(hours=14)

# How often the result is offered to views.update: a second try covers a passing error,
# and the overview below is redrawn anyway.
RESULT_ATTEMPTS = 2


def register(app: AsyncApp, deps: SlackDeps) -> None:
    """Register the view submissions."""
    provide = [ProvideDeps(deps)]
    app.view(CALLBACK_OVERVIEW)(overview_done)
    app.view(CALLBACK_BOOK, middleware=provide)(booking_modal_submitted)
    app.view(CALLBACK_CONFIRM_BOOKING, middleware=provide)(booking_confirmed)
    app.view(CALLBACK_CONFIRM_CANCEL, middleware=provide)(cancellation_confirmed)
    app.view(CALLBACK_DETAILS, middleware=provide)(details_submitted)


async def overview_done(ack: AsyncAck) -> None:
    """ "Fertig" closes the overview; Slack needs a submit button on a modal with inputs."""
    await ack()


@dataclass(frozen=True)
class Submission:
    """One submitted view, answered already: where to show what happens next."""

    deps: SlackDeps
    client: AsyncWebClient
    body: dict[str, Any]
    view: dict[str, Any]
    context: AsyncBoltContext
    lang: str  # the guess before users.info: the language the view was drawn in
    title_key: str

    @property
    def view_id(self) -> str:
        """The submitted view's id: response_action update keeps it."""
        return str(self.view.get("id") or "")

    async def replace(self, view: ViewDict) -> None:
        """Replace the working view with ``view``, once Slack has the answer that drew it."""
        await once_answered(self.context)
        await self.client.views_update(view_id=self.view_id, view=view)

    async def show(self, text: str) -> bool:
        """Replace the working view with ``text``; False (logged) if Slack refused."""
        shown = result_view(self.lang, text, title_key=self.title_key)
        for attempt in range(1, RESULT_ATTEMPTS + 1):
            try:
                await self.replace(shown)
                return True
            except Exception as error:
                logger.error(
                    "could not show the result of a submission (attempt %d)",
                    attempt,
                    exc_info=error,
                )
        return False


def _drawn_in(deps: SlackDeps, body: Mapping[str, Any], view: Mapping[str, Any]) -> str:
    """The language to say "Wird gebucht …" in, without I/O: the cached user's, else the
    one the submitted view was drawn in (its title), else the default."""
    cached = deps.users.cached(_team(body), _user(body))
    if cached is not None:
        return language_for(cached.locale, deps.default_lang)
    title = view.get("title")
    text = title.get("text") if isinstance(title, Mapping) else None
    for lang in LANGUAGES:
        for key in (
            "booking.title",
            "cancel.title",
            "withdraw.title",
            "booking.modal_title",
            "details.title",
        ):
            if text == t(lang, key):
                return lang
    return deps.default_lang


def _team(body: Mapping[str, Any]) -> str:
    team = body.get("team")
    return str(team.get("id") or "") if isinstance(team, Mapping) else ""


def _user(body: Mapping[str, Any]) -> str:
    user = body.get("user")
    return str(user.get("id") or "") if isinstance(user, Mapping) else ""


# -- Weiter in the booking modal (App Home): the quote, which writes nothing -----------


async def booking_modal_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    view: dict[str, Any],
    context: AsyncBoltContext,
) -> None:
    """Weiter in the booking modal from App Home: the quote with Bestätigen."""
    deps = deps_of(context)
    lang = _drawn_in(deps, body, view)
    try:
        option = deps.ctx.catalog[parse_option_metadata(view.get("private_metadata"))]
        raw = quantity_from_state(view.get("state", {}).get("values", {}), option.key)
        quantity = parse_quantity(raw, option.max_quantity)
    except QuantityInputError as error:  # no I/O needed: answered inline
        await ack(response_action="errors", errors=quantity_errors(option.key, error, lang))
        return
    except Exception as error:  # metadata this app did not write, an unknown option
        await ack(response_action="update", view=notice_view(lang, failure_text(error, lang)))
        return
    await ack(response_action="update", view=working_view(lang, "working.quote"))
    submission = Submission(deps, client, body, view, context, lang, "overview.title")
    try:
        who = await asker(deps, client, body)
        if not who.is_admin:
            await submission.show(t(who.lang, "refusal.not_admin"))
            return
        async with deps.gate:
            quote = await services.quote_booking(
                deps.ctx, who.team_id, option.key, quantity, deps.clock.now()
            )
        confirmation = booking_confirmation_view(quote, nonce=new_nonce(), lang=who.lang)
        await submission.replace(confirmation)
    except Exception as error:  # nothing was written: say why
        await submission.show(failure_text(error, lang))


# -- Bestätigen: book, cancel or withdraw ---------------------------------------------

Describe = Callable[[], str]
Step = Callable[[SlackDeps, Asker], Awaitable[Describe]]


async def booking_confirmed(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    view: dict[str, Any],
    context: AsyncBoltContext,
) -> None:
    """Bestätigen on a booking: "Wird gebucht …", book it, then show what was booked."""
    deps = deps_of(context)
    lang = _drawn_in(deps, body, view)
    try:
        request = parse_booking_metadata(view.get("private_metadata"))
    except MetadataError as error:
        await ack(response_action="update", view=notice_view(lang, failure_text(error, lang)))
        return
    await ack(
        response_action="update", view=working_view(lang, "working.book", title_key="booking.title")
    )

    async def book(deps: SlackDeps, who: Asker) -> Describe:
        booked = await services.book(
            deps.ctx,
            who.team_id,
            request.option,
            request.quantity,
            deps.clock.now,  # read once the workspace is held (bot.services.context.Now)
            key=request.nonce,
            actor=who.user_id,
            quoted_on=request.quoted_on,
        )
        return lambda: booking_done_message(booked.quote, who.lang, repeated=not booked.created)[
            "text"
        ]

    submission = Submission(deps, client, body, view, context, lang, "booking.title")
    await _carry_out(submission, book)


async def cancellation_confirmed(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    view: dict[str, Any],
    context: AsyncBoltContext,
) -> None:
    """Bestätigen on Kündigen: "Wird gekündigt …", cancel or withdraw, then what it did."""
    deps = deps_of(context)
    lang = _drawn_in(deps, body, view)
    try:
        request = parse_cancellation_metadata(view.get("private_metadata"))
    except MetadataError as error:
        await ack(response_action="update", view=notice_view(lang, failure_text(error, lang)))
        return
    withdrawal = request.outcome is Outcome.WITHDRAWAL
    title_key = "withdraw.title" if withdrawal else "cancel.title"
    working_key = "working.withdraw" if withdrawal else "working.cancel"
    await ack(response_action="update", view=working_view(lang, working_key, title_key=title_key))

    async def cancel(deps: SlackDeps, who: Asker) -> Describe:
        result = await services.cancel(
            deps.ctx,
            who.team_id,
            request.addon_id,
            request.outcome,
            deps.clock.now,  # read once the workspace is held (bot.services.context.Now)
            actor=who.user_id,
            confirmed_on=request.on,
        )
        return lambda: cancellation_done_message(
            result.addon, result.quote, catalog=deps.ctx.catalog, lang=who.lang
        )["text"]

    submission = Submission(deps, client, body, view, context, lang, title_key)
    await _carry_out(submission, cancel)


async def details_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    view: dict[str, Any],
    context: AsyncBoltContext,
) -> None:
    """Speichern in the Rechnungsdaten modal: a bad value is answered inline under its
    input and nothing is stored; good ones are saved, then shown in the views."""
    deps = deps_of(context)
    lang = _drawn_in(deps, body, view)
    values = view.get("state", {}).get("values", {})
    stored = None
    if "*" in str(values.get("sepa_iban", {})):  # the IBAN came back as shown: masked
        team_id = str(body.get("team", {}).get("id") or context.team_id or "")
        stored = (await services.get_workspace(deps.ctx, team_id)).details.mandate
    # no time zone has reached a later day yet: a mandate cannot be signed after it
    latest_signed = (deps.clock.now().astimezone(UTC) + LATEST_ZONE).date()
    try:
        details = billing_details_from_state(values, stored, latest_signed)
    except InvalidBillingDetail as error:  # checked offline: answered inline
        await ack(response_action="errors", errors=details_error(error, lang))
        return
    await ack(
        response_action="update",
        view=working_view(lang, "working.details", title_key="details.title"),
    )

    async def save(deps: SlackDeps, who: Asker) -> Describe:
        sub = await services.set_billing_details(
            deps.ctx, who.team_id, details, deps.clock.now(), actor=who.user_id
        )
        return lambda: t(who.lang, "details.saved", summary=details_summary(sub, who.lang))

    submission = Submission(deps, client, body, view, context, lang, "details.title")
    await _carry_out(submission, save)


async def _carry_out(submission: Submission, step: Step) -> None:
    """Rights, then the use case, then what happened in place of the working view."""
    deps = submission.deps
    try:
        who = await asker(deps, submission.client, submission.body)
        if not who.is_admin:
            await submission.show(t(who.lang, "refusal.not_admin"))
            return
        async with deps.gate:
            describe = await step(deps, who)  # the commit, if any, happens in here
    except Exception as error:  # nothing was changed: say why
        await submission.show(failure_text(error, submission.lang))
        return
    # The change stands from here on: whatever fails now is logged, never shown as a
    # failure (that would invite a second booking).
    shown = False
    try:
        shown = await submission.show(describe())
    except Exception as error:
        logger.error("could not describe a change that was made", exc_info=error)
    if not shown:
        logger.error("a change was made but its result could not be shown; see the overview")
    await _redraw_below(submission, who)


async def _redraw_below(submission: Submission, who: Asker) -> None:
    """The overview under the confirmation (or App Home) drawn afresh, with the change."""
    below = submission.view.get("previous_view_id")
    try:
        # App Home shows the same table: a change made in the modal must not leave it stale.
        if not below:
            await publish_home(submission.deps, submission.client, who)
            return
        view, home = await draw_overview_and_home(submission.deps, who.team_id, who.lang)
        await submission.client.views_update(view_id=below, view=view)
        await submission.client.views_publish(user_id=who.user_id, view=home)
    except Exception as error:  # the change stands and was shown; the overview is stale
        logger.error("could not redraw the overview after a change", exc_info=error)
