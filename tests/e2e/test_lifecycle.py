"""The data lifecycle through the CLI as a process, on SQLite and on PostgreSQL: a
workspace's export, its erasure (no Slack user id left in any column of any table,
invoices and corrections kept, a second erase changes nothing) and the retention job."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Select, select

from bot.ports import StoredDocument
from storage import Database
from storage.tables import corrections, invoices
from tests import postgres
from tests.e2e.lifecycle_world import (
    PEOPLE_A,
    PSEUDONYM_KEY,
    cells_naming,
    cli,
    populate,
    rows_of_every_table,
)
from tests.e2e.test_cli import recent_anchor
from tests.slack.installing import ADMIN_B, KEY, TEAM_A, TEAM_B

KEYED = {"ADDONS_PSEUDONYM_KEY": PSEUDONYM_KEY}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of this test's own: a SQLite file or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "addons.db")
        return
    with postgres.fresh_database() as url:
        yield url


async def store_documents(database: str, team: str) -> None:
    """A PDF for each of the workspace's invoices and corrections, as the document job
    stores them once (GoBD)."""
    db = Database(database, pool_size=1)
    await db.open()
    try:
        async with db.unit_of_work() as uow:
            kinds = (("invoice", invoices), ("correction", corrections))
            for owner, source in kinds:
                query = select(source.c.number).where(source.c.team_id == team)
                for number in await numbers_of(db, query):
                    content = f"%PDF-1.7 {owner} {number}".encode()
                    await uow.documents.add(
                        StoredDocument(
                            owner,
                            number,
                            team,
                            "pdf",
                            f"{owner}-{number}.pdf",
                            content,
                            hashlib.sha256(content).hexdigest(),
                            datetime.now(UTC),
                        )
                    )
            await uow.commit()
    finally:
        await db.close()


async def numbers_of(db: Database, query: Select[Any]) -> list[int]:
    async with db.engine.connect() as conn:
        return [int(n) for n in (await conn.execute(query)).scalars()]


async def test_erasing_a_workspace_leaves_no_slack_user_id_and_keeps_its_invoices(
    database: str,
) -> None:
    await populate(database, KEY)
    await store_documents(database, TEAM_A)
    before = await rows_of_every_table(database)
    assert cells_naming(before, PEOPLE_A)  # the people really are in there
    invoices = cli(database, "invoices", "list", TEAM_A, "--json")
    assert invoices.returncode == 0, invoices.stderr
    assert "K-" in invoices.stdout or "correction" in invoices.stdout

    done = cli(database, "workspace", "erase", TEAM_A, "--by", "ops", **KEYED)
    assert done.returncode == 0, done.stderr
    assert f"Erased 2 person(s) of {TEAM_A}" in done.stdout

    after = await rows_of_every_table(database)
    assert cells_naming(after, PEOPLE_A) == []
    assert cells_naming(after, (ADMIN_B,))  # another workspace's people are untouched
    for kept in ("invoices", "invoice_lines", "corrections", "correction_lines", "documents"):
        assert after[kept] == before[kept]
    # the invoice's and the correction's documents are kept and still verify (GoBD)
    stored = [row for row in after["documents"] if row[3] == TEAM_A]
    assert {row[1] for row in stored} == {"invoice", "correction"}
    assert all(hashlib.sha256(bytes(row[6])).hexdigest() == row[7] for row in stored)
    assert cli(database, "invoices", "list", TEAM_A, "--json").stdout == invoices.stdout
    log = json.loads(cli(database, "audit", TEAM_A, "--json").stdout)
    assert log[0]["action"] == "personal_data_erased"
    assert log[0]["actor"] == "operator:ops"

    again = cli(database, "workspace", "erase", TEAM_A, "--by", "ops", **KEYED)
    assert again.returncode == 0, again.stderr
    assert "Nothing left to erase" in again.stdout
    assert await rows_of_every_table(database) == after


async def test_an_installed_workspace_is_not_erased_and_the_reason_is_given(
    database: str,
) -> None:
    await populate(database, KEY)
    before = await rows_of_every_table(database)
    refused = cli(database, "workspace", "erase", TEAM_B, "--by", "ops", **KEYED)
    assert refused.returncode == 2
    assert "still has the app installed" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert await rows_of_every_table(database) == before


async def test_erasing_one_person_names_the_pseudonym_not_the_person(database: str) -> None:
    await populate(database, KEY)
    done = cli(database, "user", "erase", TEAM_A, PEOPLE_A[1], "--by", "ops", **KEYED)
    assert done.returncode == 0, done.stderr
    after = await rows_of_every_table(database)
    assert cells_naming(after, (PEOPLE_A[1],)) == []
    assert cells_naming(after, (PEOPLE_A[0],))  # the other person stays
    again = cli(database, "user", "erase", TEAM_A, PEOPLE_A[1], "--by", "ops", **KEYED)
    assert "Nothing left to erase" in again.stdout
    assert await rows_of_every_table(database) == after


async def test_the_export_holds_every_table_of_the_workspace_and_no_token(
    database: str, tmp_path: Path
) -> None:
    await populate(database, KEY)
    out = tmp_path / "export.json"
    done = cli(database, "workspace", "export", TEAM_A, "--out", str(out))
    assert done.returncode == 0, done.stderr
    exported = json.loads(out.read_text(encoding="utf-8"))
    tables = exported["tables"]
    assert tables["subscriptions"][0]["billing_admins"] == PEOPLE_A[1]
    assert tables["invoices"]
    assert tables["corrections"]
    assert tables["correction_lines"]
    assert {row["team_id"] for rows in tables.values() for row in rows} == {TEAM_A}
    assert all("bot_token" not in row for row in tables["slack_installations"])
    assert "xoxb" not in out.read_text(encoding="utf-8")
    assert any(e["actor"] == PEOPLE_A[0] for e in tables["audit_log"])


async def test_the_retention_job_purges_delivered_messages_and_erases_the_uninstalled(
    database: str,
) -> None:
    await populate(database, KEY)
    before = await rows_of_every_table(database)
    assert any(row for row in before["outbox"])
    done = cli(database, "retention", "run", "--json", **KEYED)
    assert done.returncode == 0, done.stderr
    purged = json.loads(done.stdout)
    assert purged["dms"] >= 2
    assert purged["erased_workspaces"] == 1
    after = await rows_of_every_table(database)
    assert cells_naming(after, PEOPLE_A) == []
    assert after["invoices"] == before["invoices"]  # kept for 8 years
    again = json.loads(cli(database, "retention", "run", "--json", **KEYED).stdout)
    assert set(again.values()) == {0}
    assert await rows_of_every_table(database) == after


async def test_a_workspace_with_running_add_ons_is_not_erased(database: str) -> None:
    assert cli(database, "migrate").returncode == 0
    made = cli(database, "workspace", "set", "T0RUNNING1", "--anchor", recent_anchor().isoformat())
    assert made.returncode == 0, made.stderr
    booked = cli(database, "addons", "book", "T0RUNNING1", "users", "1", "--by", "ops")
    assert booked.returncode == 0, booked.stderr
    before = await rows_of_every_table(database)
    refused = cli(database, "workspace", "erase", "T0RUNNING1", "--by", "ops", **KEYED)
    assert refused.returncode == 2
    assert "has 1 running add-on(s)" in refused.stderr
    assert await rows_of_every_table(database) == before
