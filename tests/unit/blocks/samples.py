"""Sample domain values and small helpers the Block Kit tests share."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from domain.addons import AddOn, Status
from domain.billing import Entitlements
from domain.catalog import Catalog
from domain.invoices import Invoice, InvoiceLine, LineKind
from domain.money import Money
from domain.parties import BillingDetails, Seller, SepaMandate
from domain.periods import BillingSchedule
from domain.terms import Invoicing, Terms
from domain.workspace import Plan, Subscription
from handlers.blocks.home import home_view
from handlers.blocks.overview import overview_view
from tests.unit.blocks.slack_checks import checked

CATALOG = Catalog()
SCHEDULE = BillingSchedule(date(2026, 1, 18))  # period 18.03.2026–17.04.2026 (31 days)
APRIL_3 = date(2026, 4, 3)
APRIL_17 = date(2026, 4, 17)
PERIOD = SCHEDULE.period_containing(APRIL_3)
NEXT = SCHEDULE.period(PERIOD.index + 1)
NONCE = "0b6c1f2e-4d5a-4c3b-9a8f-7e6d5c4b3a21"
LANGS = ["de", "en"]


def active(
    addon_id: int, option: str = "users", quantity: int = 1, booked_on: date = APRIL_3
) -> AddOn:
    """An active add-on booked on ``booked_on``, billed until 17 April."""
    return AddOn(addon_id, option, quantity, booked_on, APRIL_17)


def pending(addon_id: int, option: str = "storage", quantity: int = 3) -> AddOn:
    """An add-on whose cancellation takes effect on 17 April."""
    return AddOn(
        addon_id,
        option,
        quantity,
        date(2026, 1, 5),
        APRIL_17,
        Status.CANCELLATION_PENDING,
        effective_on=APRIL_17,
    )


def ended(addon_id: int, on: date) -> AddOn:
    """A seat that ended ``on`` that day."""
    return AddOn(addon_id, "users", 1, on - timedelta(days=60), on, Status.ENDED, ended_on=on)


def withdrawn(addon_id: int, on: date) -> AddOn:
    """Two seats withdrawn ``on`` that day."""
    return AddOn(addon_id, "users", 2, on - timedelta(days=3), None, Status.WITHDRAWN, ended_on=on)


def line(kind: LineKind, addon_id: int, cents: int, number: int | None = None) -> InvoiceLine:
    """One invoice line of a seat over 3–17 April."""
    return InvoiceLine(
        kind,
        addon_id,
        "users",
        1,
        APRIL_3,
        APRIL_17,
        Money(cents),
        NEXT.start,
        invoice_number=number,
    )


UPCOMING = Invoice(
    None, "T1", NEXT, (line(LineKind.PRORATION, 1, 285), line(LineKind.RENEWAL, 2, 590))
)
ISSUED = Invoice(17, "T1", PERIOD, (line(LineKind.RENEWAL, 2, 590, 17),))


def overview(addons: list[AddOn], lang: str = "de", **kwargs: Any) -> dict[str, Any]:
    """The overview modal as Slack receives it."""
    view = overview_view(
        catalog=CATALOG,
        addons=addons,
        in_force=Entitlements(3, 30),
        upcoming=UPCOMING,
        recent=[ISSUED],
        lang=lang,
        **kwargs,
    )
    result: dict[str, Any] = checked(view)  # validates Slack's limits
    return result


def home(addons: list[AddOn], lang: str = "de", **kwargs: Any) -> dict[str, Any]:
    """App Home as Slack receives it."""
    view = home_view(
        catalog=CATALOG,
        addons=addons,
        in_force=Entitlements(3, 30),
        upcoming=UPCOMING,
        recent=[ISSUED],
        lang=lang,
        **kwargs,
    )
    result: dict[str, Any] = checked(view)
    return result


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The one block with ``block_id`` in a view."""
    found: list[dict[str, Any]] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    assert len(found) == 1, block_id
    return found[0]


def texts(payload: Any) -> str:
    """Every "text" string in a view or message, joined: what a reader sees."""
    if isinstance(payload, dict):
        own = [payload["text"]] if isinstance(payload.get("text"), str) else []
        return "\n".join(own + [texts(v) for v in payload.values() if isinstance(v, dict | list)])
    if isinstance(payload, list):
        return "\n".join(texts(v) for v in payload)
    return ""


def row_ids(view: dict[str, Any]) -> list[int]:
    """The add-on ids of the table rows shown, in order."""
    return [
        int(b["block_id"].removeprefix("addon_"))
        for b in view["blocks"]
        if b.get("block_id", "").startswith("addon_")
    ]


def md(text: str) -> dict[str, str]:
    """A mrkdwn text object as a dict."""
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> dict[str, Any]:
    """A plain_text object as a dict."""
    return {"type": "plain_text", "text": text, "emoji": True}


def many(live: int, pending_count: int, ended_count: int) -> list[AddOn]:
    """Ended, then pending, then live add-ons: a workspace with hundreds of rows."""
    addons: list[AddOn] = []
    for i in range(ended_count):
        addons.append(ended(1000 + i, date(2020, 1, 17) + timedelta(days=7 * i)))
    for i in range(pending_count):
        addons.append(pending(500 + i))
    for i in range(live):
        addons.append(active(1 + i, booked_on=date(2026, 3, 18) + timedelta(days=i % 30)))
    return addons


# -- issue 20: documents with their terms (seller, buyer, VAT, payment) ----------------

SELLER = Seller(
    "CloudCRM GmbH",
    "Friedrichstraße 123",
    "10117",
    "Berlin",
    vat_id="DE123456788",
    iban="DE02120300000000202051",
    creditor_id="DE98ZZZ09999999999",
)
INVOICING = Invoicing(SELLER)
MANDATE = SepaMandate("M-1", "DE89370400440532013000", date(2026, 4, 1))
DETAILS = BillingDetails.checked(company="Muster GmbH", city="Berlin", country="DE")
WITH_MANDATE = replace(DETAILS, mandate=MANDATE)
REVERSE_CHARGE = BillingDetails.checked(company="Alt AG", country="AT", vat_id="ATU13585627")


def subscription(details: BillingDetails = DETAILS, plan: Plan | None = None) -> Subscription:
    """The sample workspace with these Rechnungsdaten (and Tarif)."""
    return Subscription("T1", SCHEDULE.anchor, details=details, plan=plan, slack_name="Acme")


def terms(details: BillingDetails = DETAILS, issued_on: date = NEXT.start) -> Terms:
    """The terms a document issued to ``details`` on ``issued_on`` has."""
    return INVOICING.terms(details, "Acme", "T1", issued_on)
