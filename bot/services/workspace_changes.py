"""What the operator (``workspace set``) and CloudCRM (its signed way in) change of a
workspace's Rechnungsdaten, SEPA mandate and Tarif: only the values they name.

Values come in as the text they were given and are checked by the domain
(``BillingDetails.changed``, ``SepaMandate.checked``, ``Plan.checked``): a bad one raises
``InvalidBillingDetail`` naming its field, before anything is stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from typing import Any

from domain.money import Money
from domain.parties import DETAIL_FIELDS, InvalidBillingDetail, SepaMandate, mask_iban
from domain.workspace import Plan, Subscription

# A monthly net price in euros: up to seven digits, at most two decimals ("49", "49.00").
_PRICE = re.compile(r"[0-9]{1,7}(\.[0-9]{1,2})?")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Keep(Enum):
    """A part of the workspace the change leaves as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class MandateInput:
    """A SEPA mandate as given: its reference, the debtor's IBAN, the day signed (ISO)."""

    reference: str
    iban: str
    signed_on: str


@dataclass(frozen=True)
class PlanInput:
    """A Tarif as given: its name and monthly net price in euros ("49.00"); a part given
    as None keeps that part of the current Tarif."""

    name: str | None = None
    price: str | None = None


@dataclass(frozen=True)
class BillingChange:
    """The Rechnungsdaten and Tarif values one request changes; the rest stays.

    ``details`` maps a field of ``DETAIL_FIELDS`` to its new text ("" or None clears it);
    ``mandate`` None revokes the mandate; ``plan`` None removes the Tarif.
    """

    details: Mapping[str, str | None] = field(default_factory=dict)
    mandate: MandateInput | Keep | None = KEEP
    plan: PlanInput | Keep | None = KEEP

    def __post_init__(self) -> None:
        unknown = sorted(set(self.details) - set(DETAIL_FIELDS))
        if unknown:
            raise ValueError(f"not a Rechnungsdaten field: {unknown[0]}")

    @property
    def empty(self) -> bool:
        """Whether it changes nothing at all."""
        return not self.details and self.mandate is KEEP and self.plan is KEEP


def with_billing(sub: Subscription, change: BillingChange, today: date) -> Subscription:
    """``sub`` with the change applied, every value checked together (InvalidBillingDetail).

    ``today`` is the workspace's date: a mandate cannot have been signed after it.
    """
    if change.empty:
        return sub
    values: dict[str, Any] = {name: text or None for name, text in change.details.items()}
    if change.mandate is None:
        values["mandate"] = None
    elif isinstance(change.mandate, MandateInput):
        values["mandate"] = _mandate(change.mandate, today)
    plan = sub.plan
    if change.plan is None:
        plan = None
    elif isinstance(change.plan, PlanInput):
        plan = _plan(sub.plan, change.plan)
    return replace(sub, details=sub.details.changed(**values), plan=plan)


def _mandate(given: MandateInput, today: date) -> SepaMandate:
    text = given.signed_on.strip()
    try:
        signed = date.fromisoformat(text) if _DAY.fullmatch(text) else None
    except ValueError:
        signed = None
    if signed is None or signed > today:
        raise InvalidBillingDetail("sepa_signed", given.signed_on)
    return SepaMandate.checked(given.reference, given.iban, signed)


def _plan(current: Plan | None, given: PlanInput) -> Plan:
    name = given.name if given.name is not None else current.name if current else ""
    if given.price is None:
        if current is None:
            raise InvalidBillingDetail("plan_price", "")
        return Plan.checked(name, current.price)
    return Plan.checked(name, plan_price(given.price))


def plan_price(text: str) -> Money:
    """A monthly net price in euros ("49.00"), exact to the cent; InvalidBillingDetail else."""
    if not _PRICE.fullmatch(text.strip()):
        raise InvalidBillingDetail("plan_price", text)
    return Money.euros(text.strip())


def billing_changes(old: Subscription | None, new: Subscription) -> dict[str, Any]:
    """What changed of the Rechnungsdaten, mandate and Tarif, for the audit log: each
    changed field with its new value (null when cleared), the mandate's IBAN masked."""
    before = old.details if old is not None else type(new.details)()
    out: dict[str, Any] = {
        name: getattr(new.details, name)
        for name in DETAIL_FIELDS
        if getattr(before, name) != getattr(new.details, name)
    }
    mandate = new.details.mandate
    if before.mandate != mandate:
        out["sepa_mandate"] = (
            {
                "reference": mandate.reference,
                "iban": mask_iban(mandate.iban),
                "signed_on": mandate.signed_on.isoformat(),
            }
            if mandate
            else None
        )
    if (old.plan if old is not None else None) != new.plan:
        out["plan"] = (
            {"name": new.plan.name, "price": str(new.plan.price.amount)} if new.plan else None
        )
    return out
