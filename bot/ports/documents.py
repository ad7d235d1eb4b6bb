"""An invoice's document: rendered once, stored byte for byte, linked for CloudCRM."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # Slack's client is imported where it is used: the CLI never needs it
    pass

from domain.corrections import Correction
from domain.invoices import Invoice
from domain.workspace import Subscription


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


class Documents(Protocol):
    """The documents' bytes: each file written once, never changed, never deleted."""

    async def add(self, document: StoredDocument) -> None: ...

    async def get(self, owner: str, number: int, format: str) -> StoredDocument | None: ...
