"""What storage raises: the ports' ``StorageError``, ``Busy`` and ``Conflict``, and the
storage errors under them. Each engine's module maps its driver's errors to these
(``storage.sqlite.translate``, ``storage.postgres.translate``) before they leave storage:
no caller outside storage names a driver."""

from __future__ import annotations

from bot.ports import Busy, Conflict, StorageError


class SchemaNotCurrent(StorageError):
    """The database's schema is not the one this app writes; only `migrate` changes it."""


class SchemaTooNew(SchemaNotCurrent):
    """The file was written by a newer version of the app than this one."""


class SchemaBehind(SchemaNotCurrent):
    """The database is at an older schema: `addons-bot migrate` brings it up to date."""


class SchemaMissing(SchemaNotCurrent):
    """The database is empty and the command only reads: nothing to read yet."""


class StorageUnavailable(StorageError):
    """The database server cannot be reached, or refuses this app (credentials, name)."""


class StorageBusy(StorageError, Busy):
    """Another process held the database lock for longer than the busy timeout."""


class StorageConflict(StorageBusy, Conflict):
    """PostgreSQL ended the transaction as a deadlock or serialization failure."""


def one_line(error: BaseException) -> str:
    """A driver's error as one line: its message with every run of whitespace one space
    (PostgreSQL's carry DETAIL and HINT lines), or its type's name if it has none."""
    return " ".join(str(error).split()) or type(error).__name__


__all__ = [
    "SchemaTooNew",
    "StorageBusy",
    "StorageConflict",
    "StorageError",
    "StorageUnavailable",
    "one_line",
]
