"""Kündigen: what it will do (a cancellation or a Widerruf), Bestätigen, and what it did."""

from __future__ import annotations

from domain.addons import AddOn, CancellationQuote, Outcome
from domain.catalog import Catalog
from handlers.blocks.ids import CALLBACK_CONFIRM_CANCEL
from handlers.blocks.kit import ViewDict, context, modal, section
from handlers.blocks.labels import addon_label, option_or_none
from handlers.blocks.primitives import MessagePayload, md, message
from handlers.i18n import escape_mrkdwn, t
from handlers.requests import CancellationRequest


def cancellation_sentences(quote: CancellationQuote, lang: str) -> list[str]:
    """What Kündigen will do (or did): "Kündigung zum …, bis dahin nutzbar" or the Widerruf."""
    if quote.outcome is Outcome.CANCELLATION:
        return [t(lang, "cancel.what", date=quote.on)]
    if quote.removed_from_drafts:
        sentences = [t(lang, "withdraw.what", amount=quote.removed_from_drafts)]
    elif quote.credited:
        sentences = [t(lang, "withdraw.what_short")]
    else:
        sentences = [t(lang, "withdraw.what_free")]
    if quote.credited:
        sentences.append(t(lang, "withdraw.credit", amount=quote.credited))
    return sentences


def cancellation_confirmation_view(
    addon: AddOn, quote: CancellationQuote, *, catalog: Catalog, lang: str
) -> ViewDict:
    """Bestätigen / Abbrechen over exactly what will happen; carries the outcome shown."""
    option = option_or_none(catalog, addon.option)
    label = escape_mrkdwn(addon_label(option, addon.quantity, lang, addon.option))
    withdrawal = quote.outcome is Outcome.WITHDRAWAL
    what = " ".join(cancellation_sentences(quote, lang))
    details = (
        t(lang, "withdraw.details") if withdrawal else t(lang, "cancel.details", date=quote.on)
    )
    request = CancellationRequest(addon.id, quote.outcome, quote.on)
    return modal(
        callback_id=CALLBACK_CONFIRM_CANCEL,
        title=t(lang, "withdraw.title" if withdrawal else "cancel.title"),
        submit=t(lang, "button.confirm"),
        close=t(lang, "button.back"),
        private_metadata=request.to_metadata(),
        blocks=[
            section(block_id="cancellation", text=md(f"*{label}*\n*{what}*")),
            context(block_id="details", elements=[md(details)]),
        ],
    )


def cancellation_done_message(
    addon: AddOn, quote: CancellationQuote, *, catalog: Catalog, lang: str
) -> MessagePayload:
    """What the admin reads after confirming Kündigen."""
    option = option_or_none(catalog, addon.option)
    label = escape_mrkdwn(addon_label(option, addon.quantity, lang, addon.option))
    if quote.outcome is Outcome.CANCELLATION:
        text = t(lang, "cancel.done", addon=label, date=quote.on)
    else:
        text = " ".join(
            [t(lang, "withdraw.done", addon=label), *cancellation_sentences(quote, lang)]
        )
    return message(text, [section(block_id="result", text=md(text))])
