"""Files made by the app before SQLAlchemy and Alembic (commit 080df8c) are upgraded in
place, every row read back as that app read it; files of a newer app are left alone."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from storage import Database, SchemaBehind, SchemaTooNew, migrations
from storage.database import migrate
from storage.tables import metadata
from tests.storage.fixtures.legacy import TEAMS, dump

# The revisions after the ones the legacy files knew: they apply on top.
LATER = migrations.names()[2:]

FIXTURES = Path(__file__).parent / "fixtures"


def copy(name: str, tmp_path: Path) -> str:
    target = tmp_path / f"{name}.sqlite3"
    shutil.copyfile(FIXTURES / f"{name}.sqlite3", target)
    return str(target)


def contents(path: str) -> bytes:
    return Path(path).read_bytes()


def expected(name: str) -> object:
    return json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))


def revision_of(path: str) -> tuple[int, list[tuple[str, ...]]]:
    with sqlite3.connect(path) as conn:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        stamped = [tuple(r) for r in conn.execute("SELECT version_num FROM alembic_version")]
    return version, stamped


@pytest.mark.parametrize(
    ("name", "applied"),
    [("legacy_v1", migrations.names()[1:]), ("legacy_v2", migrations.names()[2:])],
)
async def test_a_file_of_the_app_before_alembic_is_upgraded_with_every_row_intact(
    tmp_path: Path,
    name: str,
    applied: list[str],
) -> None:
    path = copy(name, tmp_path)
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == int(name[-1])
        assert "alembic_version" not in {
            r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    db = Database(path)
    assert await db.open(run_migrations=True) == applied
    try:
        async with db.unit_of_work(write=False) as uow:
            found = await dump(uow, outbox=name == "legacy_v2")
    finally:
        await db.close()
    assert found == expected(name)
    newest = migrations.revisions()[-1].id
    assert revision_of(path) == (migrations.head(), [(newest,)])


async def test_an_upgraded_file_opens_again_without_migrating_and_takes_new_rows(
    tmp_path: Path,
) -> None:
    path = copy("legacy_v1", tmp_path)
    await migrate(path)
    db = Database(path)
    assert await db.open() == []
    try:
        async with db.unit_of_work() as uow:
            await uow.outbox.add(
                TEAMS[0], "new", "invoice_issued", {"n": 1}, datetime(2026, 5, 1, tzinfo=UTC)
            )
            await uow.commit()
        async with db.unit_of_work(write=False) as uow:
            assert [
                m.event_key for m in await uow.outbox.due(datetime(2026, 5, 1, tzinfo=UTC))
            ] == ["new"]
    finally:
        await db.close()


async def test_instants_written_with_an_offset_compare_as_instants_after_the_upgrade(
    tmp_path: Path,
) -> None:
    """The waiting message of the v2 file was due at 11:00 in Berlin (09:00 UTC)."""
    path = copy("legacy_v2", tmp_path)
    await migrate(path)
    async with Database(path) as db, db.unit_of_work(write=False) as uow:
        before = await uow.outbox.due(datetime(2026, 4, 26, 8, 59, tzinfo=UTC))
        after = await uow.outbox.due(datetime(2026, 4, 26, 9, 0, tzinfo=UTC))
    assert [m.kind for m in after] == ["invoice_issued"]
    assert before == []


@pytest.mark.parametrize("newer", ["user_version", "revision"])
async def test_a_file_of_a_newer_schema_is_refused_and_nothing_is_written(
    tmp_path: Path,
    newer: str,
) -> None:
    path = copy("legacy_v2", tmp_path)
    if newer == "user_version":
        with sqlite3.connect(path) as raw:
            raw.execute(f"PRAGMA user_version = {migrations.head() + 1}")
    else:
        await migrate(path)
        with sqlite3.connect(path) as raw:
            raw.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    raw.close()
    before = contents(path)
    with pytest.raises(SchemaTooNew, match="upgrade the app"):
        await Database(path).open()
    with pytest.raises(SchemaTooNew, match="upgrade the app"):
        await Database(path).open(run_migrations=True)
    assert contents(path) == before


def test_the_migrated_schema_is_the_declared_one(tmp_path: Path) -> None:
    path = str(tmp_path / "fresh.sqlite3")
    import asyncio

    from storage.database import migrate

    assert asyncio.run(migrate(path)) == migrations.names()
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


async def test_a_file_before_alembic_is_refused_unless_migrated_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    path = copy("legacy_v2", tmp_path)
    before = contents(path)
    with pytest.raises(SchemaBehind, match="run `addons-bot migrate`"):
        await Database(path).open()
    assert contents(path) == before
