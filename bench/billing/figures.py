"""The whole measurement: both sizes built, the baseline, the yardsticks and the run
timed, and the figures judged against the targets."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from typing import Any

from bench.billing.baseline import baseline
from bench.billing.child import run_child
from bench.billing.data import build
from bench.billing.floor import sql_floor
from bench.billing.outcome import check
from bench.common import app_pragmas, machine, median, plain_connect, pragmas_of, verdict

RATE_TARGET = 0.25  # at least a quarter of the baseline's lines per second
FLAT_SLACK_KIB = 8 * 1024
FLAT_SLACK_SHARE = 0.25
BASELINE_REPEATS = 3
FLOOR_BATCHES = (1, 100)  # workspaces per transaction of the SQL yardstick


def measure(workspaces: int, small: int, addons: int, drafts: int) -> dict[str, Any]:
    """Build both sizes, time the baseline and the run, and judge them."""
    if not 0 <= drafts <= addons:
        raise ValueError("--drafts must lie between 0 and --addons")
    with tempfile.TemporaryDirectory(prefix="bench-billing-") as tmp:
        sizes: dict[str, dict[str, Any]] = {}
        for label, count in (("small", small), ("large", workspaces)):
            source = os.path.join(tmp, f"{label}.db")
            started = time.perf_counter()
            expected = build(source, count, addons, drafts)
            sizes[label] = {
                "source": source,
                "expected": expected,
                "setup_seconds": time.perf_counter() - started,
            }
        large = sizes["large"]

        baseline_seconds = []
        for k in range(BASELINE_REPEATS):
            copy = os.path.join(tmp, f"baseline-{k}.db")
            shutil.copyfile(large["source"], copy)
            baseline_seconds.append(baseline(copy, workspaces, addons, drafts))
        floors = []
        for per_transaction in FLOOR_BATCHES:
            copy = os.path.join(tmp, f"floor-{per_transaction}.db")
            shutil.copyfile(large["source"], copy)
            floors.append((per_transaction, sql_floor(copy, workspaces, per_transaction)))
        probe = plain_connect(os.path.join(tmp, "baseline-0.db"))
        plain = pragmas_of(probe)
        probe.close()
        app = app_pragmas(os.path.join(tmp, "baseline-0.db"))

        runs = {}
        for label, size in sizes.items():
            copy = os.path.join(tmp, f"run-{label}.db")
            shutil.copyfile(size["source"], copy)
            run = run_child(copy)
            run["expected"] = size["expected"]
            run["problems"] = check(size["expected"], run["found"])
            run["setup_seconds"] = size["setup_seconds"]
            run["rss_growth_kib"] = run["rss_peak_kib"] - run["rss_before_kib"]
            runs[label] = run

    lines = runs["large"]["expected"]["lines"]
    rate = lines / runs["large"]["seconds"]
    base_seconds = median(baseline_seconds)
    base_rate = lines / base_seconds
    ratio = rate / base_rate
    growth_small = runs["small"]["rss_growth_kib"]
    growth_large = runs["large"]["rss_growth_kib"]
    allowed = max(FLAT_SLACK_KIB, FLAT_SLACK_SHARE * growth_small)
    return {
        "benchmark": "billing_run",
        "machine": machine(),
        "sizes": {
            "workspaces": workspaces,
            "small": small,
            "addons": addons,
            "drafts": drafts,
            "lines": lines,
        },
        "pragmas": {"app": app, "baseline": plain},
        "runs": runs,
        "billing_run": {"lines": lines, "seconds": runs["large"]["seconds"], "rate": rate},
        "baseline": {
            "lines": lines,
            "seconds": base_seconds,
            "rate": base_rate,
            "all_seconds": baseline_seconds,
        },
        "floors": [
            {
                "per_transaction": k,
                "seconds": sec,
                "rate": lines / sec,
                "ratio": lines / sec / base_rate,
            }
            for k, sec in floors
        ],
        "ratio": ratio,
        "target": RATE_TARGET,
        "rate_verdict": verdict(ratio >= RATE_TARGET),
        "memory": {
            "growth_small_kib": growth_small,
            "growth_large_kib": growth_large,
            "allowed_extra_kib": allowed,
            "per_1000_workspaces_kib": (growth_large - growth_small)
            / max(1, workspaces - small)
            * 1000,
        },
        "memory_verdict": verdict(growth_large - growth_small <= allowed),
        "problems": {label: run["problems"] for label, run in runs.items() if run["problems"]},
    }
