"""The ports the use cases own: a unit of work and its repositories, as Protocols.

The use cases in ``bot.services`` are typed against these and nothing else; ``storage``
implements them on SQLAlchemy Core (SQLite, PostgreSQL), and ``tests`` implements them
in memory. A unit of work is one transaction: nothing it changed is kept unless
``commit()`` was awaited before the ``async with`` block ends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar

if TYPE_CHECKING:  # Slack's client is imported where it is used: the CLI never needs it
    from slack_sdk.web.async_client import AsyncWebClient

from domain.addons import AddOn
from domain.corrections import Correction
from domain.invoices import Invoice, InvoiceLine
from domain.workspace import Subscription

# The key under which the Slack HTTP adapter puts an asyncio.Event into a request's
# context, set once the answer to Slack has been written (see handlers/answered.py).
ANSWERED = "addons_answered"


class Clock(Protocol):
    """Something that says what time it is (aware, UTC)."""

    def now(self) -> datetime: ...


class TeamClients(Protocol):
    """The client that speaks for one workspace; None if the app is not installed there."""

    async def for_team(self, team_id: str) -> AsyncWebClient | None: ...


# One client for every workspace (single-workspace mode), or each workspace's own.
Clients: TypeAlias = "AsyncWebClient | TeamClients"


class NotARecipient(Exception):
    """The message's recipient may no longer see prices and invoices (no longer an admin)."""


class StorageError(Exception):
    """The store cannot serve the request as it is; ``str()`` is one line saying why.

    The store maps its driver's errors to this (or to ``Busy``/``Conflict``; the store's
    own busy errors are both) before they leave it: no caller needs to know which
    database is behind the ports.
    """


class Busy(Exception):
    """The store could not serve the request in time (locks held elsewhere); nothing
    changed, and the same request may simply be tried again."""


class Conflict(Busy):
    """The store ended the transaction to keep concurrent writers apart (a deadlock or
    serialization failure); nothing changed, and re-running the whole use case will do."""


@dataclass(frozen=True)
class AuditEntry:
    """Who did what to which add-on, and when."""

    id: int
    team_id: str
    at: datetime
    actor: str
    action: str
    addon_id: int | None
    before_status: str | None
    after_status: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class OutboxMessage:
    """A message to deliver to Slack, stored with the change that caused it."""

    id: int
    team_id: str
    event_key: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    leased_until: datetime | None = None  # set by ``claim``: the lease this claim holds


# Turns a queued direct message into chat.postMessage's arguments (NotARecipient if its
# recipient may no longer read it).
Render = Callable[["OutboxMessage"], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class WebhookEvent:
    """An event for CloudCRM's webhook, stored with the change that caused it."""

    id: int
    team_id: str
    sequence: int  # gapless per workspace: the receiver orders and deduplicates by it
    webhook_id: str  # the Standard Webhooks message id, the same on every resend
    type: str
    body: str  # the exact JSON text that is signed and sent
    attempts: int
    created_at: datetime | None = None
    next_try_at: datetime | None = None
    sent_at: datetime | None = None
    failed_at: datetime | None = None
    last_error: str | None = None
    leased_until: datetime | None = None  # set by ``claim``: the lease this claim holds


@dataclass(frozen=True)
class RenderedFile:
    """One file of a document, as rendered: ``pdf``, ``xml`` or ``xrechnung``."""

    format: str
    filename: str
    content: bytes


@dataclass(frozen=True)
class StoredDocument:
    """One file of an invoice's or a correction's document, as stored once (GoBD)."""

    owner: str  # "invoice" or "correction"
    number: int
    team_id: str
    format: str
    filename: str
    content: bytes
    sha256: str  # hex digest of ``content``
    created_at: datetime


class DocumentRenderer(Protocol):
    """Makes the files of an invoice's or a correction's document (bot/adapters/documents)."""

    async def render(
        self, source: Invoice | Correction, sub: Subscription, corrected: Invoice | None
    ) -> tuple[RenderedFile, ...]:
        """Every file; ``corrected`` is the invoice a correction corrects."""
        ...


class DocumentLinks(Protocol):
    """Signed, expiring links to a stored document."""

    def url(self, owner: str, number: int, format: str, now: datetime) -> str: ...


class Subscriptions(Protocol):
    """Each workspace's subscription."""

    async def get(self, team_id: str) -> Subscription | None: ...

    async def add(self, sub: Subscription, now: datetime) -> None: ...

    async def save(self, sub: Subscription) -> None: ...

    async def page_after(self, after: str, limit: int) -> list[Subscription]:
        """A page of subscriptions in team-id order, for runs over every workspace."""
        ...


class AddOns(Protocol):
    """A workspace's add-ons."""

    async def get(self, team_id: str, addon_id: int) -> AddOn | None: ...

    async def newest_first(self, team_id: str) -> list[AddOn]: ...

    async def live(self, team_id: str) -> list[AddOn]:
        """Active add-ons and those with a cancellation pending, oldest first."""
        ...

    async def add(self, team_id: str, addon: AddOn, now: datetime) -> int:
        """Store a new add-on; return its id."""
        ...

    async def save(self, team_id: str, addon: AddOn) -> None: ...

    async def save_many(self, team_id: str, addons: list[AddOn]) -> None: ...

    async def count(self, team_id: str) -> int: ...


class Lines(Protocol):
    """The invoice ledger: drafts (no invoice yet) and invoiced lines."""

    async def for_addon(self, team_id: str, addon_id: int) -> list[InvoiceLine]: ...

    async def drafts(self, team_id: str) -> list[InvoiceLine]: ...

    async def for_invoice(self, number: int) -> list[InvoiceLine]: ...

    async def add(self, team_id: str, line: InvoiceLine) -> int:
        """Store a line; return its id."""
        ...

    async def add_many(self, team_id: str, lines: list[InvoiceLine]) -> None: ...

    async def delete_drafts(self, team_id: str, ids: tuple[int, ...]) -> None:
        """Delete these lines if they are still drafts (never an invoiced line)."""
        ...

    async def mark_invoiced(self, team_id: str, ids: list[int], number: int) -> None: ...


class Invoices(Protocol):
    """Issued consolidated invoices and the gapless number counter."""

    async def next_number(self) -> int:
        """The number the next invoice gets; taken only when ``add`` is committed."""
        ...

    async def add(self, invoice: Invoice, now: datetime) -> None:
        """Store the invoice header and advance the counter, in the same transaction."""
        ...

    async def newest_first(self, team_id: str, limit: int | None = None) -> list[Invoice]: ...

    async def get(self, number: int, team_id: str | None = None) -> Invoice | None:
        """One invoice by number; scoped to ``team_id`` when one is given."""
        ...


class Corrections(Protocol):
    """Issued Rechnungskorrekturen and their own gapless number counter."""

    async def next_number(self) -> int:
        """The number the next correction gets; taken only when ``add`` is committed."""
        ...

    async def add(self, correction: Correction, now: datetime) -> None:
        """Store the correction with its lines and advance its counter, in one transaction."""
        ...

    async def newest_first(self, team_id: str) -> list[Correction]: ...

    async def get(self, number: int, team_id: str | None = None) -> Correction | None:
        """One correction by number; scoped to ``team_id`` when one is given."""
        ...


class IdempotencyKeys(Protocol):
    """Which add-on a confirmation key already booked."""

    async def get(self, team_id: str, key: str) -> int | None: ...

    async def put(self, team_id: str, key: str, addon_id: int, now: datetime) -> None: ...


class InboundRequests(Protocol):
    """CloudCRM's requests already applied, by their webhook-id."""

    async def first_time(self, team_id: str, webhook_id: str, now: datetime) -> bool:
        """Remember ``webhook_id``; False if it was applied before (then nothing is stored)."""
        ...


class AuditLog(Protocol):
    """Who changed what, with the status before and after."""

    async def record(
        self,
        team_id: str,
        now: datetime,
        actor: str,
        action: str,
        addon_id: int | None = None,
        before: str | None = None,
        after: str | None = None,
        **detail: Any,
    ) -> None: ...

    async def newest_first(self, team_id: str) -> list[AuditEntry]: ...

    async def slack_actors(self, team_id: str) -> list[str]:
        """Slack user ids that have changed add-ons of this workspace."""
        ...


class Queued(Protocol):
    """What the delivery queue hands out: an item, its tries so far, the lease it holds."""

    @property
    def id(self) -> int: ...

    @property
    def attempts(self) -> int: ...

    @property
    def leased_until(self) -> datetime | None: ...


Item = TypeVar("Item", bound=Queued)


class DeliveryQueue(Protocol[Item]):
    """The one delivery queue: items written with the change that caused them, claimed
    with a lease by one sender at a time, and recorded once per claim.

    ``claim`` leases due items until ``until``: no other sender gets them before that
    (if their sender dies, they are due again then). What becomes of a claimed item is
    recorded with the item as claimed; a record whose lease was lost meanwhile (it ran
    out and another sender claimed the item) changes nothing and returns False.
    """

    async def due(self, now: datetime, limit: int = 50) -> list[Item]:
        """The items a claim at ``now`` would get, without claiming them."""
        ...

    async def claim(self, now: datetime, until: datetime, limit: int = 50) -> list[Item]:
        """Lease up to ``limit`` due items until ``until``, oldest first."""
        ...

    async def release(self, item: Item, now: datetime) -> bool:
        """Give a claimed item back unsent: due again at ``now``, for any sender."""
        ...

    async def mark_sent(self, item: Item, now: datetime) -> bool:
        """The claimed item was delivered."""
        ...

    async def retry_later(self, item: Item, at: datetime, error: str) -> bool:
        """Delivery of the claimed item failed for now: try again at ``at``."""
        ...

    async def mark_failed(self, item: Item, now: datetime, error: str) -> bool:
        """Delivery of the claimed item failed for good."""
        ...


class Outbox(DeliveryQueue[OutboxMessage], Protocol):
    """Direct messages waiting to be delivered to Slack (any order)."""

    async def add(
        self, team_id: str, event_key: str, kind: str, payload: dict[str, Any], now: datetime
    ) -> None:
        """Queue a message; the same event key is queued once, however often."""
        ...

    async def all(self, team_id: str) -> list[dict[str, Any]]: ...


class Events(DeliveryQueue[WebhookEvent], Protocol):
    """Events waiting for CloudCRM's webhook, each workspace's in order.

    An event is never due (nor claimed) while an earlier one of its workspace is pending
    (leased or waiting for a retry): each workspace's events go out in order.
    """

    async def next_sequence(self, team_id: str) -> int:
        """The sequence number the workspace's next event gets (1 for the first)."""
        ...

    async def add(
        self, team_id: str, sequence: int, webhook_id: str, type: str, body: str, now: datetime
    ) -> None:
        """Queue an event, due at once."""
        ...

    async def listing(self, failed_only: bool = False, limit: int = 100) -> list[WebhookEvent]:
        """Events newest first (only those given up with ``failed_only``)."""
        ...

    async def retry(self, event_ids: list[int] | None, now: datetime) -> int:
        """Make failed events due again (these, or every failed one); how many."""
        ...

    async def replay(self, team_id: str, since: int, now: datetime) -> int:
        """Queue the workspace's events from sequence ``since`` on again (same ids); how many."""
        ...


class Documents(Protocol):
    """The documents' bytes: each file written once, never changed, never deleted."""

    async def add(self, document: StoredDocument) -> None: ...

    async def get(self, owner: str, number: int, format: str) -> StoredDocument | None: ...


class UnitOfWork(Protocol):
    """One transaction over every repository; rolled back unless committed."""

    @property
    def subscriptions(self) -> Subscriptions: ...

    @property
    def addons(self) -> AddOns: ...

    @property
    def lines(self) -> Lines: ...

    @property
    def invoices(self) -> Invoices: ...

    @property
    def corrections(self) -> Corrections: ...

    @property
    def idempotency(self) -> IdempotencyKeys: ...

    @property
    def inbound(self) -> InboundRequests: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def events(self) -> Events: ...

    @property
    def documents(self) -> Documents: ...

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None:
        """Make every change of this unit of work durable at once (Busy if it cannot)."""
        ...


class UnitOfWorkSource(Protocol):
    """Hands out units of work: the use cases need nothing else of a store.

    A writer (``write=True``) holds the store's write lock for its whole transaction, so
    what it read stays true until it commits; a reader sees one consistent snapshot.
    """

    def unit_of_work(self, write: bool = True) -> UnitOfWork: ...


class FrontDoor(Protocol):
    """What the Slack HTTP adapter asks before Bolt sees a signed request, and the words
    of the answers it gives itself (the handlers implement it; bootstrap hands it in)."""

    def admit(self, body: Mapping[str, Any]) -> str | dict[str, Any] | None:
        """The request's one workspace; a polite answer instead if its team fields
        disagree (refused, nothing done); None if it names no workspace (Bolt's own)."""
        ...

    def busy(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """The answer when the store cannot be read: busy, nothing changed, try again."""
        ...

    def tell(self, body: Mapping[str, Any], text: str) -> dict[str, Any]:
        """``text`` as a valid answer to this kind of request."""
        ...
