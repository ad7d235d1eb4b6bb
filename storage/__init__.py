"""The ports of ``bot.ports`` implemented on a database, with SQLAlchemy Core."""

from storage.database import Database
from storage.errors import (
    SchemaBehind,
    SchemaMissing,
    SchemaNotCurrent,
    SchemaTooNew,
    StorageBusy,
    StorageConflict,
    StorageError,
    StorageUnavailable,
)
from storage.urls import UnsupportedDatabase

__all__ = [
    "Database",
    "SchemaBehind",
    "SchemaMissing",
    "SchemaNotCurrent",
    "SchemaTooNew",
    "StorageBusy",
    "StorageConflict",
    "StorageError",
    "StorageUnavailable",
    "UnsupportedDatabase",
]
