"""One against two schedulers billing the same due workspaces on one PostgreSQL database.

    python -m bench.pg_two_schedulers [--database URL] [--workspaces 2000] [--addons 4]
                                      [--drafts 1] [--quick] [--json]

The data are ``bench.pg_billing_run``'s (N workspaces whose March turn is due, M add-ons
each, D with a proration draft), copied in with ``COPY``. Each configuration runs on a
fresh copy: K scheduler processes (K = 1, then 2) each run
``bot.services.iter_billing_run(ctx, now)`` as the schedule does, started together
(each opens its database first, then all are told to go). The wall time is from the
first start to the last end. Each turn claims its workspace without waiting, so the
second scheduler passes over what the first holds instead of queueing on it.

Reported per configuration: wall time, turns per scheduler, and the CPU shares (in
cores) of the schedulers, of their PostgreSQL backends (read from /proc, when the server
runs on this machine) and of the whole machine (everything running on it, other users'
work included). The machine's cores are shared by the schedulers and the PostgreSQL
server (here 2 cores): a second scheduler can only add what the first left idle.
Checked: every workspace billed once, every line invoiced, numbers 1..N with the
counter at N (gapless).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from typing import IO, Any

import asyncpg  # type: ignore[import-untyped,unused-ignore]
from sqlalchemy.engine import make_url

from bench.billing.child import ROOT
from bench.billing.data import NOW
from bench.common import machine, machine_lines, n
from bench.pg_billing_run import build, check, outcome
from bench.pg_common import (
    migrated_database,
    new_database,
    plain,
    scratch,
    server_url,
    server_version,
)

FULL = {"workspaces": 2_000, "addons": 4, "drafts": 1}
QUICK = {"workspaces": 60, "addons": 2, "drafts": 1}
SCHEDULERS = (1, 2)
POLL_SECONDS = 0.25
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


# -- a scheduler (in a child process) -------------------------------------------------


async def _scheduler(url: str) -> None:
    """Open the database, say "ready", bill on "go", report, close on "stop"."""
    from bench.latency.servers import cpu_seconds
    from bot import services
    from storage import Database

    db = Database(url)
    await db.open()
    try:
        ctx = services.Context(db)
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        cpu, started = cpu_seconds(), time.time()
        turns = 0
        async for _turn in services.iter_billing_run(ctx, NOW):  # as the schedule runs it
            turns += 1
        ended = time.time()
        cpu = cpu_seconds() - cpu
        report = {"started": started, "ended": ended, "turns": turns, "cpu": cpu}
        print(json.dumps(report), flush=True)
        await asyncio.to_thread(sys.stdin.readline)  # its backends stay until measured
    finally:
        await db.close()


def _start(url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.pg_two_schedulers", "--worker", url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": ROOT},
    )


def _line(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        assert proc.stderr is not None
        raise RuntimeError(f"a scheduler ended early:\n{proc.stderr.read()}")
    return line.strip()


def _say(proc: subprocess.Popen[str], word: str) -> None:
    stdin: IO[str] | None = proc.stdin
    assert stdin is not None
    stdin.write(word + "\n")
    stdin.flush()


# -- CPU: the PostgreSQL backends and the whole machine --------------------------------


def _proc_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process on this machine, None if not readable."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def machine_busy() -> float | None:
    """CPU seconds every core of the machine has been busy since boot (all processes)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle, iowait
    return (sum(values[:8]) - idle) / TICKS


class Backends:
    """The CPU of the PostgreSQL backends serving one database, polled from /proc."""

    def __init__(self, server: str, database: str) -> None:
        self._server, self._database = server, database
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self.readable = True

    async def poll(self) -> None:
        conn = await asyncpg.connect(plain(self._server))
        try:
            rows = await conn.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1", self._database
            )
        finally:
            await conn.close()
        for (pid,) in rows:
            cpu = _proc_cpu(pid)
            if cpu is None:
                self.readable = False
                continue
            self._first.setdefault(pid, cpu)
            self._last[pid] = cpu

    def seconds(self) -> float | None:
        if not self.readable or not self._first:
            return None
        return sum(self._last[pid] - self._first[pid] for pid in self._first)


async def _watch(backends: Backends, done: asyncio.Event) -> None:
    while not done.is_set():
        await backends.poll()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), POLL_SECONDS)


# -- one configuration ----------------------------------------------------------------


async def run_schedulers(server: str, url: str, count: int) -> dict[str, Any]:
    """``count`` schedulers billing the database at ``url`` at once; what they did."""
    procs = [_start(url) for _ in range(count)]
    try:
        for proc in procs:
            ready = await asyncio.to_thread(_line, proc)
            assert ready == "ready", ready
        database = make_url(url).database
        assert database is not None
        backends = Backends(server, database)
        await backends.poll()  # every backend's CPU before the start
        busy_before = machine_busy()
        done = asyncio.Event()
        watcher = asyncio.create_task(_watch(backends, done))
        for proc in procs:
            _say(proc, "go")
        reports = [json.loads(await asyncio.to_thread(_line, proc)) for proc in procs]
        busy_after = machine_busy()
        done.set()
        await watcher
        await backends.poll()  # the backends are still there: exact to the end
        for proc in procs:
            _say(proc, "stop")
        for proc in procs:
            await asyncio.to_thread(proc.wait, 60)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    wall = max(r["ended"] for r in reports) - min(r["started"] for r in reports)
    backend_cpu = backends.seconds()
    machine_cpu = None if busy_before is None or busy_after is None else busy_after - busy_before
    scheduler_cpu = sum(r["cpu"] for r in reports)
    return {
        "schedulers": count,
        "seconds": wall,
        "turns": [r["turns"] for r in reports],
        "scheduler_cpu_share": scheduler_cpu / wall,
        "backend_cpu_share": None if backend_cpu is None else backend_cpu / wall,
        "machine_cpu_share": None if machine_cpu is None else machine_cpu / wall,
    }


async def measure(server: str, workspaces: int, addons: int, drafts: int) -> dict[str, Any]:
    """Build the data once; bill a copy with one scheduler, another with two; judge."""
    async with scratch(server) as made:
        source = await migrated_database(server)
        made.append(source)
        expected = await build(source, workspaces, addons, drafts)
        configurations = []
        for count in SCHEDULERS:
            copy = await new_database(server, template=source)
            made.append(copy)
            run = await run_schedulers(server, copy, count)
            run["found"] = await outcome(copy)
            run["problems"] = check(expected, run["found"])
            if sum(run["turns"]) != workspaces:
                run["problems"].append(f"{sum(run['turns'])} turns for {workspaces} workspaces")
            configurations.append(run)
        version = await server_version(server)
    one, two = configurations
    problems = {str(c["schedulers"]): c["problems"] for c in configurations if c["problems"]}
    return {
        "benchmark": "pg_two_schedulers",
        "machine": machine(),
        "load": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "server": version,
        "sizes": {"workspaces": workspaces, "addons": addons, "drafts": drafts},
        "expected": expected,
        "configurations": configurations,
        "speedup": one["seconds"] / two["seconds"],
        "problems": problems,
    }


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def render(r: dict[str, Any]) -> str:
    """The report as text."""
    s = r["sizes"]
    load = r["load"]
    out = [
        "Two schedulers on one PostgreSQL database (issue 26)",
        *machine_lines(r["machine"]),
        f"PostgreSQL {r['server']} on the same {r['machine']['nproc']} cores as the schedulers"
        + (f"; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}" if load else ""),
        f"{n(s['workspaces'])} due workspaces x {s['addons']} add-ons "
        f"({s['drafts']} with a draft), the same for each configuration",
    ]
    for c in r["configurations"]:
        out.append(
            f"  {c['schedulers']} scheduler(s): {n(c['seconds'], 2)} s "
            f"({n(s['workspaces'] / c['seconds'])} workspaces/s), turns {c['turns']}; "
            f"CPU in cores: schedulers {_share(c['scheduler_cpu_share'])}, "
            f"their PostgreSQL backends {_share(c['backend_cpu_share'])}, "
            f"whole machine {_share(c['machine_cpu_share'])}"
        )
    out.append(f"  speed-up of two over one: {r['speedup']:.2f}x")
    if r["problems"]:
        out.append(f"WRONG RESULTS: {r['problems']}")
    else:
        out.append("Checked: every workspace billed once, lines, totals, numbers 1..N")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 only when the billing came out wrong."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.pg_two_schedulers",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database", metavar="URL", help="the PostgreSQL server to use")
    parser.add_argument("--workspaces", type=int, help=f"default {FULL['workspaces']:,}")
    parser.add_argument("--addons", type=int, help=f"per workspace (default {FULL['addons']})")
    parser.add_argument("--drafts", type=int, help=f"with a draft (default {FULL['drafts']})")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--worker", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        asyncio.run(_scheduler(args.worker))
        return 0
    sizes = dict(QUICK if args.quick else FULL)
    for key in sizes:
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    result = asyncio.run(
        measure(server_url(args.database), sizes["workspaces"], sizes["addons"], sizes["drafts"])
    )
    print(json.dumps(result, indent=2, default=str) if args.json else render(result))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
