"""A managed PostgreSQL's URL as providers hand it out: libpq's parameters are used, an
unknown or malformed one is one line naming it (exit 2), and a server refusing the TLS
the URL demands is one line too. Each through ``addons-bot`` as a process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from storage import Database
from tests import postgres
from tests.environment import SELLER_ENV

ROOT = Path(__file__).resolve().parents[2]


def addons_bot(cwd: Path, database: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run ``addons-bot`` in ``cwd`` with ADDONS_DATABASE set."""
    env = {**os.environ, **SELLER_ENV, "PYTHONPATH": str(ROOT), "ADDONS_DATABASE": database}
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def with_query(url: str, query: str) -> str:
    """The URL with ``query`` as its parameters, password kept."""
    return make_url(url).render_as_string(hide_password=False) + "?" + query


def one_line(done: subprocess.CompletedProcess[str], status: int = 2) -> str:
    assert done.returncode == status, done
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    return line


@pytest.mark.parametrize("mode", ["disable", "allow", "prefer"])
def test_an_sslmode_the_local_server_can_meet_is_used(
    tmp_path: Path, empty_postgres_url: str, mode: str
) -> None:
    url = with_query(
        empty_postgres_url,
        f"sslmode={mode}&connect_timeout=5&application_name=billing-release"
        "&options=-c%20search_path%3Dpublic",
    )
    done = addons_bot(tmp_path, url, "migrate")
    assert done.returncode == 0, done
    assert "Applied to postgresql://" in done.stdout
    listed = addons_bot(tmp_path, url, "addons", "list", "T0001")
    assert listed.returncode in (0, 2), listed
    assert "Traceback" not in listed.stderr


async def test_the_url_names_the_connections_and_sets_their_options(postgres_url: str) -> None:
    url = with_query(
        postgres_url,
        "application_name=billing-release&options=-c%20work_mem%3D7MB%20-c%20lock_timeout%3D1"
        "&connect_timeout=4&sslmode=prefer",
    )
    db = Database(url, pool_size=1)
    await db.open()
    try:
        async with db.engine.connect() as conn:
            shown = await conn.exec_driver_sql(
                "SELECT current_setting('application_name'), current_setting('work_mem'), "
                "current_setting('lock_timeout')"
            )
            name, work_mem, lock_timeout = tuple(shown.one())
    finally:
        await db.close()
    assert (name, work_mem) == ("billing-release", "7MB")
    assert lock_timeout == "2s"  # the app's busy budget, not the URL's: it keeps its promise


@pytest.mark.parametrize("mode", ["require", "verify-ca", "verify-full"])
def test_a_server_without_tls_is_one_line_when_the_url_demands_it(
    tmp_path: Path, empty_postgres_url: str, mode: str
) -> None:
    url = with_query(empty_postgres_url, f"sslmode={mode}")
    line = one_line(addons_bot(tmp_path, url, "migrate"))
    assert "ADDONS_DATABASE" in line
    assert postgres.fetch_sync(empty_postgres_url, "SELECT to_regclass('alembic_version')") == [
        (None,)
    ]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("sslmode=bogus", "sslmode='bogus'"),
        ("sslmode=require&sslcompression=1", "'sslcompression'"),
        ("statement_cache_size=0", "'statement_cache_size'"),
        ("connect_timeout=soon", "connect_timeout='soon'"),
        ("options=endpoint%3Dep-1", "options='endpoint=ep-1'"),
    ],
)
def test_a_parameter_this_app_does_not_understand_is_named_in_one_line(
    tmp_path: Path, query: str, named: str
) -> None:
    url = "postgresql://addons:s3cret@127.0.0.1:5432/addons?" + query
    line = one_line(addons_bot(tmp_path, url, "addons", "list", "T0001"))
    assert named in line
    assert "ADDONS_DATABASE" in line
    assert "s3cret" not in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("port", ["99999", "0", "x1"])
def test_a_port_out_of_range_is_one_line(tmp_path: Path, port: str) -> None:
    url = f"postgresql://addons:s3cret@127.0.0.1:{port}/addons"
    line = one_line(addons_bot(tmp_path, url, "migrate"))
    assert "ADDONS_DATABASE" in line
    assert "s3cret" not in line


def test_the_database_option_is_named_when_the_url_came_from_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ADDONS_DATABASE"} | SELLER_ENV
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "migrate",
            "--database",
            "postgresql://a@127.0.0.1/db?sslmode=bogus",
        ],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = one_line(done)
    assert "--database" in line
    assert "ADDONS_DATABASE" not in line
