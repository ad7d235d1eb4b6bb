"""The documents' bytes on SQLAlchemy Core: written once, read back byte for byte (GoBD)."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select

from bot.ports import StoredDocument
from storage.repositories import Repository
from storage.tables import documents

_d = documents
_GET = select(
    _d.c.owner,
    _d.c.number,
    _d.c.team_id,
    _d.c.format,
    _d.c.filename,
    _d.c.content,
    _d.c.sha256,
    _d.c.created_at,
).where(
    _d.c.owner == bindparam("owner"),
    _d.c.number == bindparam("number"),
    _d.c.format == bindparam("format"),
)
_INSERT = insert(_d)


class Documents(Repository):
    """Each issued invoice's and correction's files; there is no update and no delete."""

    async def add(self, document: StoredDocument) -> None:
        """Store one file of one document (its owner, number and format are unique)."""
        await self._x.write(
            _INSERT,
            {
                "owner": document.owner,
                "number": document.number,
                "team_id": document.team_id,
                "format": document.format,
                "filename": document.filename,
                "content": document.content,
                "sha256": document.sha256,
                "created_at": document.created_at,
            },
        )

    async def get(self, owner: str, number: int, format: str) -> StoredDocument | None:
        """One stored file, or None if it was never made."""
        row = await self._one(_GET, {"owner": owner, "number": number, "format": format})
        if row is None:
            return None
        owner, number, team_id, format, filename, content, sha256, created_at = row
        return StoredDocument(
            owner, number, team_id, format, filename, bytes(content), sha256, created_at
        )
