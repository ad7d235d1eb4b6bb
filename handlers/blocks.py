"""Pure Block Kit builders: domain values in, slack_sdk views and message payloads out.

Nothing here does I/O or reads a clock. Views are ``slack_sdk.models.views.View`` objects
(pass them to ``views_open``/``ack(view=...)`` as they are; ``.to_dict()`` validates
Slack's limits). Messages are ``{"text": ..., "blocks": [...]}`` dicts, ready for
``respond(**msg)`` or ``chat_postEphemeral(channel=..., user=..., **msg)``.

Slack's limits designed for: a view holds at most 100 blocks; a message at most 50
blocks; a section text 3,000 characters and a field 2,000 (what a view carries in
``private_metadata`` and reads back is in handlers/requests.py). The overview shows live
add-ons first, then the newest ended ones, and folds the rest into one context line with
buttons to page through them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any, TypedDict

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from domain.addons import (
    AddOn,
    BookingQuote,
    CancellationQuote,
    Outcome,
    Status,
    withdrawal_deadline,
)
from domain.billing import Entitlements
from domain.catalog import Catalog, Option
from domain.errors import UnknownOption
from domain.invoices import Invoice, InvoiceLine, LineKind
from handlers.i18n import (
    MESSAGES,
    escape_mrkdwn,
    fmt_date,
    fmt_money,
    fmt_number,
    t,
    tn,
)
from handlers.requests import (
    ACTION_QTY,
    BookingRequest,
    CancellationRequest,
    dump_metadata,
    qty_block_id,
)

# -- stable ids: the listeners in handlers/ match on these ----------------------------

ACTION_ADD = "addon_add"  # overview modal: Hinzufügen; value = option key
ACTION_OPEN_BOOKING = "addon_open_booking"  # App Home: Hinzufügen opens the booking modal
ACTION_CANCEL = "addon_cancel"  # red Kündigen; value = add-on id
ACTION_UNDO = "addon_undo_cancel"  # Kündigung zurücknehmen; value = add-on id
ACTION_PAGE_NEXT = "addons_page_next"  # value = row offset to show
ACTION_PAGE_PREV = "addons_page_prev"  # value = row offset to show

CALLBACK_OVERVIEW = "addons_overview"
CALLBACK_HOME = "addons_home"
CALLBACK_BOOK = "addons_book"  # booking modal opened from App Home
CALLBACK_CONFIRM_BOOKING = "addons_confirm_booking"
CALLBACK_CONFIRM_CANCEL = "addons_confirm_cancel"
CALLBACK_NOTICE = "addons_notice"

MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_PLAIN_LABEL = 75  # button texts and input labels
MAX_FALLBACK_TEXT = 3900
RECENT_INVOICES = 5
MAX_TEXT_LINES = 300  # lines of a text list (invoice lines, /addons liste) before folding


class MessagePayload(TypedDict):
    """Keyword arguments for ``respond``/``chat_postEphemeral``/``chat_postMessage``."""

    text: str
    blocks: list[dict[str, Any]]


# -- small text helpers ---------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _md(text: str, limit: int = MAX_SECTION_TEXT) -> MarkdownTextObject:
    return MarkdownTextObject(text=_clip(text, limit))


def _button(text: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(text=_clip(text, MAX_PLAIN_LABEL), action_id=action_id, value=value,
                         style=style)


def _chunks(lines: Iterable[str], limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Join lines into texts of at most ``limit`` characters each."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = _clip(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks


def _message(text: str, blocks: Sequence[Block]) -> MessagePayload:
    return {"text": _clip(text, MAX_FALLBACK_TEXT), "blocks": [b.to_dict() for b in blocks]}


def _option(catalog: Catalog, key: str) -> Option | None:
    try:
        return catalog[key]
    except UnknownOption:  # booked under an option since removed from the catalog
        return None


_SIZE_SUFFIX = re.compile(r"\s*\(\+[^()]*\)\s*$")


def addon_label(option: Option | None, quantity: int, lang: str, key: str = "?") -> str:
    """A row's option text: "Zusätzliche Benutzer (+1)", "Erweiterter Speicherplatz (+30 GB)"."""
    if option is None:  # an option since removed from the catalog
        return f"{key} (×{quantity})"
    full = option.label(lang)
    base = _SIZE_SUFFIX.sub("", full) or full
    amount = fmt_number(option.gives(quantity), lang)
    template = "addon.seat" if option.unit == "seat" else "addon.gb"
    return t(lang, template, label=base, amount=amount)


def option_price(option: Option, lang: str) -> str:
    """The unit price as the help page writes it: "5,90 € / Nutzer / Monat"."""
    size = fmt_number(option.unit_size, lang)
    if option.unit == "seat":
        key = "price.seat" if option.unit_size == 1 else "price.seats"
        return t(lang, key, price=option.unit_price, size=size)
    return t(lang, "price.gb", price=option.unit_price, size=size)


def option_description(option: Option, lang: str) -> str | None:
    """The help page's one-line pitch for the two standard options, if any."""
    key = f"option.description.{option.key}"
    return t(lang, key) if key in MESSAGES[lang if lang in MESSAGES else "de"] else None


def status_text(addon: AddOn, lang: str) -> str:
    """STATUS: "Aktiv", "Kündigung zum 17.04.2026", "Beendet am …", "Widerrufen am …"."""
    if addon.status is Status.CANCELLATION_PENDING and addon.effective_on is not None:
        return t(lang, "status.pending", date=addon.effective_on)
    if addon.status is Status.ENDED and addon.ended_on is not None:
        return t(lang, "status.ended", date=addon.ended_on)
    if addon.status is Status.WITHDRAWN and addon.ended_on is not None:
        return t(lang, "status.withdrawn", date=addon.ended_on)
    if addon.status is Status.ACTIVE:
        return t(lang, "status.active")
    return t(lang, "table.none")


def sort_for_display(addons: Iterable[AddOn]) -> list[AddOn]:
    """Active and pending add-ons first (newest booking first), then the newest ended."""

    def key(addon: AddOn) -> tuple[int, int, int]:
        if addon.is_live:
            return (0, -addon.booked_on.toordinal(), -addon.id)
        ended = addon.ended_on or addon.booked_on
        return (1, -ended.toordinal(), -addon.id)

    return sorted(addons, key=key)


# -- the overview (modal) and App Home ------------------------------------------------


def _offer_blocks(
    catalog: Catalog, lang: str, *, home: bool, errors: Mapping[str, str]
) -> list[Block]:
    """Per catalog option: label, pitch and price; a quantity input and Hinzufügen."""
    blocks: list[Block] = []
    if home:
        blocks.append(HeaderBlock(block_id="title", text=t(lang, "overview.title")))
    blocks.append(SectionBlock(block_id="intro", text=_md(t(lang, "overview.intro"))))
    if home:
        blocks.append(ContextBlock(block_id="intro_hint",
                                   elements=[_md(t(lang, "overview.home_hint"))]))
    for option in catalog:
        parts = [f"*{escape_mrkdwn(option.label(lang))}*"]
        description = option_description(option, lang)
        if description:
            parts.append(description)
        parts.append(option_price(option, lang))
        text = _md("\n".join(parts))
        if home:  # App Home cannot host inputs: Hinzufügen opens the booking modal
            blocks.append(SectionBlock(
                block_id=f"option_{option.key}", text=text,
                accessory=_button(t(lang, "button.add"), ACTION_OPEN_BOOKING, option.key,
                                  "primary"),
            ))
            continue
        blocks.append(SectionBlock(block_id=f"option_{option.key}", text=text))
        blocks.append(_quantity_input(option, lang, optional=True))
        if option.key in errors:
            blocks.append(ContextBlock(
                block_id=f"qty_error_{option.key}",
                elements=[_md(f":warning: *{errors[option.key]}*")],  # translated mrkdwn
            ))
        blocks.append(ActionsBlock(
            block_id=f"add_{option.key}",
            elements=[_button(t(lang, "button.add"), ACTION_ADD, option.key, "primary")],
        ))
    return blocks


def _quantity_input(option: Option, lang: str, *, optional: bool, initial: int = 1) -> InputBlock:
    if option.unit == "seat":
        hint = t(lang, "quantity.hint.seat", maximum=fmt_number(option.max_quantity, lang))
    else:
        hint = t(lang, "quantity.hint.gb", maximum=fmt_number(option.max_quantity, lang),
                 size=fmt_number(option.unit_size, lang),
                 example=fmt_number(3 * option.unit_size, lang))
    return InputBlock(
        block_id=qty_block_id(option.key),
        label=t(lang, "quantity.label"),
        element=NumberInputElement(
            action_id=ACTION_QTY,
            is_decimal_allowed=False,
            initial_value=initial,
            min_value=1,
            max_value=option.max_quantity,
            placeholder=t(lang, "quantity.placeholder",
                          maximum=fmt_number(option.max_quantity, lang)),
        ),
        hint=_clip(hint, 2000),
        optional=optional,
    )


def _row(addon: AddOn, catalog: Catalog, lang: str) -> SectionBlock:
    """One line of "Ihre Zusatzoptionen" with its Kündigen / zurücknehmen button."""
    option = _option(catalog, addon.option)
    label = addon_label(option, addon.quantity, lang, addon.option)
    none = t(lang, "table.none")
    price = fmt_money(option.monthly_price(addon.quantity), lang) if option else none
    billed = fmt_date(addon.billed_until, lang) if addon.billed_until else none
    accessory: ButtonElement | None = None
    if addon.status is Status.ACTIVE:
        accessory = _button(t(lang, "button.cancel"), ACTION_CANCEL, str(addon.id), "danger")
    elif addon.status is Status.CANCELLATION_PENDING:
        accessory = _button(t(lang, "button.undo"), ACTION_UNDO, str(addon.id))
    fields = [
        (t(lang, "table.option"), escape_mrkdwn(label)),
        (t(lang, "table.price"), price),
        (t(lang, "table.billed_until"), billed),
        (t(lang, "table.status"), status_text(addon, lang)),
    ]
    return SectionBlock(
        block_id=f"addon_{addon.id}",
        fields=[_md(f"*{title}*\n{value}", MAX_FIELD_TEXT) for title, value in fields],
        accessory=accessory,
    )


def entitlements_text(in_force: Entitlements, lang: str) -> str:
    """ "Zusätzlich in Kraft: 3 Benutzer, 30 GB"."""
    items = []
    if in_force.seats:
        items.append(tn(lang, "entitlements.seats", in_force.seats))
    if in_force.gigabytes:
        items.append(t(lang, "entitlements.gigabytes",
                       count=fmt_number(in_force.gigabytes, lang)))
    return t(lang, "entitlements.line",
             items=", ".join(items) if items else t(lang, "entitlements.none"))


def _summary_blocks(
    in_force: Entitlements, upcoming: Invoice | None, recent: Sequence[Invoice], lang: str
) -> list[Block]:
    blocks: list[Block] = [
        DividerBlock(block_id="summary_divider"),
        SectionBlock(block_id="entitlements", text=_md(entitlements_text(in_force, lang))),
    ]
    if upcoming is not None:
        blocks.append(SectionBlock(block_id="upcoming", text=_md(
            t(lang, "invoice.upcoming_total", date=upcoming.issued_on, total=upcoming.total))))
    lines = [t(lang, "invoice.recent_line", number=inv.number, date=inv.issued_on,
               total=inv.total) for inv in list(recent)[:RECENT_INVOICES]]
    body = "\n".join(lines) if lines else t(lang, "invoice.none")
    blocks.append(SectionBlock(block_id="invoices", text=_md(
        f"*{t(lang, 'invoice.recent_title')}*\n{body}")))
    return blocks


def _table_blocks(
    addons: Sequence[AddOn], catalog: Catalog, lang: str, *, offset: int, budget: int
) -> list[Block]:
    """The table, one page of at most ``budget`` rows plus a fold line and paging buttons."""
    blocks: list[Block] = [
        DividerBlock(block_id="table_divider"),
        HeaderBlock(block_id="table_title", text=t(lang, "table.title")),
    ]
    rows = sort_for_display(addons)
    if not rows:
        blocks.append(SectionBlock(block_id="table_empty", text=_md(t(lang, "table.empty"))))
        return blocks
    page = max(1, budget - len(blocks) - 2)  # 2: the fold line and the paging buttons
    if offset >= len(rows):  # a stale paging button after rows went away: show the last page
        offset = (len(rows) - 1) // page * page
    offset = max(0, offset)
    shown = rows[offset: offset + page]
    rest = rows[offset + page:]
    blocks.extend(_row(addon, catalog, lang) for addon in shown)
    if offset == 0 and not rest:
        return blocks
    notes = []
    if offset > 0:
        notes.append(t(lang, "table.rows", first=fmt_number(offset + 1, lang),
                       last=fmt_number(offset + len(shown), lang),
                       total=fmt_number(len(rows), lang)))
    if rest:
        if all(not addon.is_live for addon in rest):
            notes.append(tn(lang, "table.more_ended", len(rest)))
        else:
            notes.append(tn(lang, "table.more", len(rest)))
    blocks.append(ContextBlock(block_id="table_fold", elements=[_md(" · ".join(notes))]))
    buttons = []
    if offset > 0:
        buttons.append(_button(t(lang, "button.previous"), ACTION_PAGE_PREV,
                               str(max(0, offset - page))))
    if rest:
        buttons.append(_button(t(lang, "button.more"), ACTION_PAGE_NEXT, str(offset + page)))
    blocks.append(ActionsBlock(block_id="table_pages", elements=buttons))
    return blocks


def _overview_blocks(
    *,
    catalog: Catalog,
    addons: Sequence[AddOn],
    in_force: Entitlements,
    upcoming: Invoice | None,
    recent: Sequence[Invoice],
    lang: str,
    offset: int,
    home: bool,
    errors: Mapping[str, str],
) -> list[Block]:
    top = _offer_blocks(catalog, lang, home=home, errors=errors)
    bottom = _summary_blocks(in_force, upcoming, recent, lang)
    budget = MAX_VIEW_BLOCKS - len(top) - len(bottom)
    table = _table_blocks(addons, catalog, lang, offset=offset, budget=budget)
    return top + table + bottom


def overview_view(
    *,
    catalog: Catalog,
    addons: Sequence[AddOn],
    in_force: Entitlements,
    upcoming: Invoice | None,
    recent: Sequence[Invoice] = (),
    lang: str,
    offset: int = 0,
    errors: Mapping[str, str] | None = None,
) -> View:
    """The /addons modal: options with quantity and Hinzufügen, the table, the totals.

    ``errors`` maps an option key to a message shown under its quantity input (block
    actions cannot answer with response_action "errors"; redraw with views.update).
    The inputs are optional so that "Fertig" (submit) simply closes the modal.
    """
    return View(
        type="modal",
        callback_id=CALLBACK_OVERVIEW,
        title=t(lang, "overview.title"),
        submit=t(lang, "overview.submit"),
        close=t(lang, "overview.close"),
        blocks=_overview_blocks(catalog=catalog, addons=addons, in_force=in_force,
                                upcoming=upcoming, recent=recent, lang=lang, offset=offset,
                                home=False, errors=errors or {}),
    )


def home_view(
    *,
    catalog: Catalog,
    addons: Sequence[AddOn],
    in_force: Entitlements,
    upcoming: Invoice | None,
    recent: Sequence[Invoice] = (),
    lang: str,
    offset: int = 0,
) -> View:
    """The same overview for App Home (views.publish); Hinzufügen opens the booking modal."""
    return View(
        type="home",
        callback_id=CALLBACK_HOME,
        blocks=_overview_blocks(catalog=catalog, addons=addons, in_force=in_force,
                                upcoming=upcoming, recent=recent, lang=lang, offset=offset,
                                home=True, errors={}),
    )


def home_non_admin_view(lang: str) -> View:
    """App Home for members who may not book: a short explanation, no prices."""
    return View(type="home", callback_id=CALLBACK_HOME, blocks=[
        HeaderBlock(block_id="title", text=t(lang, "overview.title")),
        SectionBlock(block_id="explanation", text=_md(t(lang, "home.non_admin"))),
    ])


def loading_view(lang: str) -> View:
    """A placeholder modal to open within the trigger's 3 seconds; views.update fills it."""
    return View(
        type="modal",
        callback_id=CALLBACK_OVERVIEW,
        title=t(lang, "overview.title"),
        close=t(lang, "overview.close"),
        blocks=[SectionBlock(block_id="loading", text=_md(t(lang, "overview.loading")))],
    )


def notice_view(lang: str, text: str, *, title_key: str = "overview.title") -> View:
    """A modal that only says something (e.g. a refusal or an error after a submit)."""
    return View(
        type="modal",
        callback_id=CALLBACK_NOTICE,
        title=t(lang, title_key),
        close=t(lang, "overview.close"),
        blocks=[SectionBlock(block_id="notice", text=_md(text))],
    )


# -- booking --------------------------------------------------------------------------


def booking_modal(option: Option, lang: str, quantity: int = 1) -> View:
    """The modal App Home opens: one option with its quantity input; submit leads on."""
    parts = [f"*{escape_mrkdwn(option.label(lang))}*"]
    description = option_description(option, lang)
    if description:
        parts.append(description)
    parts.append(option_price(option, lang))
    quantity_input = _quantity_input(option, lang, optional=False, initial=quantity)
    return View(
        type="modal",
        callback_id=CALLBACK_BOOK,
        title=t(lang, "booking.modal_title"),
        submit=t(lang, "button.continue"),
        close=t(lang, "button.back"),
        private_metadata=dump_metadata({"option": option.key}),
        blocks=[SectionBlock(block_id=f"option_{option.key}", text=_md("\n".join(parts))),
                quantity_input],
    )


def booking_confirmation_view(quote: BookingQuote, *, nonce: str, lang: str) -> View:
    """Bestätigen / Abbrechen over option, quantity, monthly price, prorated, billed until."""
    option = quote.option
    label = addon_label(option, quote.quantity, lang)
    invoice_date = quote.period.end + timedelta(days=1)
    fields = [
        (t(lang, "booking.quantity"), fmt_number(quote.quantity, lang)),
        (t(lang, "booking.monthly_price"), t(lang, "price.monthly", price=quote.monthly_price)),
        (t(lang, "booking.prorated", start=quote.booked_on, end=quote.period.end),
         fmt_money(quote.prorated, lang)),
        (t(lang, "booking.billed_until"), fmt_date(quote.billed_until, lang)),
    ]
    request = BookingRequest(option.key, quote.quantity, nonce, quote.booked_on)
    return View(
        type="modal",
        callback_id=CALLBACK_CONFIRM_BOOKING,
        title=t(lang, "booking.title"),
        submit=t(lang, "button.confirm"),
        close=t(lang, "button.back"),
        private_metadata=request.to_metadata(),
        blocks=[
            SectionBlock(
                block_id="booking",
                text=_md(f"*{escape_mrkdwn(label)}*\n{option_price(option, lang)}"),
                fields=[_md(f"*{title}*\n{value}", MAX_FIELD_TEXT) for title, value in fields],
            ),
            SectionBlock(block_id="explanation", text=_md(t(
                lang, "booking.explanation", prorated=quote.prorated,
                invoice_date=invoice_date, monthly=quote.monthly_price))),
            ContextBlock(block_id="withdrawal", elements=[_md(t(
                lang, "booking.withdrawal_note",
                deadline=withdrawal_deadline(quote.booked_on)))]),
        ],
    )


def booking_done_message(
    quote: BookingQuote, lang: str, *, repeated: bool = False
) -> MessagePayload:
    """What the admin reads after Bestätigen (or after a repeated confirmation)."""
    label = escape_mrkdwn(addon_label(quote.option, quote.quantity, lang))
    if repeated:
        text = t(lang, "booking.repeated", addon=label)
    else:
        text = t(lang, "booking.done", addon=label, prorated=quote.prorated,
                 billed_until=quote.billed_until)
    return _message(text, [SectionBlock(block_id="result", text=_md(text))])


# -- cancelling -----------------------------------------------------------------------


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
) -> View:
    """Bestätigen / Abbrechen over exactly what will happen; carries the outcome shown."""
    option = _option(catalog, addon.option)
    label = escape_mrkdwn(addon_label(option, addon.quantity, lang, addon.option))
    withdrawal = quote.outcome is Outcome.WITHDRAWAL
    what = " ".join(cancellation_sentences(quote, lang))
    details = (t(lang, "withdraw.details") if withdrawal
               else t(lang, "cancel.details", date=quote.on))
    request = CancellationRequest(addon.id, quote.outcome, quote.on)
    return View(
        type="modal",
        callback_id=CALLBACK_CONFIRM_CANCEL,
        title=t(lang, "withdraw.title" if withdrawal else "cancel.title"),
        submit=t(lang, "button.confirm"),
        close=t(lang, "button.back"),
        private_metadata=request.to_metadata(),
        blocks=[
            SectionBlock(block_id="cancellation", text=_md(f"*{label}*\n*{what}*")),
            ContextBlock(block_id="details", elements=[_md(details)]),
        ],
    )


def cancellation_done_message(
    addon: AddOn, quote: CancellationQuote, *, catalog: Catalog, lang: str
) -> MessagePayload:
    """What the admin reads after confirming Kündigen."""
    option = _option(catalog, addon.option)
    label = escape_mrkdwn(addon_label(option, addon.quantity, lang, addon.option))
    if quote.outcome is Outcome.CANCELLATION:
        text = t(lang, "cancel.done", addon=label, date=quote.on)
    else:
        text = " ".join([t(lang, "withdraw.done", addon=label),
                         *cancellation_sentences(quote, lang)])
    return _message(text, [SectionBlock(block_id="result", text=_md(text))])




# -- plain replies --------------------------------------------------------------------


def text_message(text: str) -> MessagePayload:
    """One mrkdwn section (already translated and escaped by the caller)."""
    return _message(text, [SectionBlock(block_id="message", text=_md(text))])




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
    lines += [f"    ◦ {t(lang, 'help.option', name=o.key, label=escape_mrkdwn(o.label(lang)))}"
              for o in catalog]
    lines += [f"• {t(lang, key)}" for key in ("help.cancel", "help.invoice")]
    text = "\n".join(lines)
    return _message(text, [SectionBlock(block_id="help", text=_md(text))])


def list_message(addons: Sequence[AddOn], *, catalog: Catalog, lang: str) -> MessagePayload:
    """`/addons liste`: every add-on as one line of text with its number, for screen readers."""
    lines = []
    none = t(lang, "table.none")
    for addon in sort_for_display(addons):
        option = _option(catalog, addon.option)
        lines.append("• " + t(
            lang, "list.line", id=addon.id,
            addon=escape_mrkdwn(addon_label(option, addon.quantity, lang, addon.option)),
            price=fmt_money(option.monthly_price(addon.quantity), lang) if option else none,
            billed_until=fmt_date(addon.billed_until, lang) if addon.billed_until else none,
            status=status_text(addon, lang)))
    title = t(lang, "table.title")
    blocks: list[Block] = [HeaderBlock(block_id="title", text=title)]
    if not lines:
        blocks.append(SectionBlock(block_id="empty", text=_md(t(lang, "table.empty"))))
        return _message(f"{title}: {t(lang, 'table.empty')}", blocks)
    room = MAX_MESSAGE_BLOCKS - len(blocks) - 1  # 1: the hint at the end
    blocks += _text_sections(lines, room, lang, "list", "table.more")
    blocks.append(ContextBlock(block_id="hint", elements=[_md(t(lang, "list.hint"))]))
    return _message("\n".join([title, *lines]), blocks)


def _text_sections(
    lines: list[str], room: int, lang: str, prefix: str, more_key: str
) -> list[Block]:
    """Sections of up to 3,000 characters in at most ``room`` blocks; the rest is counted."""
    chunks = _chunks(lines[:MAX_TEXT_LINES])
    if len(chunks) > room - 1 or len(lines) > MAX_TEXT_LINES:
        chunks = chunks[: room - 1]
    shown = sum(chunk.count("\n") + 1 for chunk in chunks)
    blocks: list[Block] = [SectionBlock(block_id=f"{prefix}_{i}", text=_md(c))
                           for i, c in enumerate(chunks)]
    if shown < len(lines):
        blocks.append(ContextBlock(block_id=f"{prefix}_more", elements=[
            _md(tn(lang, more_key, len(lines) - shown))]))
    return blocks


# -- invoices -------------------------------------------------------------------------


def invoice_line_text(line: InvoiceLine, catalog: Catalog, lang: str) -> str:
    """One invoice line: "Zusätzliche Benutzer (+1), anteilig 03.04.2026–17.04.2026: 2,85 €"."""
    option = _option(catalog, line.option)
    label = escape_mrkdwn(addon_label(option, line.quantity, lang, line.option))
    key = {LineKind.PRORATION: "invoice.line.proration", LineKind.RENEWAL: "invoice.line.renewal",
           LineKind.CREDIT: "invoice.line.credit"}[line.kind]
    return t(lang, key, addon=label, start=line.from_day, end=line.to_day, amount=line.amount)


def invoice_blocks(
    invoice: Invoice, *, catalog: Catalog, lang: str, max_blocks: int = MAX_MESSAGE_BLOCKS
) -> list[Block]:
    """An issued invoice (number, date, lines, total) or the preview of the upcoming one."""
    prefix = f"invoice_{invoice.number if invoice.number is not None else 'next'}"
    if invoice.number is None:
        title = t(lang, "invoice.preview_title", date=invoice.issued_on)
    else:
        title = t(lang, "invoice.title", number=invoice.number, date=invoice.issued_on)
    blocks: list[Block] = [HeaderBlock(block_id=f"{prefix}_title",
                                       text=_clip(title, MAX_HEADER_TEXT))]
    if invoice.number is None:
        blocks.append(ContextBlock(block_id=f"{prefix}_note",
                                   elements=[_md(t(lang, "invoice.preview_note"))]))
    lines = [f"• {invoice_line_text(line, catalog, lang)}" for line in invoice.lines]
    if lines:
        room = max(2, max_blocks - len(blocks) - 1)  # 1: the total
        blocks += _text_sections(lines, room, lang, f"{prefix}_lines", "invoice.more_lines")
    else:
        blocks.append(SectionBlock(block_id=f"{prefix}_empty",
                                   text=_md(t(lang, "invoice.empty"))))
    blocks.append(SectionBlock(block_id=f"{prefix}_total",
                               text=_md(f"*{t(lang, 'invoice.total', total=invoice.total)}*")))
    return blocks




def _invoice_summary(invoice: Invoice, lang: str) -> str:
    if invoice.number is None:
        title = t(lang, "invoice.preview_title", date=invoice.issued_on)
    else:
        title = t(lang, "invoice.title", number=invoice.number, date=invoice.issued_on)
    return f"{title}. {t(lang, 'invoice.total', total=invoice.total)}"


def invoices_message(
    upcoming: Invoice | None, recent: Sequence[Invoice], *, catalog: Catalog, lang: str
) -> MessagePayload:
    """`/addons rechnung`: the upcoming consolidated invoice, then the last invoices."""
    blocks: list[Block] = []
    texts = []
    if upcoming is not None:
        blocks += invoice_blocks(upcoming, catalog=catalog, lang=lang,
                                 max_blocks=MAX_MESSAGE_BLOCKS - 3)
        texts.append(_invoice_summary(upcoming, lang))
    lines = [t(lang, "invoice.recent_line", number=inv.number, date=inv.issued_on,
               total=inv.total) for inv in list(recent)[:RECENT_INVOICES]]
    body = "\n".join(lines) if lines else t(lang, "invoice.none")
    recent_text = f"*{t(lang, 'invoice.recent_title')}*\n{body}"
    blocks += [DividerBlock(block_id="recent_divider"),
               SectionBlock(block_id="recent", text=_md(recent_text))]
    texts.append(recent_text)
    return _message("\n".join(texts), blocks)

