"""Plain replies: a text, a refusal, the help, `/addons liste`, and a modal that only says."""

from __future__ import annotations

from collections.abc import Sequence

from domain.addons import AddOn, Status
from domain.catalog import Catalog, Option
from handlers.blocks.ids import CALLBACK_NOTICE
from handlers.blocks.kit import Block, ViewDict, context, header, modal, section
from handlers.blocks.labels import addon_label, option_or_none, sort_for_display, status_text
from handlers.blocks.primitives import (
    MAX_MESSAGE_BLOCKS,
    MessagePayload,
    md,
    message,
    text_sections,
)
from handlers.i18n import escape_mrkdwn, fmt_date, t


def text_message(text: str) -> MessagePayload:
    """One mrkdwn section (already translated and escaped by the caller)."""
    return message(text, [section(block_id="message", text=md(text))])


def refusal_message(lang: str) -> MessagePayload:
    """The short, polite refusal for members who are not (billing) admins."""
    return text_message(t(lang, "refusal.not_admin"))


def help_message(lang: str, catalog: Catalog, *, unknown: str | None = None) -> MessagePayload:
    """The ephemeral help for the text forms; ``unknown`` is the word not understood."""
    lines = []
    if unknown is not None:
        word = unknown if len(unknown) <= 40 else unknown[:39] + "…"
        lines.append(t(lang, "help.unknown", word=escape_mrkdwn(word)))
    lines.append(t(lang, "help.title"))
    lines += [f"• {t(lang, key)}" for key in ("help.overview", "help.help", "help.list")]
    lines.append(f"• {t(lang, 'help.book')}")
    lines += [
        f"    ◦ {t(lang, 'help.option', name=o.key, label=escape_mrkdwn(o.label(lang)))}"
        for o in catalog
    ]
    lines += [f"• {t(lang, key)}" for key in ("help.cancel", "help.invoice")]
    text = "\n".join(lines)
    return message(text, [section(block_id="help", text=md(text))])


def list_message(addons: Sequence[AddOn], *, catalog: Catalog, lang: str) -> MessagePayload:
    """`/addons liste`: every add-on as one line of text with its number, for screen readers."""
    lines = []
    none = t(lang, "table.none")
    for addon in sort_for_display(addons):
        option = option_or_none(catalog, addon.option)
        lines.append(
            "• "
            + t(
                lang,
                "list.line",
                id=addon.id,
                addon=escape_mrkdwn(addon_label(option, addon.quantity, lang, addon.option)),
                price=_price(addon, option, lang),
                billed_until=fmt_date(addon.billed_until, lang) if addon.billed_until else none,
                status=status_text(addon, lang),
            )
        )
    title = t(lang, "table.title")
    blocks: list[Block] = [header(block_id="title", text=title)]
    if not lines:
        blocks.append(section(block_id="empty", text=md(t(lang, "table.empty"))))
        return message(f"{title}: {t(lang, 'table.empty')}", blocks)
    room = MAX_MESSAGE_BLOCKS - len(blocks) - 1  # 1: the hint at the end
    blocks += text_sections(lines, room, lang, "list", "table.more")
    blocks.append(context(block_id="hint", elements=[md(t(lang, "list.hint"))]))
    return message("\n".join([title, *lines]), blocks)


def _price(addon: AddOn, option: Option | None, lang: str) -> str:
    """PREIS: the row's monthly price, net; a withdrawn row was never charged."""
    if addon.status is Status.WITHDRAWN:
        return t(lang, "table.not_charged")
    if option is None:
        return t(lang, "table.none")
    return t(lang, "price.net", price=option.monthly_price(addon.quantity))


def notice_view(lang: str, text: str, *, title_key: str = "overview.title") -> ViewDict:
    """A modal that only says something (e.g. a refusal or an error after a submit)."""
    return modal(
        callback_id=CALLBACK_NOTICE,
        title=t(lang, title_key),
        close=t(lang, "overview.close"),
        blocks=[section(block_id="notice", text=md(text))],
    )
