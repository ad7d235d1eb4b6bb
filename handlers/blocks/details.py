"""Rechnungsdaten: the line in the overview, and the modal that sets them.

Each input's block id is the field's name as ``InvalidBillingDetail.field`` names it, so
a refused value is answered inline under its own input (``response_action: errors``).
"""

from __future__ import annotations

from domain.parties import BillingDetails, InvalidBillingDetail, mask_iban
from domain.workspace import Subscription
from handlers.blocks.ids import ACTION_OPEN_DETAILS, CALLBACK_DETAILS
from handlers.blocks.kit import Block, ViewDict, datepicker, input_block, modal, section, text_input
from handlers.blocks.primitives import button, md
from handlers.i18n import MESSAGES, escape_mrkdwn, t

ACTION_VALUE = "value"  # the action id of every input in the modal
# The Rechnungsdaten inputs, in the modal's order, with their length limits (domain.parties).
ADDRESS_FIELDS = (
    ("company", 200),
    ("street", 200),
    ("postcode", 16),
    ("city", 200),
    ("country", 2),
    ("vat_id", 30),
    ("invoice_email", 254),
    ("buyer_reference", 100),
)
MANDATE_FIELDS = (("sepa_mandate", 35), ("sepa_iban", 42))
SIGNED_FIELD = "sepa_signed"
SEPA_FIELDS = ("sepa_mandate", "sepa_iban", SIGNED_FIELD)


def details_summary(sub: Subscription, lang: str) -> str:
    """The Rechnungsdaten in one line: "Acme GmbH, Hauptstr. 1, 10115 Berlin, DE · USt-IdNr. …"."""
    d = sub.details
    buyer = d.buyer(sub.slack_name, sub.team_id)
    if d == BillingDetails():
        return t(lang, "details.none", name=escape_mrkdwn(buyer.name))
    place = " ".join(part for part in (d.postcode, d.city) if part)
    address = ", ".join(part for part in (buyer.name, d.street, place, d.country) if part)
    parts = [escape_mrkdwn(address)]
    if d.vat_id:
        parts.append(t(lang, "details.vat_id", vat_id=d.vat_id))
    if d.invoice_email:
        parts.append(escape_mrkdwn(d.invoice_email))
    if d.buyer_reference:
        parts.append(t(lang, "details.reference", reference=escape_mrkdwn(d.buyer_reference)))
    if d.mandate is not None:
        parts.append(
            t(
                lang,
                "details.mandate",
                reference=escape_mrkdwn(d.mandate.reference),
                iban=mask_iban(d.mandate.iban),
                date=d.mandate.signed_on,
            )
        )
    else:
        parts.append(t(lang, "details.transfer"))
    return " · ".join(parts)


def details_section(sub: Subscription, lang: str) -> Block:
    """The overview's Rechnungsdaten line with the button that opens their modal."""
    return section(
        block_id="billing_details",
        text=md(t(lang, "details.line", summary=details_summary(sub, lang))),
        accessory=button(t(lang, "button.details"), ACTION_OPEN_DETAILS, "open"),
    )


def _hint(field: str, lang: str) -> str | None:
    key = f"details.hint.{field}"
    return t(lang, key) if key in MESSAGES.get(lang, MESSAGES["de"]) else None


def billing_details_modal(details: BillingDetails, lang: str) -> ViewDict:
    """The Rechnungsdaten modal, filled with what is stored; every input optional."""
    mandate = details.mandate
    current: dict[str, str | None] = {name: getattr(details, name) for name, _ in ADDRESS_FIELDS}
    current["sepa_mandate"] = mandate.reference if mandate else None
    current["sepa_iban"] = mask_iban(mandate.iban) if mandate else None  # never sent whole
    blocks: list[Block] = [section(block_id="details_intro", text=md(t(lang, "details.intro")))]
    for name, limit in ADDRESS_FIELDS:
        blocks.append(_text_block(name, limit, current[name], lang))
    blocks.append(section(block_id="details_sepa", text=md(t(lang, "details.sepa_intro"))))
    for name, limit in MANDATE_FIELDS:
        blocks.append(_text_block(name, limit, current[name], lang))
    blocks.append(
        input_block(
            block_id=SIGNED_FIELD,
            label=t(lang, f"details.label.{SIGNED_FIELD}"),
            element=datepicker(
                action_id=ACTION_VALUE,
                initial_date=mandate.signed_on.isoformat() if mandate else None,
                placeholder=t(lang, f"details.label.{SIGNED_FIELD}"),
            ),
            hint=None,
            optional=True,
        )
    )
    return modal(
        callback_id=CALLBACK_DETAILS,
        title=t(lang, "details.title"),
        submit=t(lang, "button.save"),
        close=t(lang, "button.back"),
        blocks=blocks,
    )


def _text_block(name: str, limit: int, value: str | None, lang: str) -> Block:
    return input_block(
        block_id=name,
        label=t(lang, f"details.label.{name}"),
        element=text_input(action_id=ACTION_VALUE, initial_value=value, max_length=limit),
        hint=_hint(name, lang),
        optional=True,
    )


def details_error(error: InvalidBillingDetail, lang: str) -> dict[str, str]:
    """``response_action: errors`` for a refused value: its input's block id -> why."""
    field = error.field if error.field in {*dict(ADDRESS_FIELDS), *SEPA_FIELDS} else "company"
    key = f"details.error.{field}"
    if field in SEPA_FIELDS and not error.value:
        key = "details.error.sepa_missing"
    elif key not in MESSAGES.get(lang, MESSAGES["de"]):
        key = "details.error.other"
    return {field: t(lang, key)}
