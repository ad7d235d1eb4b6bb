"""What storage raises: errors of its own and the port's ``Busy``."""

from __future__ import annotations

from bot.ports import Busy, Conflict


class StorageError(Exception):
    """The database cannot serve the request as it is."""


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
