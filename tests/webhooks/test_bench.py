"""The webhook benchmark runs as a user starts it and counts what really arrived."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.environment import SELLER_ENV

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_delivers_every_event_on_both_sides() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.webhook_delivery", "--quick", "--json"],
        cwd=ROOT,
        env={**os.environ, **SELLER_ENV, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["received_from_sender"] == report["events"] == 200
    assert report["received_total"] == 2 * report["events"]
    assert report["sender_events_per_second"] > 0
    assert report["bare_signed_posts_per_second"] > 0
