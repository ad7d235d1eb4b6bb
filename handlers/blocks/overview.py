"""The overview: what can be booked, "Ihre Zusatzoptionen" with paging, and the totals.

The same blocks serve the /addons modal and App Home (handlers/blocks/home.py). The table
shows live add-ons first, then the newest ended ones, and folds the rest into one context
line with buttons to page through them, so a view never exceeds Slack's 100 blocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache

from domain.addons import AddOn, Status
from domain.billing import Entitlements
from domain.catalog import Catalog, Option
from domain.corrections import Correction
from domain.invoices import Invoice
from domain.workspace import Subscription
from handlers.blocks.booking import quantity_input
from handlers.blocks.details import details_section
from handlers.blocks.ids import (
    ACTION_ADD,
    ACTION_CANCEL,
    ACTION_OPEN_BOOKING,
    ACTION_PAGE_NEXT,
    ACTION_PAGE_PREV,
    ACTION_UNDO,
    CALLBACK_OVERVIEW,
)
from handlers.blocks.invoices import entwurf_text, recent_invoices_text
from handlers.blocks.kit import Block, ViewDict, actions, context, divider, header, modal, section
from handlers.blocks.labels import (
    TEXTS_CACHE,
    addon_label,
    net_text,
    option_description,
    option_or_none,
    option_price,
    sort_for_display,
    status_text,
)
from handlers.blocks.primitives import MAX_FIELD_TEXT, MAX_VIEW_BLOCKS, button, md
from handlers.i18n import escape_mrkdwn, fmt_date, fmt_number, t, tn

# Blocks drawn once for several views of one read: "summary", or (offset, budget).
Memo = dict[object, list[Block]]


def _offer_blocks(
    catalog: Catalog, lang: str, *, home: bool, errors: Mapping[str, str], generation: int = 0
) -> list[Block]:
    """Per catalog option: label, pitch and price; a quantity input and Hinzufügen."""
    blocks: list[Block] = []
    if home:
        blocks.append(header(block_id="title", text=t(lang, "overview.title")))
    blocks.append(section(block_id="intro", text=md(t(lang, "overview.intro"))))
    if home:
        blocks.append(context(block_id="intro_hint", elements=[md(t(lang, "overview.home_hint"))]))
    for option in catalog:
        parts = [f"*{escape_mrkdwn(option.label(lang))}*"]
        description = option_description(option, lang)
        if description:
            parts.append(description)
        parts.append(option_price(option, lang))
        text = md("\n".join(parts))
        if home:  # App Home cannot host inputs: Hinzufügen opens the booking modal
            blocks.append(
                section(
                    block_id=f"option_{option.key}",
                    text=text,
                    accessory=button(
                        t(lang, "button.add"), ACTION_OPEN_BOOKING, option.key, "primary"
                    ),
                )
            )
            continue
        blocks.append(section(block_id=f"option_{option.key}", text=text))
        blocks.append(quantity_input(option, lang, optional=True, generation=generation))
        if option.key in errors:
            blocks.append(
                context(
                    block_id=f"qty_error_{option.key}",
                    elements=[md(f":warning: *{errors[option.key]}*")],  # translated mrkdwn
                )
            )
        blocks.append(
            actions(
                block_id=f"add_{option.key}",
                elements=[button(t(lang, "button.add"), ACTION_ADD, option.key, "primary")],
            )
        )
    return blocks


def _row(addon: AddOn, catalog: Catalog, lang: str) -> Block:
    """One line of "Ihre Zusatzoptionen" with its Kündigen / zurücknehmen button."""
    option = option_or_none(catalog, addon.option)
    accessory: Block | None = None
    if addon.status is Status.ACTIVE:
        accessory = button(t(lang, "button.cancel"), ACTION_CANCEL, str(addon.id), "danger")
    elif addon.status is Status.CANCELLATION_PENDING:
        accessory = button(t(lang, "button.undo"), ACTION_UNDO, str(addon.id))
    withdrawn = addon.status is Status.WITHDRAWN  # nothing charged: no monthly price
    fields = _row_fields(
        option,
        addon.option,
        addon.quantity,
        withdrawn,
        addon.billed_until,
        status_text(addon, lang),
        lang,
    )
    return section(
        block_id=f"addon_{addon.id}",
        fields=[md(field, MAX_FIELD_TEXT) for field in fields],
        accessory=accessory,
    )


@lru_cache(maxsize=TEXTS_CACHE)
def _row_fields(
    option: Option | None,
    key: str,
    quantity: int,
    withdrawn: bool,
    billed_until: date | None,
    status: str,
    lang: str,
) -> tuple[str, ...]:
    """A row's four fields (option, price, Abgerechnet bis, status), each titled."""
    label = addon_label(option, quantity, lang, key)
    none = t(lang, "table.none")
    if withdrawn:
        price = t(lang, "table.not_charged")
    else:
        price = net_text(option.monthly_price(quantity), lang) if option else none
    billed = fmt_date(billed_until, lang) if billed_until else none
    fields = [
        (t(lang, "table.option"), escape_mrkdwn(label)),
        (t(lang, "table.price"), price),
        (t(lang, "table.billed_until"), billed),
        (t(lang, "table.status"), status),
    ]
    return tuple(f"*{title}*\n{value}" for title, value in fields)


def entitlements_text(in_force: Entitlements, lang: str) -> str:
    """ "Zusätzlich in Kraft: 3 Benutzer, 30 GB"."""
    items = []
    if in_force.seats:
        items.append(tn(lang, "entitlements.seats", in_force.seats))
    if in_force.gigabytes:
        items.append(t(lang, "entitlements.gigabytes", count=fmt_number(in_force.gigabytes, lang)))
    return t(
        lang, "entitlements.line", items=", ".join(items) if items else t(lang, "entitlements.none")
    )


def _summary_blocks(
    in_force: Entitlements,
    upcoming: Invoice | None,
    recent: Sequence[Invoice],
    lang: str,
    catalog: Catalog,
    corrections: Sequence[Correction] = (),
    subscription: Subscription | None = None,
) -> list[Block]:
    blocks: list[Block] = [
        divider(block_id="summary_divider"),
        section(block_id="entitlements", text=md(entitlements_text(in_force, lang))),
    ]
    if upcoming is not None:
        blocks.append(
            section(
                block_id="upcoming",
                text=md(entwurf_text(upcoming, catalog, lang)),
            )
        )
    recent_text = recent_invoices_text(recent, lang, corrections)
    blocks.append(section(block_id="invoices", text=md(recent_text)))
    if subscription is not None:
        blocks.append(details_section(subscription, lang))
    return blocks


def _fold_blocks(
    rows: Sequence[AddOn], lang: str, *, offset: int, page: int, shown: int
) -> list[Block]:
    """The context line counting rows not shown, and the buttons to page to them."""
    rest = rows[offset + page :]
    notes = []
    if offset > 0:
        notes.append(
            t(
                lang,
                "table.rows",
                first=fmt_number(offset + 1, lang),
                last=fmt_number(offset + shown, lang),
                total=fmt_number(len(rows), lang),
            )
        )
    if rest:
        if all(not addon.is_live for addon in rest):
            notes.append(tn(lang, "table.more_ended", len(rest)))
        else:
            notes.append(tn(lang, "table.more", len(rest)))
    buttons = []
    if offset > 0:
        buttons.append(
            button(t(lang, "button.previous"), ACTION_PAGE_PREV, str(max(0, offset - page)))
        )
    if rest:
        buttons.append(button(t(lang, "button.more"), ACTION_PAGE_NEXT, str(offset + page)))
    return [
        context(block_id="table_fold", elements=[md(" · ".join(notes))]),
        actions(block_id="table_pages", elements=buttons),
    ]


def _table_blocks(
    addons: Sequence[AddOn], catalog: Catalog, lang: str, *, offset: int, budget: int
) -> list[Block]:
    """The table, one page of at most ``budget`` rows plus a fold line and paging buttons."""
    blocks: list[Block] = [
        divider(block_id="table_divider"),
        header(block_id="table_title", text=t(lang, "table.title")),
    ]
    rows = sort_for_display(addons)
    if not rows:
        blocks.append(section(block_id="table_empty", text=md(t(lang, "table.empty"))))
        return blocks
    page = max(1, budget - len(blocks) - 2)  # 2: the fold line and the paging buttons
    if offset >= len(rows):  # a stale paging button after rows went away: show the last page
        offset = (len(rows) - 1) // page * page
    offset = max(0, offset)
    shown = rows[offset : offset + page]
    blocks.extend(_row(addon, catalog, lang) for addon in shown)
    if offset == 0 and len(rows) <= page:
        return blocks
    return blocks + _fold_blocks(rows, lang, offset=offset, page=page, shown=len(shown))


def overview_blocks(
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
    corrections: Sequence[Correction] = (),
    subscription: Subscription | None = None,
    memo: Memo | None = None,
) -> list[Block]:
    """Offers, the table and the totals, the table paged to fit a view's 100 blocks.

    Views drawn from one read may share a ``memo``: the modal and App Home differ only
    in their offers, so the totals (and a table of the same budget) are drawn once."""
    memo = {} if memo is None else memo
    # Every booking adds a row: a new generation of the inputs, so they are back to 1.
    top = _offer_blocks(catalog, lang, home=home, errors=errors, generation=len(addons))
    bottom = memo.get("summary")
    if bottom is None:
        bottom = _summary_blocks(
            in_force, upcoming, recent, lang, catalog, corrections, subscription
        )
        memo["summary"] = bottom
    budget = MAX_VIEW_BLOCKS - len(top) - len(bottom)
    table = memo.get((offset, budget))
    if table is None:
        table = _table_blocks(addons, catalog, lang, offset=offset, budget=budget)
        memo[(offset, budget)] = table
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
    corrections: Sequence[Correction] = (),
    subscription: Subscription | None = None,
    memo: Memo | None = None,
) -> ViewDict:
    """The /addons modal: options with quantity and Hinzufügen, the table, the totals.

    ``errors`` maps an option key to a message shown under its quantity input (block
    actions cannot answer with response_action "errors"; redraw with views.update).
    The inputs are optional so that "Fertig" (submit) simply closes the modal.
    """
    return modal(
        callback_id=CALLBACK_OVERVIEW,
        title=t(lang, "overview.title"),
        submit=t(lang, "overview.submit"),
        close=t(lang, "overview.close"),
        blocks=overview_blocks(
            catalog=catalog,
            addons=addons,
            in_force=in_force,
            upcoming=upcoming,
            recent=recent,
            lang=lang,
            offset=offset,
            home=False,
            errors=errors or {},
            corrections=corrections,
            subscription=subscription,
            memo=memo,
        ),
    )


def loading_view(lang: str) -> ViewDict:
    """A placeholder modal to open within the trigger's 3 seconds; views.update fills it."""
    return modal(
        callback_id=CALLBACK_OVERVIEW,
        title=t(lang, "overview.title"),
        close=t(lang, "overview.close"),
        blocks=[section(block_id="loading", text=md(t(lang, "overview.loading")))],
    )
