"""The ports of ``bot.ports`` in memory, with real transaction semantics, for fast tests."""

from __future__ import annotations

from tests.fakes.memory.store import MemoryStore, MemoryUnitOfWork, NotInTransaction
from tests.fakes.memory.tables import IntegrityError

__all__ = ["IntegrityError", "MemoryStore", "MemoryUnitOfWork", "NotInTransaction"]
