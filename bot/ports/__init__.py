"""The ports the use cases own: a unit of work and its repositories, as Protocols.

The use cases in ``bot.services`` are typed against these and nothing else; ``storage``
implements them on SQLAlchemy Core (SQLite, PostgreSQL), and ``tests`` implements them
in memory. A unit of work is one transaction: nothing it changed is kept unless
``commit()`` was awaited before the ``async with`` block ends.
"""

from __future__ import annotations

from bot.ports.documents import (
    DocumentLinks,
    DocumentRenderer,
    Documents,
    RenderedFile,
    StoredDocument,
)
from bot.ports.errors import Busy, Conflict, StorageError
from bot.ports.queue import DeliveryQueue, Events, Item, Outbox, OutboxMessage, Queued, WebhookEvent
from bot.ports.slack import ANSWERED, Clients, Clock, FrontDoor, NotARecipient, Render, TeamClients
from bot.ports.store import (
    AddOns,
    AuditEntry,
    AuditLog,
    Corrections,
    IdempotencyKeys,
    InboundRequests,
    Invoices,
    Lines,
    Subscriptions,
    UnitOfWork,
    UnitOfWorkSource,
)

__all__ = [
    "ANSWERED",
    "AddOns",
    "AuditEntry",
    "AuditLog",
    "Busy",
    "Clients",
    "Clock",
    "Conflict",
    "Corrections",
    "DeliveryQueue",
    "DocumentLinks",
    "DocumentRenderer",
    "Documents",
    "Events",
    "FrontDoor",
    "IdempotencyKeys",
    "InboundRequests",
    "Invoices",
    "Item",
    "Lines",
    "NotARecipient",
    "Outbox",
    "OutboxMessage",
    "Queued",
    "Render",
    "RenderedFile",
    "StorageError",
    "StoredDocument",
    "Subscriptions",
    "TeamClients",
    "UnitOfWork",
    "UnitOfWorkSource",
    "WebhookEvent",
]
