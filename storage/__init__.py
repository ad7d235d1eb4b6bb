"""The ports of ``bot.ports`` implemented on a database, with SQLAlchemy Core."""

from storage.database import Database
from storage.errors import SchemaTooNew, StorageBusy, StorageError, StorageUnavailable
from storage.urls import UnsupportedDatabase

__all__ = [
    "Database",
    "SchemaTooNew",
    "StorageBusy",
    "StorageError",
    "StorageUnavailable",
    "UnsupportedDatabase",
]
