"""What comes back from Slack: private_metadata, button values and typed quantities.

Every reader here refuses what this app did not write (MetadataError) or what a person
may not mean (QuantityInputError names the problem), before any use case runs.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.addons import Outcome
from domain.parties import (
    DETAIL_FIELDS,
    BillingDetails,
    InvalidBillingDetail,
    SepaMandate,
    mask_iban,
)
from handlers.i18n import fmt_number, t

ACTION_QTY = "qty"  # the number input in every "qty_<option>" block
MAX_METADATA_CHARS = 3000  # Slack's limit for private_metadata


_GENERATION = "-g"


def qty_block_id(option_key: str, generation: int = 0) -> str:
    """Block id of the quantity input for ``option_key``: errors are keyed by it.

    Slack keeps what was typed into an input across views.update while its block id
    stays the same. The overview passes a ``generation`` that changes with every booking
    (the number of add-ons), so after a booking the fields are back to 1 and the same
    amount is not booked again by accident.
    """
    if generation:
        return f"qty_{option_key}{_GENERATION}{generation}"
    return f"qty_{option_key}"


def qty_option_of(block_id: str) -> str | None:
    """The option key of a quantity input's block id, whatever its generation."""
    if not block_id.startswith("qty_"):
        return None
    key, _, generation = block_id[4:].partition(_GENERATION)
    if generation and not generation.isdigit():
        return None
    return key or None


# -- private_metadata and button values ----------------------------------------------


class MetadataError(ValueError):
    """private_metadata or a button value that this app did not write: refuse it."""


@dataclass(frozen=True)
class BookingRequest:
    """What the admin confirms in the booking view; ``nonce`` makes it book once."""

    option: str
    quantity: int
    nonce: str
    quoted_on: date | None = None  # the day whose prices the view showed

    def to_metadata(self) -> str:
        """The compact JSON kept in the confirmation view's private_metadata."""
        data: dict[str, object] = {
            "option": self.option,
            "quantity": self.quantity,
            "nonce": self.nonce,
        }
        if self.quoted_on is not None:
            data["on"] = self.quoted_on.isoformat()
        return dump_metadata(data)


@dataclass(frozen=True)
class CancellationRequest:
    """What the admin confirms in the Kündigen view: this add-on, this outcome."""

    addon_id: int
    outcome: Outcome
    on: date | None = None  # the "Kündigung zum" date (or withdrawal day) the view showed

    def to_metadata(self) -> str:
        """The compact JSON kept in the confirmation view's private_metadata."""
        data: dict[str, object] = {"addon_id": self.addon_id, "outcome": self.outcome.value}
        if self.on is not None:
            data["on"] = self.on.isoformat()
        return dump_metadata(data)


def new_nonce() -> str:
    """A fresh idempotency key for one booking confirmation view."""
    return str(uuid.uuid4())


def dump_metadata(data: Mapping[str, object]) -> str:
    """Compact JSON for private_metadata; MetadataError past Slack's 3,000 characters."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    if len(text) > MAX_METADATA_CHARS:
        raise MetadataError("private_metadata would exceed 3000 characters")
    return text


def _load(raw: object, keys: set[str], optional: frozenset[str] = frozenset()) -> dict[str, Any]:
    if not isinstance(raw, str) or not raw or len(raw) > MAX_METADATA_CHARS:
        raise MetadataError("private_metadata is missing or too long")
    try:
        data = json.loads(raw)
    except ValueError:
        raise MetadataError("private_metadata is not JSON") from None
    if not isinstance(data, dict):
        raise MetadataError("private_metadata is not a JSON object")
    if not keys <= set(data) <= keys | optional:
        raise MetadataError(f"private_metadata must have exactly the keys {sorted(keys)}")
    return data


def _day(value: object) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


MAX_ID = 2**63 - 1  # SQLite's INTEGER


def _positive_int(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_ID:
        raise MetadataError(f"{name} must be a positive integer")
    return value


def _option_key(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[a-z][a-z0-9_-]{0,63}", value):
        raise MetadataError("option must be a catalog key")
    return value


def parse_booking_metadata(raw: object) -> BookingRequest:
    """Read {"option", "quantity", "nonce"} back from the booking confirmation view."""
    data = _load(raw, {"option", "quantity", "nonce"}, frozenset({"on"}))
    quoted_on = _day(data.get("on"))
    if "on" in data and quoted_on is None:
        raise MetadataError("on must be a date")
    nonce = data["nonce"]
    try:
        valid = isinstance(nonce, str) and str(uuid.UUID(nonce)) == nonce
    except ValueError:
        valid = False
    if not valid:
        raise MetadataError("nonce must be a UUID")
    return BookingRequest(
        _option_key(data["option"]), _positive_int(data["quantity"], "quantity"), nonce, quoted_on
    )


def parse_cancellation_metadata(raw: object) -> CancellationRequest:
    """Read {"addon_id", "outcome"} back from the Kündigen confirmation view."""
    data = _load(raw, {"addon_id", "outcome"}, frozenset({"on"}))
    try:
        outcome = Outcome(data["outcome"])
    except ValueError:
        raise MetadataError("outcome must be cancellation or withdrawal") from None
    on = _day(data.get("on"))
    if "on" in data and on is None:
        raise MetadataError("on must be a date")
    return CancellationRequest(_positive_int(data["addon_id"], "addon_id"), outcome, on)


def parse_option_metadata(raw: object) -> str:
    """Read {"option"} back from the booking modal opened from App Home."""
    return _option_key(_load(raw, {"option"})["option"])


def parse_addon_id(value: object) -> int:
    """An add-on id from a button value or typed text ("42"); MetadataError otherwise."""
    if not isinstance(value, str) or not re.fullmatch(r"\s*[0-9]{1,18}\s*", value):
        raise MetadataError("add-on id must be a number")
    return _positive_int(int(value), "addon_id")


def parse_offset(value: object) -> int:
    """A row offset from a paging button value."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,9}", value):
        raise MetadataError("offset must be a number")
    return int(value)


# -- quantities typed by the admin -----------------------------------------------------


class QuantityInputError(ValueError):
    """A typed quantity that is empty, zero, negative, decimal, too large or no number."""

    def __init__(self, reason: str, maximum: int) -> None:
        super().__init__(f"quantity {reason}")
        self.reason = reason  # empty | not_a_number | zero | negative | decimal | too_large
        self.maximum = maximum

    def text(self, lang: str) -> str:
        """The inline error shown under the input."""
        return t(lang, f"quantity.error.{self.reason}", maximum=fmt_number(self.maximum, lang))


_NUMBER = re.compile(r"[+\-−]?[0-9]+(?:[.,][0-9]+)?")  # ASCII digits only, not "٣" or "𝟓"


def parse_quantity(raw: object, maximum: int) -> int:
    """A whole quantity from 1 to ``maximum`` from what the input or the text form gave."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise QuantityInputError("empty", maximum)
    if not _NUMBER.fullmatch(text) or len(text) > 30:
        raise QuantityInputError("not_a_number", maximum)
    try:
        value = Decimal(text.replace(",", ".").replace("−", "-"))
    except InvalidOperation:
        raise QuantityInputError("not_a_number", maximum) from None
    if value == 0:
        raise QuantityInputError("zero", maximum)
    if value < 0:
        raise QuantityInputError("negative", maximum)
    if value != value.to_integral_value() or "." in text or "," in text:
        raise QuantityInputError("decimal", maximum)
    if value > maximum:
        raise QuantityInputError("too_large", maximum)
    return int(value)


def quantity_from_state(state_values: Mapping[str, Any], option_key: str) -> str | None:
    """The raw number typed for ``option_key`` in ``view.state.values`` (None if absent)."""
    block: Mapping[str, Any] = {}
    for block_id, found in state_values.items():
        if qty_option_of(str(block_id)) == option_key and isinstance(found, Mapping):
            block = found
    element = block.get(ACTION_QTY) or {}
    value = element.get("value")
    return value if isinstance(value, str) else None


def quantity_errors(option_key: str, error: QuantityInputError, lang: str) -> dict[str, str]:
    """``errors`` for ``ack(response_action="errors", errors=...)`` on the booking modal."""
    return {qty_block_id(option_key): error.text(lang)}


# -- Rechnungsdaten -------------------------------------------------------------------


def _state_text(state_values: Mapping[str, Any], block_id: str) -> str | None:
    """What an input of the Rechnungsdaten modal holds: typed text or a picked date."""
    block = state_values.get(block_id)
    if not isinstance(block, Mapping):
        return None
    for entry in block.values():
        if isinstance(entry, Mapping):
            value = entry.get("selected_date", entry.get("value"))
            return value if isinstance(value, str) else None
    return None


def billing_details_from_state(
    state_values: Mapping[str, Any],
    stored: SepaMandate | None = None,
    latest_signed: date | None = None,
) -> BillingDetails:
    """The Rechnungsdaten as submitted, every value checked (InvalidBillingDetail names the
    first bad field). The SEPA mandate is set only when any of its three parts is given,
    and then needs all three; its IBAN, shown masked, stays the ``stored`` one when it
    comes back as shown; it cannot be signed after ``latest_signed``."""
    text = {name: _state_text(state_values, name) for name in DETAIL_FIELDS}
    details = BillingDetails.checked(  # the inputs from the top: the address first
        company=text["company"],
        street=text["street"],
        postcode=text["postcode"],
        city=text["city"],
        country=text["country"],
        vat_id=text["vat_id"],
        invoice_email=text["invoice_email"],
        buyer_reference=text["buyer_reference"],
    )
    reference = _state_text(state_values, "sepa_mandate")
    iban = _state_text(state_values, "sepa_iban")
    if stored is not None and iban is not None and iban.strip() == mask_iban(stored.iban):
        iban = stored.iban  # left as the modal showed it
    signed_raw = _state_text(state_values, "sepa_signed")
    mandate = None
    if any(part and part.strip() for part in (reference, iban, signed_raw)):
        signed = _day(signed_raw) if signed_raw else None
        if signed_raw and signed is None:
            raise InvalidBillingDetail("sepa_signed", signed_raw)
        if signed is not None and latest_signed is not None and signed > latest_signed:
            raise InvalidBillingDetail("sepa_signed", signed_raw or "")
        mandate = SepaMandate.checked(reference, iban, signed)
    return replace(details, mandate=mandate)
