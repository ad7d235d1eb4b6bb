"""The PostgreSQL server the tests use, found once per session, and a fresh database each.

Where the server comes from, first that answers:
1. ``ADDONS_TEST_POSTGRES_URL`` (a ``postgresql://`` URL of a user that may create
   databases);
2. the local server at 127.0.0.1:5432, user ``postgres``, trust authentication;
3. a throwaway cluster made with the installed PostgreSQL binaries (``initdb`` refuses
   root, so it runs as the ``postgres`` user then), stopped when the tests end.
Else the PostgreSQL tests are skipped, and the session's summary says so in one line;
with ``ADDONS_REQUIRE_POSTGRES=1`` (set by .ci/run) they fail instead.

Every test gets its own database, copied from a template migrated once per session
(``CREATE DATABASE ... TEMPLATE`` takes tens of milliseconds), and dropped afterwards.
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


def _migrate_template(found: Server) -> None:
    """Create and migrate this session's template database, once."""
    from storage.database import migrate

    with _lock:
        if _template_ready:
            return
        _run(lambda: _admin(found.url, f"DROP DATABASE IF EXISTS {TEMPLATE}"))
        _run(lambda: _admin(found.url, f"CREATE DATABASE {TEMPLATE}"))
        _run(lambda: migrate(_with_database(found.url, TEMPLATE)))
        atexit.register(_drop_quietly, found.url, TEMPLATE)
        _template_ready.append(True)


def _drop_quietly(url: str, name: str) -> None:
    # At exit: no event loop runs any more, and the admin thread is shut down already.
    asyncio.run(_admin(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def create_database(*, migrated: bool = True) -> str:
    """A new database (migrated to head, or empty) on the server; its URL."""
    found = require_server()
    name = f"{PREFIX}{next(_counter)}"
    if migrated:
        _migrate_template(found)
        _run(lambda: _admin(found.url, f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))
    else:
        _run(lambda: _admin(found.url, f"CREATE DATABASE {name}"))
    return _with_database(found.url, name)


def drop_database(url: str) -> None:
    """Drop a database ``create_database`` made, closing whatever still uses it."""
    found = server()
    assert found is not None
    name = make_url(url).database
    assert name is not None and name.startswith(PREFIX)
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
    conn = await asyncpg.connect(url, timeout=10)
    try:
        return [tuple(r) for r in await conn.fetch(query, *args)]
    finally:
        await conn.close()


def fetch_sync(url: str, query: str, *args: object) -> list[tuple[Any, ...]]:
    """``fetch`` for code outside an event loop (or inside one that may block a moment)."""
    return _run(lambda: fetch(url, query, *args))


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

