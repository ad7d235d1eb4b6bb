"""The documents' bytes in memory: each (owner, number, format) written once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.ports import StoredDocument
from tests.fakes.memory.tables import IntegrityError

if TYPE_CHECKING:
    from tests.fakes.memory.store import MemoryUnitOfWork


class Documents:
    """Stored documents; adding one twice breaks the unique key, as in the database."""

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    async def add(self, document: StoredDocument) -> None:
        """Store one file of one document."""
        key = (document.owner, document.number, document.format)
        rows = self._uow.write().documents
        if key in rows:
            raise IntegrityError(f"document {key} exists")
        rows[key] = document

    async def get(self, owner: str, number: int, format: str) -> StoredDocument | None:
        """One stored file, or None."""
        return self._uow.read().documents.get((owner, number, format))
