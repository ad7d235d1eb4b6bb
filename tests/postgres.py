"""The PostgreSQL server the tests use, found once per session, and a fresh database each.

Where the server comes from, first that answers:
1. ``ADDONS_TEST_POSTGRES_URL`` (a ``postgresql://`` URL of a user that may create
   databases);
2. the local server at 127.0.0.1:5432, user ``postgres``, trust authentication;
3. a throwaway cluster made with the installed PostgreSQL binaries (``initdb`` refuses
   root, so it runs as the ``postgres`` user then), stopped when the tests end.
Else the PostgreSQL tests are skipped, and the session's summary says so in one line;
with ``ADDONS_REQUIRE_POSTGRES=1`` (set by .ci/run) they fail instead.

Every test gets a database of its own: a copy of a template migrated once per session
(``CREATE DATABASE ... TEMPLATE``), emptied back to the template's rows when the test is
done and handed to the next test (emptying takes tens of milliseconds, a copy hundreds
on a busy machine). Every database is dropped when the tests end: nothing stays behind.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import make_url

URL_VARIABLE = "ADDONS_TEST_POSTGRES_URL"
REQUIRE_VARIABLE = "ADDONS_REQUIRE_POSTGRES"
LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BINARIES = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/usr/pgsql-*/bin")
PREFIX = f"addons_test_{os.getpid()}_"
TEMPLATE = f"addons_template_{os.getpid()}"

T = TypeVar("T")


@dataclass
class Server:
    """A server the tests may create databases on (``url`` names its maintenance db)."""

    url: str
    how: str  # where it came from, for the session's summary


_lock = threading.Lock()
_found: list[Server | None] = []
_problem: list[str] = []
_template_ready: list[bool] = []
_counter = itertools.count(1)
_runner = ThreadPoolExecutor(1, thread_name_prefix="postgres-admin")


def _run(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run an admin coroutine to its end in a thread of its own (callers may be inside
    an event loop already, or not)."""
    return _runner.submit(asyncio.run, make()).result()


async def _answers(url: str) -> bool:
    try:
        conn = await asyncpg.connect(url, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _binaries() -> str | None:
    for pattern in BINARIES:
        for folder in sorted(glob.glob(pattern), reverse=True):
            if os.path.exists(os.path.join(folder, "initdb")):
                return folder
    return None


def _throwaway_cluster() -> Server | None:
    """initdb and start a cluster in a temporary folder; stop and remove it at exit."""
    folder = _binaries()
    if folder is None:
        _problem.append("no PostgreSQL binaries found for a throwaway cluster")
        return None
    home = tempfile.mkdtemp(prefix="addons-pg-")
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to postgres
        if shutil.which("runuser") is None:
            _problem.append("running as root without runuser to become postgres")
            return None
        shutil.chown(home, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = os.path.join(home, "data"), _free_port()
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -F"
    try:
        subprocess.run(
            [*as_user, f"{folder}/initdb", "-D", data, "-A", "trust", "-U", "postgres"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [*as_user, f"{folder}/pg_ctl", "-D", data, "-o", options, "-w", "start"],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as error:
        _problem.append(f"the throwaway cluster did not start: {error}")
        shutil.rmtree(home, ignore_errors=True)
        return None

    def stop() -> None:
        subprocess.run(
            [*as_user, f"{folder}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(home, ignore_errors=True)

    atexit.register(stop)
    return Server(f"postgresql://postgres@127.0.0.1:{port}/postgres", "a throwaway cluster")


def _discover() -> Server | None:
    given = os.environ.get(URL_VARIABLE, "").strip()
    if given:
        if _run(lambda: _answers(given)):
            return Server(given, URL_VARIABLE)
        _problem.append(f"{URL_VARIABLE} does not answer")
        return None
    if _run(lambda: _answers(LOCAL_URL)):
        return Server(LOCAL_URL, "the local server at 127.0.0.1:5432")
    return _throwaway_cluster()


def server() -> Server | None:
    """The session's server, found on first use; None if there is none."""
    with _lock:
        if not _found:
            _found.append(_discover())
        return _found[0]


def required() -> bool:
    """Whether a missing server is a failure (CI) rather than a skip."""
    return os.environ.get(REQUIRE_VARIABLE, "") not in ("", "0")


def summary() -> str | None:
    """One line for the session's summary, once the PostgreSQL tests asked for a server."""
    if not _found:
        return None
    found = _found[0]
    if found is None:
        reason = "; ".join(_problem) or "no server"
        return f"PostgreSQL tests skipped: no server ({reason}); see tests/postgres.py"
    return f"PostgreSQL tests ran on {found.how}"


def require_server() -> Server:
    """The server, or skip (fail, with ADDONS_REQUIRE_POSTGRES=1) the calling test."""
    found = server()
    if found is None:
        reason = "; ".join(_problem) or "no server"
        message = f"no PostgreSQL server for the tests ({reason})"
        if required():
            pytest.fail(f"{message}, and {REQUIRE_VARIABLE} is set")
        pytest.skip(message)
    return found


async def _admin(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@dataclass
class _Template:
    """The migrated template: its tables in an order safe to empty, and its rows."""

    tables: list[str]  # those referring to others first
    rows: dict[str, list[tuple[Any, ...]]]  # what migrating put in (the invoice counter)
    revision: str | None
    sequences: list[str]


_template: list[_Template] = []
_spare: list[str] = []  # emptied databases, ready for the next test


async def _read_template(url: str) -> _Template:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        names = [
            r[0]
            for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        refs = await conn.fetch(
            "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text "
            "FROM pg_constraint c WHERE c.contype = 'f'"
        )
        rows = {n: [tuple(r) for r in await conn.fetch(f"SELECT * FROM {n}")] for n in names}
        sequences = [
            r[0]
            for r in await conn.fetch(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
            )
        ]
    finally:
        await conn.close()
    revision = rows.pop("alembic_version", [(None,)])[0][0]
    parents: dict[str, set[str]] = {n: set() for n in rows}
    for child, parent in refs:
        if child in parents and parent != child:
            parents[child].add(parent)
    ordered: list[str] = []
    while parents:  # children before the tables they refer to
        leaves = sorted(n for n in parents if not any(n in p for p in parents.values()))
        if not leaves:  # a cycle: leave the rest to the database to refuse
            leaves = sorted(parents)
        ordered.extend(leaves)
        for leaf in leaves:
            del parents[leaf]
    return _Template(ordered, {n: r for n, r in rows.items() if r}, revision, sequences)


def _migrate_template(found: Server) -> _Template:
    """Create and migrate this session's template database, once."""
    from storage.database import migrate

    with _lock:
        if _template:
            return _template[0]
        _run(lambda: _admin(found.url, f"DROP DATABASE IF EXISTS {TEMPLATE}"))
        _run(lambda: _admin(found.url, f"CREATE DATABASE {TEMPLATE}"))
        atexit.register(_drop_quietly, found.url, TEMPLATE)
        url = _with_database(found.url, TEMPLATE)
        _run(lambda: migrate(url))
        _template.append(_run(lambda: _read_template(url)))
        return _template[0]


def _drop_quietly(url: str, name: str) -> None:
    # At exit: no event loop runs any more, and the admin thread is shut down already.
    with contextlib.suppress(Exception):
        asyncio.run(_admin(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


async def _empty(url: str, template: _Template) -> bool:
    """Bring a used database back to the template's state; False if it cannot be."""
    name = make_url(url).database
    conn = await asyncpg.connect(url, timeout=10)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        )
        expected = sorted([*template.tables, "alembic_version"])
        if [r[0] for r in tables] != expected:
            return False
        if await conn.fetchval("SELECT version_num FROM alembic_version") != template.revision:
            return False
        async with conn.transaction():
            # DELETE, not TRUNCATE: on these small tables it is ten times faster.
            for table in template.tables:
                await conn.execute(f"DELETE FROM {table}")
            for sequence in template.sequences:
                await conn.execute(f"ALTER SEQUENCE {sequence} RESTART")
            for table, rows in template.rows.items():
                await conn.copy_records_to_table(table, records=rows)
        return True
    finally:
        await conn.close()


def create_database(*, migrated: bool = True) -> str:
    """A database of the calling test's own (migrated to head, or empty); its URL.

    A migrated one is a spare emptied after an earlier test when there is one (tens of
    milliseconds), else a copy of the template; ``drop_database`` gives it back.
    """
    found = require_server()
    if migrated:
        _migrate_template(found)
        with _lock:
            if _spare:
                return _spare.pop()
    name = f"{PREFIX}{next(_counter)}"
    if migrated:
        _run(lambda: _admin(found.url, f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))
    else:
        _run(lambda: _admin(found.url, f"CREATE DATABASE {name}"))
    atexit.register(_drop_quietly, found.url, name)
    return _with_database(found.url, name)


def drop_database(url: str) -> None:
    """Done with a database ``create_database`` made: emptied for the next test if it is
    still the template's schema, else dropped; every database goes when the tests end."""
    found = server()
    assert found is not None
    name = make_url(url).database
    assert name is not None
    assert name.startswith(PREFIX)
    template = _template[0] if _template else None
    if template is not None and _run(lambda: _empty(url, template)):
        with _lock:
            _spare.append(url)
        return
    _run(lambda: _admin(found.url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@contextlib.contextmanager
def fresh_database(*, migrated: bool = True) -> Iterator[str]:
    """A database of its own for one test (``postgresql://`` URL), dropped afterwards."""
    url = create_database(migrated=migrated)
    try:
        yield url
    finally:
        drop_database(url)


async def fetch(url: str, query: str, *args: object) -> list[tuple[Any, ...]]:
    """Rows of one query, read past the app (asyncpg directly)."""
    [rows] = await fetch_each(url, [query], *args)
    return rows


async def fetch_each(url: str, queries: list[str], *args: object) -> list[list[tuple[Any, ...]]]:
    """Rows of each query, over one connection, in one snapshot (a new connection costs
    a server process: tests that read often read everything at once)."""
    conn = await asyncpg.connect(url, timeout=10)
    try:
        async with conn.transaction(isolation="repeatable_read"):
            return [[tuple(r) for r in await conn.fetch(q, *args)] for q in queries]
    finally:
        await conn.close()


def fetch_sync(url: str, query: str, *args: object) -> list[tuple[Any, ...]]:
    """``fetch`` for code outside an event loop (or inside one that may block a moment)."""
    return _run(lambda: fetch(url, query, *args))


def fetch_each_sync(url: str, queries: list[str]) -> list[list[tuple[Any, ...]]]:
    """``fetch_each`` for code outside an event loop."""
    return _run(lambda: fetch_each(url, queries))


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database of this test's own (dropped afterwards)."""
    with fresh_database() as url:
        yield url


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database with no tables yet (dropped afterwards)."""
    with fresh_database(migrated=False) as url:
        yield url
