"""A workspace's subscription: its billing anchor, time zone and language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import DomainError, InvalidTimezone
from domain.money import Money
from domain.parties import BillingDetails, InvalidBillingDetail
from domain.periods import BillingSchedule

DEFAULT_TIMEZONE = "Europe/Berlin"
CUSTOMER_MAX = 64


class InvalidCustomer(DomainError):
    """The CloudCRM customer number is not 1 to 64 printable characters."""

    code = "invalid_customer"

    def __init__(self, value: str) -> None:
        super().__init__(
            f"not a customer number: {value!r} (1 to {CUSTOMER_MAX} printable characters)"
        )
        self.value = value

    def params(self) -> dict[str, object]:
        return {"customer": self.value}


def check_customer(value: str) -> str:
    """``value`` if it is 1 to 64 printable characters (no control characters, not blank)."""
    if not 1 <= len(value) <= CUSTOMER_MAX or not value.isprintable() or not value.strip():
        raise InvalidCustomer(value)
    return value


def check_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone this machine knows, else InvalidTimezone."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidTimezone(name) from None
    return name


@dataclass(frozen=True)
class Plan:
    """The workspace's CloudCRM Tarif: its name and monthly net price."""

    name: str
    price: Money

    @classmethod
    def checked(cls, name: str, price: Money) -> Plan:
        """A Tarif with a printable name of 1 to 100 characters and a price from 0."""
        name = name.strip()
        if not 1 <= len(name) <= 100 or not name.isprintable():
            raise InvalidBillingDetail("plan", name)
        if price.cents < 0:
            raise InvalidBillingDetail("plan_price", str(price.amount))
        return cls(name, price)


@dataclass(frozen=True)
class Subscription:
    """One per Slack team: periods run from ``anchor`` in ``timezone``."""

    team_id: str
    anchor: date
    timezone: str = DEFAULT_TIMEZONE
    locale: str = "de"
    last_closed: date | None = None  # start of the last period whose turn was processed
    customer: str | None = None  # the CloudCRM customer number, named in every event
    # Slack users of this workspace who may book and see invoices besides its admins
    billing_admins: tuple[str, ...] = ()
    details: BillingDetails = field(default_factory=BillingDetails)  # Rechnungsdaten
    plan: Plan | None = None  # the Tarif every Sammelrechnung carries first
    slack_name: str | None = None  # the workspace's name in Slack, where it is known

    @property
    def schedule(self) -> BillingSchedule:
        """The billing periods of this subscription."""
        return BillingSchedule(self.anchor)

    def today(self, now: datetime) -> date:
        """The calendar date of the aware instant ``now`` in the billing time zone."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        return now.astimezone(ZoneInfo(self.timezone)).date()

    @property
    def closed_through(self) -> date:
        """Start of the last processed period: nothing before the anchor's period is due."""
        return self.last_closed if self.last_closed is not None else self.anchor
