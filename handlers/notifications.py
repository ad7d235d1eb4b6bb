"""Direct messages the schedule sends: invoice issued, add-on ended, withdrawal done."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.ports import Clients, NotARecipient, OutboxMessage, Render
from bot.services import Context, billing_admins_of, get_correction, get_invoice, get_workspace
from domain.corrections import Refund
from domain.money import Money
from handlers.blocks.cancelling import withdrawal_sentences
from handlers.blocks.invoices import amount_text, correction_blocks, invoice_block_dicts
from handlers.blocks.labels import addon_label
from handlers.blocks.primitives import MAX_MESSAGE_BLOCKS
from handlers.i18n import language_for, t


async def recipient_language(
    ctx: Context, client: AsyncWebClient, user: str, default: str, team_id: str = ""
) -> str:
    """The recipient's language, if they may still see invoices; NotARecipient otherwise.

    Rights are checked when the message is sent, not when it was queued: an admin who
    has been demoted since (or left) receives no prices. Billing admins are those of
    the message's own workspace.
    """
    try:
        response = await client.users_info(user=user, include_locale=True)
    except SlackApiError as error:
        if error.response is not None and error.response.get("error") == "user_not_found":
            raise NotARecipient(f"{user} is unknown to Slack") from None
        raise
    info = response.get("user") or {}
    admins = await billing_admins_of(ctx, team_id) if team_id else frozenset(ctx.billing_admins)
    if not (info.get("is_admin") or info.get("is_owner") or user in admins):
        raise NotARecipient(f"{user} is no longer an admin or billing admin")
    if info.get("deleted"):
        raise NotARecipient(f"{user} was deactivated")
    return language_for(info.get("locale"), default)


async def render_message(ctx: Context, message: OutboxMessage, lang: str) -> dict[str, Any]:
    """chat.postMessage arguments for one outbox message, in ``lang``."""
    payload = message.payload
    user = str(payload["user"])
    if message.kind == "invoice_issued":
        invoice = await get_invoice(ctx, int(payload["number"]), message.team_id)
        customer = (await get_workspace(ctx, message.team_id)).customer
        # One block fewer for the invoice when the customer number needs one.
        room = MAX_MESSAGE_BLOCKS - (1 if customer else 0)
        blocks = invoice_block_dicts(invoice, catalog=ctx.catalog, lang=lang, max_blocks=room)
        if customer:
            blocks.append(_customer_block(customer, lang))
        text = t(
            lang,
            "notify.invoice",
            number=invoice.number,
            date=invoice.issued_on,
            total=amount_text(invoice.total, invoice.taxed, lang),
        )
        return {"channel": user, "text": text, "blocks": blocks}
    if message.kind == "correction_issued":
        correction = await get_correction(ctx, int(payload["number"]), message.team_id)
        shown = correction_blocks(correction, catalog=ctx.catalog, lang=lang)
        text = t(
            lang,
            "notify.correction",
            number=correction.number,
            date=correction.issued_on,
            corrects=correction.corrects,
            total=amount_text(correction.total, correction.taxed, lang),
        )
        return {"channel": user, "text": text, "blocks": shown}
    option = ctx.catalog[str(payload["option"])] if payload["option"] in ctx.catalog else None
    label = addon_label(option, int(payload["quantity"]), lang, str(payload["option"]))
    on = date.fromisoformat(str(payload["on"]))
    if message.kind == "addon_ended":
        text = t(lang, "notify.ended", addon=label, date=on)
    elif message.kind == "withdrawn":
        text = " ".join(
            [t(lang, "notify.withdrawn", addon=label, date=on), *_money_told(payload, lang)]
        )
    else:
        raise ValueError(f"unknown outbox message kind: {message.kind}")
    return {"channel": user, "text": text}


def _money_told(payload: dict[str, Any], lang: str) -> list[str]:
    """What the withdrawal did to the money, as the confirmation said it."""
    if "removed_cents" not in payload:  # queued by an older version: no breakdown
        return []
    refunds = [
        Refund(int(c["corrects"]), Money(int(c["refund_cents"])))
        for c in payload.get("corrections", [])
    ]
    removed = Money(int(payload["removed_cents"]))
    return withdrawal_sentences(removed, refunds, lang, lead=False)


# The CloudCRM customer number under an invoice, in the recipient's language.
CUSTOMER_LABEL = {"de": "Kundennummer", "en": "Customer number"}


def _customer_block(customer: str, lang: str) -> dict[str, Any]:
    """A context line naming the workspace's CloudCRM customer number."""
    label = CUSTOMER_LABEL.get(lang, CUSTOMER_LABEL["en"])
    return {"type": "context", "elements": [{"type": "plain_text", "text": f"{label}: {customer}"}]}


def renderer(ctx: Context, client: Clients, default_lang: str) -> Render:
    """The sender's render function: asks the message's own workspace for the language."""

    async def render(message: OutboxMessage) -> dict[str, Any]:
        own = (
            client if isinstance(client, AsyncWebClient) else await client.for_team(message.team_id)
        )
        if own is None:
            raise NotARecipient(f"the app is not installed in {message.team_id}")
        user = str(message.payload["user"])
        lang = await recipient_language(ctx, own, user, default_lang, message.team_id)
        return await render_message(ctx, message, lang)

    return render
