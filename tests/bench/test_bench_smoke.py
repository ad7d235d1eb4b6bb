"""A tiny run of benchmarks 2 and 3 (``--quick``): they run, check their result, and report.

Each benchmark runs as its own command, as a user would start it, and prints JSON. The
figures themselves are not judged here (PASS or MISS depends on the machine); what is
judged is that the work was really done and counted, and that the verdict follows from
the figures.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bench import billing_run, booking_throughput

ROOT = Path(__file__).resolve().parents[2]
BOUND_SECONDS = 60  # --quick takes a few seconds; this only stops a hang


def _run(module: str) -> dict[str, Any]:
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH"))
                                         if p)}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", module, "--quick", "--json"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=BOUND_SECONDS,
                          check=False)
    try:
        result: dict[str, Any] = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"{module} printed no report (exit {proc.returncode}):\n"
                    f"{proc.stdout}\n{proc.stderr}")
    result["_exit"] = proc.returncode  # 1 when the benchmark found its result wrong
    result["_wall"] = time.monotonic() - started
    return result


@pytest.fixture(scope="module")
def billing() -> dict[str, Any]:
    return _run("bench.billing_run")


@pytest.fixture(scope="module")
def booking() -> dict[str, Any]:
    return _run("bench.booking_throughput")


def _same_pragmas(result: dict[str, Any]) -> None:
    app, plain = result["pragmas"]["app"], result["pragmas"]["baseline"]
    assert app == plain
    assert str(app["journal_mode"]).lower() == "wal"
    assert app["synchronous"] == 1  # NORMAL
    assert app["foreign_keys"] == 1


def _rate_and_verdict(ours: dict[str, Any], base: dict[str, Any], ratio: float,
                      target: float, verdict: str) -> None:
    for side in (ours, base):
        assert side["seconds"] > 0
        done = side["lines"] if "lines" in side else side["count"]
        assert math.isclose(side["rate"], done / side["seconds"], rel_tol=1e-9)
    assert math.isclose(ratio, ours["rate"] / base["rate"], rel_tol=1e-9)
    assert verdict == ("PASS" if ratio >= target else "MISS")


def _machine(result: dict[str, Any]) -> None:
    info = result["machine"]
    assert info["nproc"] >= 1
    assert info["python"].count(".") == 2
    assert info["date"]


def test_the_billing_run_benchmark_issues_every_invoice_and_judges_its_figures(
    billing: dict[str, Any],
) -> None:
    sizes = billing_run.QUICK
    assert billing["problems"] == {}
    assert billing["_exit"] == 0
    for label, workspaces in (("small", sizes["small"]), ("large", sizes["workspaces"])):
        found = billing["runs"][label]["found"]
        assert found["invoices"] == found["workspaces"] == workspaces
        assert found["renewals"] == workspaces * sizes["addons"]
        assert found["carried"] == workspaces * sizes["drafts"]
        assert found["lines"] == workspaces * (sizes["addons"] + sizes["drafts"])
        assert found["drafts_left"] == 0 and found["gapless"] == 1
        assert found["messages"] == workspaces * billing_run.ADMINS
        assert billing["runs"][label]["turns"] == workspaces
        run = billing["runs"][label]
        assert 0 < run["rss_before_kib"] <= run["rss_peak_kib"]
    lines = sizes["workspaces"] * (sizes["addons"] + sizes["drafts"])
    assert billing["billing_run"]["lines"] == billing["baseline"]["lines"] == lines
    _rate_and_verdict(billing["billing_run"], billing["baseline"], billing["ratio"],
                      billing_run.RATE_TARGET, billing["rate_verdict"])
    assert len(billing["floors"]) == len(billing_run.FLOOR_BATCHES)
    memory = billing["memory"]
    assert billing["memory_verdict"] == (
        "PASS" if memory["growth_large_kib"] - memory["growth_small_kib"]
        <= memory["allowed_extra_kib"] else "MISS")
    _same_pragmas(billing)
    _machine(billing)
    assert billing["_wall"] < BOUND_SECONDS


def test_the_booking_benchmark_books_each_key_once_and_judges_its_figures(
    booking: dict[str, Any],
) -> None:
    sizes = booking_throughput.QUICK
    assert booking["problems"] == []
    assert booking["_exit"] == 0
    stored = sizes["bookings"] + booking_throughput.WARMUP
    assert booking["found"] == {"addons": stored, "drafts": stored, "keys": stored,
                                "audit": stored}
    assert booking["book"]["count"] == booking["baseline"]["count"] == sizes["bookings"]
    assert 0 < booking["book"]["p50_ms"] <= booking["book"]["p99_ms"]
    _rate_and_verdict(booking["book"], booking["baseline"], booking["ratio"],
                      booking_throughput.RATE_TARGET, booking["verdict"])
    _same_pragmas(booking)
    _machine(booking)
    assert booking["_wall"] < BOUND_SECONDS


def test_both_reports_print_the_comparison(billing: dict[str, Any],
                                           booking: dict[str, Any]) -> None:
    text = billing_run.render(billing)
    assert f"target >= {billing_run.RATE_TARGET:.2f} -> {billing['rate_verdict']}" in text
    assert f"-> {billing['memory_verdict']}" in text
    assert f"nproc {billing['machine']['nproc']}" in text
    assert "RESULT WRONG" not in text
    text = booking_throughput.render(booking)
    assert f"target >= {booking_throughput.RATE_TARGET:.2f} -> {booking['verdict']}" in text
    assert f"Python {booking['machine']['python']}" in text
    assert "RESULT WRONG" not in text


def test_a_wrong_result_is_reported_as_wrong() -> None:
    expected = {"invoices": 3, "lines": 9, "total_cents": 100}
    found = {"invoices": 3, "lines": 8, "total_cents": 100, "drafts_left": 1, "gapless": 0}
    problems = billing_run.check(expected, found)
    assert any(p.startswith("lines:") for p in problems)
    assert any("drafts" in p for p in problems)
    assert any("numbers" in p for p in problems)
