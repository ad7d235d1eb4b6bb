"""The unit of work and its repositories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # Slack's client is imported where it is used: the CLI never needs it
    pass

from bot.ports.documents import Documents
from bot.ports.queue import Events, Outbox
from domain.addons import AddOn
from domain.corrections import Correction
from domain.invoices import Invoice, InvoiceLine
from domain.workspace import Subscription


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

    async def live_totals(self, team_id: str) -> list[AddOn]:
        """The live add-ons summed per option, booking day, status and end dates (what
        decides whether they count on a day), each group one add-on of id 0."""
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

    async def claim_workspace(self, team_id: str) -> bool:
        """Hold the workspace ``team_id`` for this writer, without waiting: False at once
        if another transaction holds it now (then nothing is held, and a run over many
        workspaces may pass it over). Call it before anything else about the workspace."""
        ...

    async def commit(self) -> None:
        """Make every change of this unit of work durable at once (Busy if it cannot)."""
        ...


class UnitOfWorkSource(Protocol):
    """Hands out units of work: the use cases need nothing else of a store.

    A writer (``write=True``) holds the store's write lock for its whole transaction, so
    what it read stays true until it commits; a reader sees one consistent snapshot.
    """

    def unit_of_work(self, write: bool = True) -> UnitOfWork: ...
