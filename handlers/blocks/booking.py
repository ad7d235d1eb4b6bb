"""Booking: the quantity input, the booking modal, Bestätigen, and what was booked."""

from __future__ import annotations

from datetime import timedelta

from domain.addons import BookingQuote, withdrawal_deadline
from domain.catalog import Option
from handlers.blocks.ids import CALLBACK_BOOK, CALLBACK_CONFIRM_BOOKING
from handlers.blocks.kit import Block, ViewDict, context, input_block, modal, number_input, section
from handlers.blocks.labels import addon_label, net_text, option_description, option_price
from handlers.blocks.primitives import MAX_FIELD_TEXT, MessagePayload, clip, md, message
from handlers.i18n import escape_mrkdwn, fmt_date, fmt_number, month_text, t
from handlers.requests import ACTION_QTY, BookingRequest, dump_metadata, qty_block_id


def quantity_input(
    option: Option, lang: str, *, optional: bool, initial: int = 1, generation: int = 0
) -> Block:
    """The number input for how many units of ``option`` to book."""
    if option.unit == "seat":
        hint = t(lang, "quantity.hint.seat", maximum=fmt_number(option.max_quantity, lang))
    else:
        hint = t(
            lang,
            "quantity.hint.gb",
            maximum=fmt_number(option.max_quantity, lang),
            size=fmt_number(option.unit_size, lang),
            example=fmt_number(3 * option.unit_size, lang),
        )
    return input_block(
        block_id=qty_block_id(option.key, generation),
        label=t(lang, "quantity.label"),
        element=number_input(
            action_id=ACTION_QTY,
            initial_value=initial,
            min_value=1,
            max_value=option.max_quantity,
            placeholder=t(
                lang, "quantity.placeholder", maximum=fmt_number(option.max_quantity, lang)
            ),
        ),
        hint=clip(hint, 2000),
        optional=optional,
    )


def booking_modal(option: Option, lang: str, quantity: int = 1) -> ViewDict:
    """The modal App Home opens: one option with its quantity input; submit leads on."""
    parts = [f"*{escape_mrkdwn(option.label(lang))}*"]
    description = option_description(option, lang)
    if description:
        parts.append(description)
    parts.append(option_price(option, lang))
    quantity_block = quantity_input(option, lang, optional=False, initial=quantity)
    return modal(
        callback_id=CALLBACK_BOOK,
        title=t(lang, "booking.modal_title"),
        submit=t(lang, "button.continue"),
        close=t(lang, "button.back"),
        private_metadata=dump_metadata({"option": option.key}),
        blocks=[
            section(block_id=f"option_{option.key}", text=md("\n".join(parts))),
            quantity_block,
        ],
    )


def withdrawal_hint(quote: BookingQuote, lang: str) -> str:
    """The Widerruf hint, true also for a booking the next invoice carries within the window.

    Booked just before the period end, the window outlasts the invoice date: withdrawn
    after it, the invoiced amount comes back with a Rechnungskorrektur.
    """
    deadline = withdrawal_deadline(quote.booked_on)
    invoice_date = quote.period.end + timedelta(days=1)
    if deadline < invoice_date:
        return t(lang, "booking.withdrawal_note", deadline=deadline)
    return t(
        lang,
        "booking.withdrawal_note_invoiced",
        deadline=deadline,
        last_draft_day=quote.period.end,
        invoice_date=invoice_date,
    )


def booking_confirmation_view(quote: BookingQuote, *, nonce: str, lang: str) -> ViewDict:
    """Bestätigen / Abbrechen over option, quantity, monthly price, prorated, billed until."""
    option = quote.option
    label = addon_label(option, quote.quantity, lang)
    # Booked on a period's first day, the first amount is a whole month, not "anteilig".
    first_key = "booking.whole_period" if whole_period(quote) else "booking.prorated"
    fields = [
        (t(lang, "booking.quantity"), fmt_number(quote.quantity, lang)),
        (t(lang, "booking.monthly_price"), t(lang, "price.monthly", price=quote.monthly_price)),
        (
            t(lang, first_key, start=quote.booked_on, end=quote.period.end),
            net_text(quote.prorated, lang),
        ),
        (t(lang, "booking.billed_until"), fmt_date(quote.billed_until, lang)),
    ]
    request = BookingRequest(option.key, quote.quantity, nonce, quote.booked_on)
    explanation = t(
        lang,
        "booking.explanation",
        next_invoice=next_invoice_sentence(quote, lang),
        monthly=net_text(quote.monthly_price, lang),
    )
    if quote.invoiced:
        explanation += " " + catch_up_note(quote, lang)
    deadline = withdrawal_hint(quote, lang)
    return modal(
        callback_id=CALLBACK_CONFIRM_BOOKING,
        title=t(lang, "booking.title"),
        submit=t(lang, "button.confirm"),
        close=t(lang, "button.back"),
        private_metadata=request.to_metadata(),
        blocks=[
            section(
                block_id="booking",
                text=md(f"*{escape_mrkdwn(label)}*\n{option_price(option, lang)}"),
                fields=[md(f"*{title}*\n{value}", MAX_FIELD_TEXT) for title, value in fields],
            ),
            section(block_id="explanation", text=md(explanation)),
            context(block_id="withdrawal", elements=[md(deadline)]),
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
        text = t(
            lang,
            "booking.done",
            addon=label,
            billed_until=quote.billed_until,
            next_invoice=next_invoice_sentence(quote, lang),
        )
        if quote.invoiced:
            text += " " + catch_up_note(quote, lang)
    return message(text, [section(block_id="result", text=md(text))])


def whole_period(quote: BookingQuote) -> bool:
    """Booked on the first day of its period: the first amount is a whole month."""
    return quote.booked_on == quote.period.start


def next_invoice_sentence(quote: BookingQuote, lang: str) -> str:
    """What the next Sammelrechnung carries for this booking, net: the prorated amount
    (or the whole first month), any periods already invoiced, and, billed in advance,
    the month that invoice opens. "… am 03.05.2026 enthält dafür 26,84 € zzgl. USt.:
    anteilig 9,14 € und 17,70 € für den Monat ab 03.05.2026"."""
    if whole_period(quote):
        first = t(
            lang,
            "booking.part.month",
            amount=quote.prorated,
            month=month_text(quote.period.start, lang),
        )
    else:
        first = t(lang, "booking.part.prorated", amount=quote.prorated)
    parts = [first]
    if quote.invoiced:
        parts.append(
            t(
                lang,
                "booking.part.catch_up",
                amount=quote.catch_up,
                billed_until=quote.billed_until,
            )
        )
    parts.append(
        t(
            lang,
            "booking.part.month",
            amount=quote.monthly_price,
            month=month_text(quote.next_invoice_on, lang),
        )
    )
    joined = ", ".join(parts[:-1]) + t(lang, "booking.and") + parts[-1]
    total = quote.prorated + quote.catch_up + quote.monthly_price
    return t(
        lang,
        "booking.next_invoice",
        invoice_date=quote.next_invoice_on,
        total=net_text(total, lang),
        parts=joined,
    )


def catch_up_note(quote: BookingQuote, lang: str) -> str:
    """Periods invoiced before this booking: their renewal rides on the next invoice."""
    return t(
        lang,
        "booking.catch_up",
        billed_until=quote.billed_until,
        amount=quote.catch_up,
        invoice_date=quote.next_invoice_on,
    )
