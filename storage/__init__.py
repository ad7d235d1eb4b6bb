"""The ports of ``bot.ports`` implemented on a database."""

from storage.sqlite import Database, SchemaTooNew, StorageError

__all__ = ["Database", "SchemaTooNew", "StorageError"]
