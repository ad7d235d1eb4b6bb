"""Readiness of a real `serve` process whose ADDONS_DATABASE is a PostgreSQL URL.

The server is shared with every other test: only this test's database is made to refuse
connections (``ALLOW_CONNECTIONS false`` and its sessions ended), never the server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from storage import migrations
from tests import postgres
from tests.e2e.ops_serve import environment, free_port, logged, started
from tests.e2e.test_ops import samples, value
from tests.slack.mock_slack import MockSlack

PASSWORD = "probe-pw-never-shown"


def with_password(url: str) -> tuple[str, str]:
    """The URL with a password (the tests' servers trust the user and ignore it), and it."""
    parsed = make_url(url)
    password = str(parsed.password) if parsed.password else PASSWORD
    return parsed.set(password=password).render_as_string(hide_password=False), password


async def as_superuser(*statements: str) -> None:
    """Run statements on the server's maintenance database as the tests' admin user."""
    conn = await asyncpg.connect(postgres.require_server().url, timeout=10)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@asynccontextmanager
async def refusing_connections(url: str) -> AsyncIterator[str]:
    """While inside: the database takes no new connection and has lost every session."""
    name = make_url(url).database
    assert name is not None
    assert name.startswith(postgres.PREFIX)  # this test's own database, never another
    await as_superuser(
        f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{name}' AND pid <> pg_backend_pid()",
    )
    try:
        yield name
    finally:
        await as_superuser(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


async def test_readiness_on_postgresql_is_503_while_its_database_refuses_connections(
    slack_mock: MockSlack, postgres_url: str, tmp_path: Path
) -> None:
    database, password = with_password(postgres_url)
    port = free_port()
    async with started("serve", environment(slack_mock, database, port), port, tmp_path) as process:
        assert await process.get("/readyz") == (200, "ok")
        async with refusing_connections(postgres_url) as name:
            status, reason = await process.get("/readyz")
            assert status == 503
            assert reason == "database unreachable\n"  # no host, port or driver's words
            assert await logged(
                process,
                f'not ready: the database cannot be reached: database "{name}" '
                "is not currently accepting connections",
            )
            assert await process.get("/healthz") == (200, "ok")  # alive all the same
        assert await process.get("/readyz") == (200, "ok")
    assert password not in "".join(process.stderr)


async def test_metrics_on_postgresql_read_the_outbox_backlog_and_count_a_refused_scrape(
    slack_mock: MockSlack, postgres_url: str, tmp_path: Path
) -> None:
    port = free_port()
    async with started("serve", environment(slack_mock, postgres_url, port), port, tmp_path) as p:
        status, exposition = await p.get("/metrics")
        assert status == 200
        found = samples(exposition)
        assert ("addons_outbox_backlog", frozenset()) in found
        assert value(found, "addons_metrics_store_errors_total") == 0
        async with refusing_connections(postgres_url):
            _, exposition = await p.get("/metrics")
        assert value(samples(exposition), "addons_metrics_store_errors_total") == 1


async def test_readiness_on_postgresql_names_a_schema_behind_the_current_migration(
    slack_mock: MockSlack, postgres_url: str, tmp_path: Path
) -> None:
    known = migrations.revisions()
    port = free_port()
    async with started("serve", environment(slack_mock, postgres_url, port), port, tmp_path) as p:
        assert await p.get("/readyz") == (200, "ok")
        previous = known[-2]  # as if a release had been rolled out before its migrate
        await postgres.fetch(
            postgres_url, "UPDATE alembic_version SET version_num = $1 RETURNING 1", previous.id
        )
        assert await p.get("/readyz") == (
            503,
            f"the database is at schema version {previous.number}, behind this app's "
            f"{len(known)}: run `addons-bot migrate` (the release phase) first\n",
        )
        await postgres.fetch(
            postgres_url, "UPDATE alembic_version SET version_num = $1 RETURNING 1", known[-1].id
        )
        assert await p.get("/readyz") == (200, "ok")
