"""The timed run, in a child process per size: ``services.iter_billing_run`` as the
schedule calls it, with the process's RSS when it starts and its peak during it."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.billing.data import NOW
from bench.billing.outcome import outcome
from bench.common import peak_rss_kib, reset_peak_rss, rss_kib

ROOT = str(Path(__file__).resolve().parents[2])  # the project, for the child process


async def _billing_run(path: str) -> dict[str, Any]:
    from bot import services
    from storage import Database

    db = Database(path)
    await db.open()
    try:
        ctx = services.Context(db)
        gc.collect()
        reset_peak_rss()
        rss_before = rss_kib()
        started = time.perf_counter()
        count = 0
        async for _turn in services.iter_billing_run(ctx, NOW):  # as the schedule runs it
            count += 1
        seconds = time.perf_counter() - started
        rss_peak = peak_rss_kib()
    finally:
        await db.close()
    return {
        "seconds": seconds,
        "turns": count,
        "rss_before_kib": rss_before,
        "rss_peak_kib": rss_peak,
    }


def worker(path: str) -> dict[str, Any]:
    """Run the billing run over the prepared file at ``path``; report time and memory."""
    result = asyncio.run(_billing_run(path))
    result["found"] = outcome(path)
    return result


def run_child(path: str) -> dict[str, Any]:
    """``worker`` in a fresh interpreter, so its memory figures are this size's alone."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.billing_run", "--worker", path],
        capture_output=True,
        text=True,
        check=False,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p),
        },
    )
    if proc.returncode != 0:
        raise RuntimeError(f"billing run worker failed:\n{proc.stderr}")
    report: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return report
