"""A tiny run (``--quick``) of the PostgreSQL benchmarks on the tests' server.

As for the SQLite benchmarks: each runs as its own command and prints JSON; the figures
are not judged (they depend on the machine), the work is: it was done and counted, and
the verdict follows from the figures. The server is the one tests/postgres.py finds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests import postgres

ROOT = Path(__file__).resolve().parents[2]
BOUND_SECONDS = 240  # --quick takes seconds to tens of seconds; this only stops a hang


def _run(module: str) -> dict[str, Any]:
    server = postgres.require_server()
    proc = subprocess.run(
        [sys.executable, "-m", module, "--quick", "--json", "--database", server.url],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=BOUND_SECONDS,
        check=False,
    )
    try:
        result: dict[str, Any] = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"{module} printed no report (exit {proc.returncode}):\n{proc.stderr}")
    assert proc.returncode == 0, result["problems"]
    return result


def test_the_billing_run_bills_every_workspace_once_next_to_its_asyncpg_yardstick() -> None:
    result = _run("bench.pg_billing_run")

    sizes = result["sizes"]
    for run in result["runs"].values():
        found, expected = run["found"], run["expected"]
        assert found["invoices"] == expected["workspaces"]
        assert found["lines"] == expected["lines"]
        assert found["gapless"] == 1
        assert found["drafts_left"] == 0
    assert sizes["lines"] == sizes["workspaces"] * (sizes["addons"] + sizes["drafts"])
    ratio = result["billing_run"]["rate"] / result["yardstick"]["rate"]
    assert result["ratio"] == pytest.approx(ratio)
    assert result["rate_verdict"] == ("PASS" if ratio >= result["target"] else "MISS")
    assert result["problems"] == {}


def test_bookings_are_stored_once_each_next_to_their_asyncpg_yardstick() -> None:
    result = _run("bench.pg_booking_throughput")

    assert result["bookings"]["created"] == result["sizes"]["bookings"]
    assert result["bookings"]["repeat_created"] == 0
    ratio = result["bookings"]["rate"] / result["yardstick"]["rate"]
    assert result["ratio"] == pytest.approx(ratio)
    assert result["verdict"] == ("PASS" if ratio >= result["target"] else "MISS")
    assert result["problems"] == []


def test_one_and_two_servers_answer_every_request_and_store_every_booking() -> None:
    result = _run("bench.two_servers")

    one, two = result["configurations"]
    assert (one["servers"], two["servers"]) == (1, 2)
    for configuration in (one, two):
        assert configuration["requests"] == result["sizes"]["requests"]
        assert configuration["booked"] > 0
        assert (
            configuration["booked"] + configuration["not_booked"] == configuration["confirmations"]
        )
        assert configuration["problems"] == []
    assert result["speedup"] == pytest.approx(two["rate"] / one["rate"])


def test_one_and_two_schedulers_bill_every_due_workspace_once_between_them() -> None:
    result = _run("bench.pg_two_schedulers")

    one, two = result["configurations"]
    assert (one["schedulers"], two["schedulers"]) == (1, 2)
    workspaces = result["sizes"]["workspaces"]
    for configuration in (one, two):
        assert sum(configuration["turns"]) == workspaces
        assert len(configuration["turns"]) == configuration["schedulers"]
        found = configuration["found"]
        assert found["invoices"] == workspaces
        assert found["lines"] == result["expected"]["lines"]
        assert found["gapless"] == 1
        assert found["drafts_left"] == 0
        assert configuration["scheduler_cpu_share"] > 0
    assert result["speedup"] == pytest.approx(one["seconds"] / two["seconds"])
    assert result["problems"] == {}
