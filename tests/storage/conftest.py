"""Fixtures for storage tests: a real database, opened and migrated, on each engine.

``db`` runs every test three ways: a SQLite file through the fast path, the same through
SQLAlchemy's own execution path, and a PostgreSQL database of the test's own through
its fast path (as the app runs; its fallback: ``test_fast_path.py``).
``db_path`` names where that database is (a file path, or a ``postgresql://`` URL), so
a test may open more connections to it or read it past the app (``helpers.snapshot``).
Tests about the SQLite file itself (migrating files, legacy files) use ``sqlite_path``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot import services
from storage import Database
from tests import postgres
from tests.sqlite_template import migrated_copy
from tests.storage.helpers import ANCHOR, TEAM, at

ENGINES = ["fast-path", "sqlalchemy-path", "postgres"]


@pytest.fixture
def sqlite_path(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet."""
    return str(tmp_path / "addons.db")


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """How the test's database runs: SQLite fast path, SQLite via SQLAlchemy, PostgreSQL."""
    name: str = request.param
    return name


@pytest.fixture
def db_path(engine: str, sqlite_path: str) -> Iterator[str]:
    """Where the test's database is: a SQLite file, or a fresh PostgreSQL database."""
    if engine != "postgres":
        yield sqlite_path
        return
    with postgres.fresh_database() as url:
        yield url


@pytest.fixture
async def db(db_path: str, engine: str) -> AsyncIterator[Database]:
    """The app's database; every test runs on each engine and way of executing."""
    if engine != "postgres":
        migrated_copy(db_path)  # what opening a new file would migrate it to, copied
    database = Database(db_path, fast_path=engine != "sqlalchemy-path")
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
