"""The one delivery queue behind Slack direct messages and CloudCRM events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:  # Slack's client is imported where it is used: the CLI never needs it
    pass


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
