"""What the benchmarks share: the machine, the baseline connection, formatting, verdicts.

The baselines open their files with plain ``sqlite3`` and the same pragmas as the app
(``storage.sqlite.configure``): WAL, synchronous=NORMAL, foreign_keys=ON and the same
busy timeout. ``pragmas_of`` reads them back so every report shows both sides.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

import aiosqlite

from storage import Database
from storage.sqlite import DEFAULT_BUSY_TIMEOUT_MS, configure

BUSY_TIMEOUT_MS = DEFAULT_BUSY_TIMEOUT_MS  # what storage.Database uses
PRAGMA_NAMES = ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")


# -- databases ------------------------------------------------------------------------


def plain_connect(path: str) -> sqlite3.Connection:
    """A plain sqlite3 connection (autocommit; explicit BEGIN) with the app's pragmas."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def pragmas_of(conn: sqlite3.Connection) -> dict[str, Any]:
    """The pragmas that matter for write speed, as the connection reports them."""
    return {name: conn.execute(f"PRAGMA {name}").fetchone()[0] for name in PRAGMA_NAMES}


async def _app_pragmas(path: str) -> dict[str, Any]:
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        await configure(conn, BUSY_TIMEOUT_MS)  # exactly what every pooled connection runs
        found = {}
        for name in PRAGMA_NAMES:
            rows = list(await conn.execute_fetchall(f"PRAGMA {name}"))
            found[name] = rows[0][0]
        return found
    finally:
        await conn.close()


def app_pragmas(path: str) -> dict[str, Any]:
    """The pragmas an app connection to ``path`` runs with."""
    return asyncio.run(_app_pragmas(path))


async def _migrate(path: str) -> None:
    db = Database(path, pool_size=1)
    await db.open()
    await db.close()


def create_schema(path: str) -> None:
    """Create ``path`` with the app's own migrations (storage/migrations)."""
    asyncio.run(_migrate(path))


def checkpoint(path: str) -> None:
    """Fold the WAL into the main file, so a copy of the main file is the whole database."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


# -- the machine and the process ------------------------------------------------------


def nproc() -> int:
    """CPUs this process may run on (what `nproc` prints)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def machine() -> dict[str, Any]:
    """Where and when the figures were measured."""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
        "cpu": _cpu_model(),
        "nproc": nproc(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "aiosqlite": metadata.version("aiosqlite"),
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_kib() -> int:
    """Resident set size of this process now, in KiB (the peak where /proc is missing)."""
    now = _status_kib("VmRSS")
    return now if now is not None else peak_rss_kib()


def peak_rss_kib() -> int:
    """Peak resident set size of this process so far, in KiB.

    Linux: VmHWM, which belongs to this program's own address space. ``ru_maxrss`` is
    not used there because a child started with fork+exec inherits its parent's peak.
    """
    peak = _status_kib("VmHWM")
    if peak is not None:
        return peak
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS counts bytes


def reset_peak_rss() -> bool:
    """Start the peak over from the current RSS (Linux: /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


# -- figures and verdicts -------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def n(value: float, digits: int = 0) -> str:
    """A figure with thousands separators: 12,345 or 1,234.5."""
    return f"{value:,.{digits}f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A plain text table; the first column is left-aligned, the others right-aligned."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def fmt(row: Sequence[str]) -> str:
        cells = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    return [fmt(headers), fmt(["-" * w for w in widths]), *(fmt(r) for r in rows)]


def machine_lines(info: dict[str, Any]) -> list[str]:
    return [
        f"date     : {info['date']}",
        f"machine  : {info['platform']}, {info['cpu']}, nproc {info['nproc']}",
        f"software : Python {info['python']}, SQLite {info['sqlite']}, "
        f"aiosqlite {info['aiosqlite']}",
    ]


def pragma_line(label: str, pragmas: dict[str, Any]) -> str:
    return f"{label}: " + ", ".join(f"{k}={v}" for k, v in pragmas.items())


def scalar(conn: sqlite3.Connection, sql: str) -> int:
    """The single number a ``SELECT COUNT(*)`` or ``SUM`` answers (0 for NULL)."""
    return int(conn.execute(sql).fetchone()[0] or 0)


def timed_steps(step: Callable[[int], object], rows: int, warmup: Iterable[int]) -> float:
    """Run ``step`` untimed for each warm-up index, then time ``step(0..rows-1)``."""
    for i in warmup:
        step(i)
    started = time.perf_counter()
    for i in range(rows):
        step(i)
    return time.perf_counter() - started


# -- A/B: the same benchmark at the commit before storage moved to SQLAlchemy ----------

BEFORE_COMMIT = "080df8c"  # the last commit with storage on plain aiosqlite
BEFORE_TARGET = 1.25  # the timed work may take at most this many times as long as before
_PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@contextlib.contextmanager
def checkout(commit: str) -> Iterator[str | None]:
    """A temporary git worktree of ``commit`` (None if it cannot be had), removed after."""

    def git(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "-C", _PROJECT, *argv], capture_output=True, text=True, check=False
        )

    if git("rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}").returncode != 0:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="bench-before-") as tmp:
        tree = os.path.join(tmp, "before")
        if git("worktree", "add", "--detach", tree, commit).returncode != 0:
            yield None
            return
        try:
            yield tree
        finally:
            git("worktree", "remove", "--force", tree)
            git("worktree", "prune")


def figures_before(tree: str | None, module: str, args: Sequence[str]) -> dict[str, Any]:
    """The JSON report of ``python -m module args --json`` in the worktree ``tree``.

    It runs with this interpreter, so both sides share Python, SQLite and the libraries.
    On failure the answer is ``{"error": ...}``; the benchmark still reports its own side.
    """
    if tree is None:
        return {"error": "the commit could not be checked out here"}
    source = os.path.join(tree, *module.split(".")) + ".py"
    with open(source, encoding="utf-8") as file:
        nested = ["--before", "none"] if '"--before"' in file.read() else []  # no A/B of A/B
    proc = subprocess.run(
        [sys.executable, "-m", module, *args, "--json", *nested],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": tree},
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report: dict[str, Any] = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return {"error": f"exit {proc.returncode}: {proc.stderr.strip()[-500:]}"}
    return report


def compare_before(
    now: Sequence[float],
    before: Sequence[dict[str, Any]],
    commit: str,
    seconds_of: Callable[[dict[str, Any]], float],
) -> dict[str, Any]:
    """Now against before, rounds run alternately: the medians of the timed work's
    seconds, their ratio and the verdict."""
    failed = [b["error"] for b in before if "error" in b]
    if failed:
        return {"commit": commit, "error": failed[0]}
    then = [seconds_of(b) for b in before]
    ratio = median(now) / median(then)
    return {
        "commit": commit,
        "seconds": median(then),
        "now_seconds": median(now),
        "all_seconds": then,
        "all_now_seconds": list(now),
        "ratio": ratio,
        "target": BEFORE_TARGET,
        "verdict": verdict(ratio <= BEFORE_TARGET),
    }


def before_lines(ab: dict[str, Any] | None) -> list[str]:
    """The A/B lines of a report."""
    if ab is None:
        return []
    if "error" in ab:
        return [f"A/B      : before ({ab['commit']}) not measured: {ab['error']}"]
    return [
        f"A/B      : before ({ab['commit']}) {ab['seconds']:.3f} s, now "
        f"{ab['now_seconds']:.3f} s (medians of {len(ab['all_seconds'])} alternate rounds)"
        f" -> now/before {ab['ratio']:.2f}; "
        f"target <= {ab['target']:.2f} -> {ab['verdict']}"
    ]
