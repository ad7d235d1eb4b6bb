"""Every use-case test here runs once per store: in memory, and on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.stores import STORES, Store, open_store


@pytest.fixture(params=STORES)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A fresh, empty store of each kind in turn (ids: memory, sqlite)."""
    async with open_store(request.param, tmp_path) as opened:
        yield opened
