"""Benchmark 2 of issue 7: the billing run at scale, against plain sqlite3 executemany.

    python -m bench.billing_run [--workspaces 10000] [--small 2000] [--addons 10]
                                [--drafts 2] [--quick] [--json]

The data (set up with bulk SQL, not through the use cases, so that it takes a second and
not minutes; see ``build``): N workspaces anchored on 2026-01-01 in Europe/Berlin whose
February turn is done (``last_closed`` 2026-02-01), each with M active add-ons billed
until 2026-02-28. D of them per workspace were booked on 2026-02-15 and still carry
their proration draft (Entwurf), due with the March invoice. Each add-on has its "book"
audit entry by one of two Slack admins of the workspace (the run tells them of the
invoice). The run at 2026-03-01 07:00 Berlin turns period 2 of every workspace: N
invoices carrying N×M renewals and N×D drafts, 2×N Slack messages queued. No older
invoices are stored (the drafts and renewals queries are by index, so history would
change little).

Timed: ``bot.services.iter_billing_run(ctx, now)`` as the schedule calls it (streaming the team
ids, one transaction per workspace and period), in a child process per size, which also
reports its RSS when the run starts and its peak RSS during the run (Linux VmHWM, reset
at the start). Two sizes show whether memory grows with the number of workspaces.

Baseline: plain ``sqlite3`` inserting as many rows into ``invoice_lines`` (same schema,
same indexes and foreign keys, same pragmas, on a copy of the same database) with one
``executemany`` in one transaction; the median of three runs.

Yardsticks (not targets; they show where the gap comes from): plain ``sqlite3`` issuing
the turn's own statements (``sql_floor``), one transaction per workspace and one per 100.

Targets (issue 7): lines per second at least a quarter of the baseline's; memory flat in
the number of workspaces, read here as: the run's RSS growth at the large size exceeds
the small size's by at most max(8 MiB, 25 %).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.common import (
    BEFORE_COMMIT,
    app_pragmas,
    before_lines,
    checkout,
    checkpoint,
    compare_before,
    create_schema,
    figures_before,
    machine,
    machine_lines,
    median,
    n,
    peak_rss_kib,
    plain_connect,
    pragma_line,
    pragmas_of,
    reset_peak_rss,
    rss_kib,
    scalar,
    table,
    verdict,
)

ROOT = str(Path(__file__).resolve().parent.parent)  # the project, for the child process
ANCHOR = date(2026, 1, 1)
LAST_CLOSED = date(2026, 2, 1)  # the February turn is done
OLD_BOOKING = date(2026, 1, 10)  # add-ons without a draft: renewed on 1 February
NEW_BOOKING = date(2026, 2, 15)  # add-ons with a draft, due on 1 March
BILLED_UNTIL = date(2026, 2, 28)
NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)  # 07:00 in Berlin: period 2 is due
CREATED_AT = datetime(2026, 2, 15, 9, 0, tzinfo=UTC).isoformat()
TIMEZONE = "Europe/Berlin"
ADMINS = 2  # Slack users who booked in each workspace: each is told of the new invoice

RATE_TARGET = 0.25  # at least a quarter of the baseline's lines per second
FLAT_SLACK_KIB = 8 * 1024
FLAT_SLACK_SHARE = 0.25
BASELINE_REPEATS = 3
FLOOR_BATCHES = (1, 100)  # workspaces per transaction of the SQL yardstick

FULL = {"workspaces": 10_000, "small": 2_000, "addons": 10, "drafts": 2}
QUICK = {"workspaces": 300, "small": 100, "addons": 4, "drafts": 1}


# -- the data -------------------------------------------------------------------------


def team_id(i: int) -> str:
    return f"T{i:07d}"


def _option(j: int) -> str:
    return "users" if j % 2 == 0 else "storage"


def _quantity(i: int, j: int) -> int:
    return 1 + (i + j) % 5


def admin(i: int, j: int) -> str:
    """The Slack user who booked add-on j of workspace i: each workspace has ADMINS."""
    return f"U{i:07d}{j % ADMINS}"


def _has_draft(j: int, addons: int, drafts: int) -> bool:
    return j >= addons - drafts  # the last D add-ons of each workspace


def _subscription_rows(workspaces: int) -> Iterator[tuple[Any, ...]]:
    for i in range(workspaces):
        yield (
            team_id(i),
            ANCHOR.isoformat(),
            TIMEZONE,
            "de",
            LAST_CLOSED.isoformat(),
            CREATED_AT,
        )


def _addon_rows(workspaces: int, addons: int, drafts: int) -> Iterator[tuple[Any, ...]]:
    for i in range(workspaces):
        for j in range(addons):
            booked = NEW_BOOKING if _has_draft(j, addons, drafts) else OLD_BOOKING
            yield (
                i * addons + j + 1,
                team_id(i),
                _option(j),
                _quantity(i, j),
                booked.isoformat(),
                BILLED_UNTIL.isoformat(),
                "active",
                None,
                None,
                CREATED_AT,
            )


def _audit_rows(workspaces: int, addons: int, drafts: int) -> Iterator[tuple[Any, ...]]:
    for i in range(workspaces):
        for j in range(addons):
            booked = NEW_BOOKING if _has_draft(j, addons, drafts) else OLD_BOOKING
            detail = json.dumps({"option": _option(j), "quantity": _quantity(i, j)}, sort_keys=True)
            yield (
                team_id(i),
                f"{booked.isoformat()}T09:00:00+00:00",
                admin(i, j),
                "book",
                i * addons + j + 1,
                None,
                "active",
                detail,
            )


def _draft_rows(
    workspaces: int,
    addons: int,
    drafts: int,
    draft_line: Any,
    draft_cents: dict[tuple[str, int], int],
) -> Iterator[tuple[Any, ...]]:
    for i in range(workspaces):
        for j in range(addons - drafts, addons):
            option, quantity = _option(j), _quantity(i, j)
            yield (
                team_id(i),
                i * addons + j + 1,
                "proration",
                option,
                quantity,
                draft_line.from_day.isoformat(),
                draft_line.to_day.isoformat(),
                draft_cents[option, quantity],
                draft_line.due_on.isoformat(),
            )


def build(path: str, workspaces: int, addons: int, drafts: int) -> dict[str, int]:
    """Create the database at ``path`` in bulk; return what the run must produce.

    The schema comes from the app's migrations; the rows go in with one executemany per
    table in one transaction, from generators (nothing is held in memory): subscriptions,
    add-ons, the drafts, and one "book" audit entry per add-on by one of the workspace's
    ADMINS Slack users (the billing run tells them of the invoice). Draft amounts are
    priced by the domain (``quote_booking(...).draft_line``), as a booking would.
    """
    from domain.addons import quote_booking
    from domain.catalog import Catalog
    from domain.periods import BillingSchedule

    create_schema(path)
    catalog = Catalog()
    schedule = BillingSchedule(ANCHOR)
    draft_cents: dict[tuple[str, int], int] = {}
    for option in catalog:
        for quantity in range(1, 6):
            quote = quote_booking(option, quantity, NEW_BOOKING, schedule)
            draft_cents[option.key, quantity] = quote.draft_line(0).amount.cents
    draft_line = quote_booking(catalog["users"], 1, NEW_BOOKING, schedule).draft_line(0)

    conn = plain_connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO subscriptions (team_id, anchor, timezone, locale, last_closed, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?)",
            _subscription_rows(workspaces),
        )
        conn.executemany(
            "INSERT INTO addons (id, team_id, option, quantity, booked_on, billed_until, "
            "status, effective_on, ended_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _addon_rows(workspaces, addons, drafts),
        )
        conn.executemany(
            "INSERT INTO invoice_lines (team_id, addon_id, kind, option, quantity, from_day, "
            "to_day, amount_cents, due_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _draft_rows(workspaces, addons, drafts, draft_line, draft_cents),
        )
        conn.executemany(
            "INSERT INTO audit_log (team_id, at, actor, action, addon_id, before_status, "
            "after_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            _audit_rows(workspaces, addons, drafts),
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    checkpoint(path)

    unit = {o.key: o.unit_price.cents for o in catalog}
    renewal_cents = sum(
        unit[_option(j)] * _quantity(i, j) for i in range(workspaces) for j in range(addons)
    )
    carried_cents = sum(
        draft_cents[_option(j), _quantity(i, j)]
        for i in range(workspaces)
        for j in range(addons - drafts, addons)
    )
    return {
        "workspaces": workspaces,
        "invoices": workspaces,
        "renewals": workspaces * addons,
        "carried": workspaces * drafts,
        "lines": workspaces * (addons + drafts),
        "total_cents": renewal_cents + carried_cents,
    }


def outcome(path: str) -> dict[str, int]:
    """What the run left in the database, to compare with ``build``'s expectation."""
    conn = sqlite3.connect(path)
    try:

        def one(sql: str) -> int:
            return scalar(conn, sql)

        return {
            "workspaces": one(
                "SELECT COUNT(*) FROM subscriptions WHERE last_closed = "
                f"'{date(2026, 3, 1).isoformat()}'"
            ),
            "invoices": one("SELECT COUNT(*) FROM invoices"),
            "renewals": one(
                "SELECT COUNT(*) FROM invoice_lines WHERE kind = 'renewal' "
                "AND invoice_number IS NOT NULL"
            ),
            "carried": one(
                "SELECT COUNT(*) FROM invoice_lines WHERE kind = 'proration' "
                "AND invoice_number IS NOT NULL"
            ),
            "lines": one("SELECT COUNT(*) FROM invoice_lines WHERE invoice_number IS NOT NULL"),
            "total_cents": one("SELECT SUM(total_cents) FROM invoices"),
            "messages": one("SELECT COUNT(*) FROM outbox"),
            "drafts_left": one("SELECT COUNT(*) FROM invoice_lines WHERE invoice_number IS NULL"),
            "gapless": one(
                "SELECT COUNT(*) = MAX(number) AND MAX(number) = "
                "(SELECT value FROM counters WHERE name = 'invoice_number') "
                "FROM invoices"
            ),
        }
    finally:
        conn.close()


def check(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    """Every way in which the run's result differs from what it must be."""
    problems = [
        f"{key}: expected {value}, found {found.get(key)}"
        for key, value in expected.items()
        if found.get(key) != value
    ]
    if found.get("drafts_left"):
        problems.append(f"{found['drafts_left']} drafts were not invoiced")
    if not found.get("gapless"):
        problems.append("invoice numbers are not 1..N with the counter at N")
    return problems


# -- the timed run (in a child process) -----------------------------------------------


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


# -- the baseline ---------------------------------------------------------------------


def baseline(path: str, workspaces: int, addons: int, drafts: int) -> float:
    """Seconds for plain sqlite3 to executemany the same number of lines in one transaction.

    The rows are built before the clock starts: the baseline is the cost of writing them.
    """
    per_team = addons + drafts
    rows = [
        (
            team_id(i),
            i * addons + (k % addons) + 1,
            "renewal",
            _option(k),
            1,
            "2026-03-01",
            "2026-03-31",
            590,
            "2026-03-01",
        )
        for i in range(workspaces)
        for k in range(per_team)
    ]
    conn = plain_connect(path)
    try:
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO invoice_lines (team_id, addon_id, kind, option, quantity, from_day, "
            "to_day, amount_cents, due_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute("COMMIT")
        seconds = time.perf_counter() - started
        inserted = conn.execute("SELECT COUNT(*) FROM invoice_lines").fetchone()[0]
    finally:
        conn.close()
    assert inserted == workspaces * drafts + len(rows), "the baseline lost rows"
    return seconds


def sql_floor(path: str, workspaces: int, per_transaction: int) -> float:
    """Seconds for plain sqlite3 to issue the turn's own statements for every workspace.

    Not a target, a yardstick: the statements ``services._turn_one_period`` sends (read
    the subscription, the live add-ons, the drafts and the counter; update the add-ons;
    advance the counter; store the invoice; mark the drafts; insert the renewals; find
    the workspace's Slack admins; queue their messages; audit; close the period), with
    the values computed from plain tuples, no domain objects, no asyncio. With
    ``per_transaction`` 1 it shows what one transaction per workspace costs by itself.
    """
    conn = plain_connect(path)
    now = NOW.isoformat()
    start, end = "2026-03-01", "2026-03-31"
    prices = {"users": 590, "storage": 590}
    try:
        started = time.perf_counter()
        number = conn.execute(
            "SELECT value FROM counters WHERE name = 'invoice_number'"
        ).fetchone()[0]
        for first in range(0, workspaces, per_transaction):
            conn.execute("BEGIN IMMEDIATE")
            for i in range(first, min(first + per_transaction, workspaces)):
                team = team_id(i)
                conn.execute(
                    "SELECT team_id, anchor, timezone, locale, last_closed "
                    "FROM subscriptions WHERE team_id = ?",
                    (team,),
                ).fetchone()
                live = conn.execute(
                    "SELECT id, option, quantity, booked_on, billed_until, status, "
                    "effective_on, ended_on FROM addons WHERE team_id = ? AND status IN (?, ?) "
                    "ORDER BY id",
                    (team, "active", "cancellation_pending"),
                ).fetchall()
                drafts = conn.execute(
                    "SELECT id, kind, addon_id, option, quantity, from_day, to_day, "
                    "amount_cents, due_on, invoice_number, credits_line_id FROM invoice_lines "
                    "WHERE team_id = ? AND invoice_number IS NULL ORDER BY id",
                    (team,),
                ).fetchall()
                number = (
                    conn.execute(
                        "SELECT value FROM counters WHERE name = 'invoice_number'"
                    ).fetchone()[0]
                    + 1
                )
                conn.executemany(
                    "UPDATE addons SET billed_until = ?, status = ?, effective_on = ?, "
                    "ended_on = ? WHERE team_id = ? AND id = ?",
                    [(end, "active", None, None, team, a[0]) for a in live],
                )
                total = sum(prices[a[1]] * a[2] for a in live) + sum(d[7] for d in drafts)
                conn.execute(
                    "UPDATE counters SET value = ? WHERE name = 'invoice_number' AND value = ?",
                    (number, number - 1),
                )
                conn.execute(
                    "INSERT INTO invoices (number, team_id, period_index, period_start, "
                    "period_end, total_cents, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (number, team, 2, start, end, total, now),
                )
                conn.executemany(
                    "UPDATE invoice_lines SET invoice_number = ? WHERE team_id = ? AND id = ? "
                    "AND invoice_number IS NULL",
                    [(number, team, d[0]) for d in drafts],
                )
                conn.executemany(
                    "INSERT INTO invoice_lines (team_id, addon_id, kind, option, quantity, "
                    "from_day, to_day, amount_cents, due_on, invoice_number, credits_line_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            team,
                            a[0],
                            "renewal",
                            a[1],
                            a[2],
                            start,
                            end,
                            prices[a[1]] * a[2],
                            start,
                            number,
                            None,
                        )
                        for a in live
                    ],
                )
                actors = conn.execute(
                    "SELECT DISTINCT actor FROM audit_log WHERE team_id = ? AND actor GLOB 'U*' "
                    "ORDER BY actor",
                    (team,),
                ).fetchall()
                for (actor,) in actors:
                    conn.execute(
                        "INSERT OR IGNORE INTO outbox (team_id, event_key, kind, payload, "
                        "created_at, next_try_at) VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            team,
                            f"invoice:{number}:{actor}",
                            "invoice_issued",
                            json.dumps({"number": number, "user": actor}),
                            now,
                            now,
                        ),
                    )
                conn.execute(
                    "INSERT INTO audit_log (team_id, at, actor, action, addon_id, "
                    "before_status, after_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        team,
                        now,
                        "billing-run",
                        "invoice_issued",
                        None,
                        None,
                        None,
                        json.dumps({"number": number, "total": total}),
                    ),
                )
                conn.execute(
                    "UPDATE subscriptions SET anchor = ?, timezone = ?, locale = ?, "
                    "last_closed = ? WHERE team_id = ?",
                    (ANCHOR.isoformat(), TIMEZONE, "de", start, team),
                )
            conn.execute("COMMIT")
        seconds = time.perf_counter() - started
        invoiced = conn.execute("SELECT COUNT(*) FROM invoices").fetchone()[0]
    finally:
        conn.close()
    assert invoiced == workspaces, "the SQL floor missed workspaces"
    return seconds


# -- the whole benchmark --------------------------------------------------------------


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


def render(r: dict[str, Any]) -> str:
    s = r["sizes"]
    out = [
        "== bench.billing_run: the billing run at scale (issue 7, benchmark 2) ==",
        *machine_lines(r["machine"]),
        f"sizes    : {n(s['workspaces'])} workspaces x {n(s['addons'])} add-ons, "
        f"{s['drafts']} per workspace with a draft -> {n(s['lines'])} invoice lines "
        f"({n(s['workspaces'] * s['addons'])} renewals + "
        f"{n(s['workspaces'] * s['drafts'])} drafts) on {n(s['workspaces'])} invoices",
        f"data     : anchor {ANCHOR}, {TIMEZONE}, February closed; run at "
        f"{NOW.isoformat()} (set up in bulk SQL in "
        f"{r['runs']['large']['setup_seconds']:.1f} s)",
        pragma_line("pragmas  : app      ", r["pragmas"]["app"]),
        pragma_line("           baseline ", r["pragmas"]["baseline"]),
        "",
    ]
    b, p = r["billing_run"], r["baseline"]
    rows = [
        [
            "services.billing_run",
            n(b["lines"]),
            f"{b['seconds']:.2f}",
            n(b["rate"]),
            f"{r['ratio']:.3f}",
        ],
        [
            f"baseline: sqlite3 executemany, one tx (median of {len(p['all_seconds'])})",
            n(p["lines"]),
            f"{p['seconds']:.3f}",
            n(p["rate"]),
            "1",
        ],
    ]
    for f in r["floors"]:
        per = "workspace" if f["per_transaction"] == 1 else f"{f['per_transaction']} workspaces"
        rows.append(
            [
                f"yardstick: sqlite3, the turn's statements, one tx per {per}",
                n(p["lines"]),
                f"{f['seconds']:.3f}",
                n(f["rate"]),
                f"{f['ratio']:.3f}",
            ]
        )
    out += table(["", "lines", "seconds", "lines/s", "x baseline"], rows)
    out += [
        "",
        f"ratio    : {r['ratio']:.4f} of the baseline's rate (1/{1 / r['ratio']:.0f}); "
        f"target >= {r['target']:.2f} -> {r['rate_verdict']}",
        *before_lines(r.get("before")),
        "",
        "memory (one child process per size: RSS when the run starts, peak RSS during it):",
    ]
    rows = []
    for label in ("small", "large"):
        run = r["runs"][label]
        rows.append(
            [
                n(run["expected"]["workspaces"]),
                f"{run['seconds']:.2f}",
                n(run["expected"]["lines"] / run["seconds"]),
                f"{run['rss_before_kib'] / 1024:.1f}",
                f"{run['rss_peak_kib'] / 1024:.1f}",
                f"{run['rss_growth_kib'] / 1024:.1f}",
            ]
        )
    out += table(
        ["workspaces", "seconds", "lines/s", "RSS at start MiB", "peak MiB", "growth MiB"], rows
    )
    m = r["memory"]
    out += [
        "",
        f"flat     : growth {m['growth_large_kib'] / 1024:.1f} MiB at "
        f"{n(s['workspaces'])} vs {m['growth_small_kib'] / 1024:.1f} MiB at "
        f"{n(s['small'])} workspaces ({m['per_1000_workspaces_kib'] / 1024:.2f} MiB per "
        f"1,000 more); allowed extra {m['allowed_extra_kib'] / 1024:.1f} MiB "
        f"-> {r['memory_verdict']}",
    ]
    if r["problems"]:
        out += ["", "RESULT WRONG:"] + [
            f"  {label}: {p}" for label, ps in r["problems"].items() for p in ps
        ]
    else:
        found = r["runs"]["large"]["found"]
        out.append(
            f"result   : {n(found['invoices'])} invoices numbered 1..{n(found['invoices'])}"
            f", {n(found['lines'])} lines, totals as expected (both sizes); "
            f"{n(found['messages'])} Slack messages queued"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.billing_run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--workspaces", type=int, help=f"default {FULL['workspaces']:,}")
    parser.add_argument(
        "--small",
        type=int,
        help=f"the second size, for the memory check (default {FULL['small']:,})",
    )
    parser.add_argument("--addons", type=int, help=f"per workspace (default {FULL['addons']})")
    parser.add_argument(
        "--drafts",
        type=int,
        help=f"add-ons per workspace booked this period, with a draft (default {FULL['drafts']})",
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--before",
        default=BEFORE_COMMIT,
        metavar="COMMIT",
        help="also run this benchmark at COMMIT, for A/B "
        f"(default {BEFORE_COMMIT}; 'none' to skip)",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="A/B rounds, before and now alternately (default 1)"
    )
    parser.add_argument("--worker", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0
    sizes = dict(QUICK if args.quick else FULL)
    for key in sizes:
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    if args.before == "none":
        result = measure(sizes["workspaces"], sizes["small"], sizes["addons"], sizes["drafts"])
    else:
        with checkout(args.before) as tree:
            now, before = [], []
            for _ in range(args.rounds):  # alternately, so both sides meet the same load
                before.append(
                    figures_before(
                        tree,
                        "bench.billing_run",
                        [
                            "--workspaces",
                            str(sizes["workspaces"]),
                            "--small",
                            str(sizes["small"]),
                            "--addons",
                            str(sizes["addons"]),
                            "--drafts",
                            str(sizes["drafts"]),
                        ],
                    )
                )
                result = measure(
                    sizes["workspaces"], sizes["small"], sizes["addons"], sizes["drafts"]
                )
                now.append(result["billing_run"]["seconds"])
        result["before"] = compare_before(
            now, before, args.before, lambda r: float(r["billing_run"]["seconds"])
        )
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
