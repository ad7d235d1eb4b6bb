"""Direct messages the schedule sends: invoice issued, add-on ended, withdrawal done."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.notifier import NotARecipient, Render
from bot.ports import OutboxMessage
from bot.services import Context, get_invoice
from domain.money import Money
from handlers.blocks.invoices import invoice_block_dicts
from handlers.blocks.labels import addon_label
from handlers.i18n import language_for, t


async def recipient_language(ctx: Context, client: AsyncWebClient, user: str, default: str) -> str:
    """The recipient's language, if they may still see invoices; NotARecipient otherwise.

    Rights are checked when the message is sent, not when it was queued: an admin who
    has been demoted since (or left) receives no prices.
    """
    try:
        response = await client.users_info(user=user, include_locale=True)
    except SlackApiError as error:
        if error.response is not None and error.response.get("error") == "user_not_found":
            raise NotARecipient(f"{user} is unknown to Slack") from None
        raise
    info = response.get("user") or {}
    if not (info.get("is_admin") or info.get("is_owner") or user in ctx.billing_admins):
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
        blocks = invoice_block_dicts(invoice, catalog=ctx.catalog, lang=lang)
        text = t(
            lang,
            "notify.invoice",
            number=invoice.number,
            date=invoice.issued_on,
            total=invoice.total,
        )
        return {"channel": user, "text": text, "blocks": blocks}
    option = ctx.catalog[str(payload["option"])] if payload["option"] in ctx.catalog else None
    label = addon_label(option, int(payload["quantity"]), lang, str(payload["option"]))
    on = date.fromisoformat(str(payload["on"]))
    if message.kind == "addon_ended":
        text = t(lang, "notify.ended", addon=label, date=on)
    elif message.kind == "withdrawn":
        text = t(
            lang,
            "notify.withdrawn",
            addon=label,
            date=on,
            amount=Money(int(payload["refund_cents"])),
        )
    else:
        raise ValueError(f"unknown outbox message kind: {message.kind}")
    return {"channel": user, "text": text}


def renderer(ctx: Context, client: AsyncWebClient, default_lang: str) -> Render:
    """The sender's render function: asks Slack for each recipient's language."""

    async def render(message: OutboxMessage) -> dict[str, Any]:
        lang = await recipient_language(ctx, client, str(message.payload["user"]), default_lang)
        return await render_message(ctx, message, lang)

    return render
