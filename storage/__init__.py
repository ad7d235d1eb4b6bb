"""The ports of ``bot.ports`` implemented on a database, with SQLAlchemy Core."""

from storage.database import Database
from storage.errors import (
    SchemaTooNew,
    StorageBusy,
    StorageConflict,
    StorageError,
    StorageUnavailable,
)
from storage.urls import UnsupportedDatabase

__all__ = [
    "Database",
    "SchemaTooNew",
    "StorageBusy",
    "StorageConflict",
    "StorageError",
    "StorageUnavailable",
    "UnsupportedDatabase",
]
