"""Fixtures for storage tests: real SQLite files in tmp_path, opened and migrated."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import services
from storage import Database
from tests.storage.helpers import ANCHOR, TEAM, at


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "addons.db")


@pytest.fixture(params=[True, False], ids=["fast-path", "sqlalchemy-path"])
async def db(db_path: str, request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    """The app's database; every test runs on both ways of executing statements."""
    database = Database(db_path, fast_path=request.param)
    await database.open()
    yield database
    await database.close()


@pytest.fixture
def ctx(db: Database) -> services.Context:
    return services.Context(db)


@pytest.fixture
async def workspace(ctx: services.Context) -> str:
    """TEAM, anchored on 18.03.2026 and set up on that day."""
    await services.set_workspace(ctx, TEAM, ANCHOR, at("2026-03-18"))
    return TEAM
