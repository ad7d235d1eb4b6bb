"""The billing run at scale on PostgreSQL, next to plain asyncpg sending its statements.

    python -m bench.pg_billing_run [--database URL] [--workspaces 10000] [--small 2000]
                                   [--addons 10] [--drafts 2] [--quick] [--json]

The data are those of ``bench.billing_run`` (N workspaces whose March turn is due, M
add-ons each, D of them with a proration draft, "book" audit entries by two admins),
copied into a database migrated by the app with ``COPY`` (``copy_records_to_table``).

Timed: ``bot.services.iter_billing_run(ctx, now)`` as the schedule runs it, in a child
process per size (RSS at the start and peak during the run, as in ``bench.billing_run``).

Yardstick: plain asyncpg on a copy of the same database sending the turn's own
statements (read the subscription, the live add-ons, the drafts and the counter; update
the add-ons; advance the counter; store the invoice; mark the drafts; insert the
renewals; find the Slack admins; queue their messages; audit; close the period), one
transaction per workspace, values from plain tuples, no domain objects.

Targets (issue 11): lines per second at least half the yardstick's; memory flat in the
number of workspaces (the growth at the large size exceeds the small size's by at most
max(8 MiB, 25 %)).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import asyncpg  # type: ignore[import-untyped,unused-ignore]

from bench.billing import data
from bench.billing.child import ROOT
from bench.billing.data import ADMINS, ANCHOR, FULL, NEW_BOOKING, NOW, QUICK, TIMEZONE, team_id
from bench.billing.figures import FLAT_SLACK_KIB, FLAT_SLACK_SHARE
from bench.common import machine, machine_lines, n, peak_rss_kib, reset_peak_rss, rss_kib, verdict
from bench.pg_common import (
    fix_sequences,
    migrated_database,
    new_database,
    plain,
    scratch,
    server_url,
    server_version,
    typed,
)

RATE_TARGET = 0.5  # at least half the plain-asyncpg yardstick's lines per second
START, END = date(2026, 3, 1), date(2026, 3, 31)


# -- the data -------------------------------------------------------------------------


def _drafts(workspaces: int, addons: int, drafts: int) -> tuple[Iterator[tuple[Any, ...]], int]:
    """The draft rows (as ``bench.billing_run`` prices them) and the total they carry."""
    from domain.addons import quote_booking
    from domain.catalog import Catalog
    from domain.periods import BillingSchedule

    catalog, schedule = Catalog(), BillingSchedule(ANCHOR)
    cents = {
        (o.key, q): quote_booking(o, q, NEW_BOOKING, schedule).draft_line(0).amount.cents
        for o in catalog
        for q in range(1, 6)
    }
    line = quote_booking(catalog["users"], 1, NEW_BOOKING, schedule).draft_line(0)
    carried = sum(
        cents[data.option_of(j), data.quantity_of(i, j)]
        for i in range(workspaces)
        for j in range(addons - drafts, addons)
    )
    rows = data.draft_rows(workspaces, addons, drafts, line, cents)
    return rows, carried


async def build(url: str, workspaces: int, addons: int, drafts: int) -> dict[str, int]:
    """Fill the migrated database at ``url`` with COPY; what the run must produce."""
    draft_rows, carried = _drafts(workspaces, addons, drafts)
    conn = await asyncpg.connect(plain(url))
    try:
        async with conn.transaction():
            await conn.copy_records_to_table(
                "subscriptions",
                columns=["team_id", "anchor", "timezone", "locale", "last_closed", "created_at"],
                records=map(typed, data.subscription_rows(workspaces)),
            )
            await conn.copy_records_to_table(
                "addons",
                columns=[
                    "id",
                    "team_id",
                    "option",
                    "quantity",
                    "booked_on",
                    "billed_until",
                    "status",
                    "effective_on",
                    "ended_on",
                    "created_at",
                ],
                records=map(typed, data.addon_rows(workspaces, addons, drafts)),
            )
            await conn.copy_records_to_table(
                "invoice_lines",
                columns=[
                    "team_id",
                    "addon_id",
                    "kind",
                    "option",
                    "quantity",
                    "from_day",
                    "to_day",
                    "amount_cents",
                    "due_on",
                ],
                records=map(typed, draft_rows),
            )
            await conn.copy_records_to_table(
                "audit_log",
                columns=[
                    "team_id",
                    "at",
                    "actor",
                    "action",
                    "addon_id",
                    "before_status",
                    "after_status",
                    "detail",
                ],
                records=map(typed, data.audit_rows(workspaces, addons, drafts)),
            )
            await fix_sequences(conn, "addons", "invoice_lines", "audit_log")
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    renewal = sum(590 * data.quantity_of(i, j) for i in range(workspaces) for j in range(addons))
    return {
        "workspaces": workspaces,
        "invoices": workspaces,
        "renewals": workspaces * addons,
        "carried": workspaces * drafts,
        "lines": workspaces * (addons + drafts),
        "total_cents": renewal + carried,
        "messages": workspaces * ADMINS,
    }


async def outcome(url: str) -> dict[str, int]:
    """What a run left in the database, to compare with ``build``'s expectation."""
    conn = await asyncpg.connect(plain(url))
    try:

        async def one(sql: str) -> int:
            return int(await conn.fetchval(sql) or 0)

        return {
            "workspaces": await one(
                "SELECT COUNT(*) FROM subscriptions WHERE last_closed = DATE '2026-03-01'"
            ),
            "invoices": await one("SELECT COUNT(*) FROM invoices"),
            "renewals": await one(
                "SELECT COUNT(*) FROM invoice_lines WHERE kind = 'renewal' "
                "AND invoice_number IS NOT NULL"
            ),
            "carried": await one(
                "SELECT COUNT(*) FROM invoice_lines WHERE kind = 'proration' "
                "AND invoice_number IS NOT NULL"
            ),
            "lines": await one(
                "SELECT COUNT(*) FROM invoice_lines WHERE invoice_number IS NOT NULL"
            ),
            "total_cents": await one("SELECT SUM(total_cents) FROM invoices"),
            "messages": await one("SELECT COUNT(*) FROM outbox"),
            "drafts_left": await one(
                "SELECT COUNT(*) FROM invoice_lines WHERE invoice_number IS NULL"
            ),
            "gapless": await one(
                "SELECT (COUNT(*) = MAX(number) AND MAX(number) = "
                "(SELECT value FROM counters WHERE name = 'invoice_number'))::int FROM invoices"
            ),
        }
    finally:
        await conn.close()


def check(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    """Every way in which a run's result differs from what it must be."""
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


async def _billing_run(url: str) -> dict[str, Any]:
    from bot import services
    from storage import Database

    db = Database(url)
    await db.open()
    try:
        ctx = services.Context(db)
        gc.collect()
        reset_peak_rss()
        rss_before = rss_kib()
        started = time.perf_counter()
        turns = 0
        async for _turn in services.iter_billing_run(ctx, NOW):
            turns += 1
        seconds = time.perf_counter() - started
        rss_peak = peak_rss_kib()
    finally:
        await db.close()
    found = await outcome(url)
    return {
        "seconds": seconds,
        "turns": turns,
        "rss_before_kib": rss_before,
        "rss_peak_kib": rss_peak,
        "found": found,
    }


def run_child(url: str) -> dict[str, Any]:
    """The app's run in a fresh interpreter, so its memory figures are this size's alone."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.pg_billing_run", "--worker", url],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": ROOT},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"billing run worker failed:\n{proc.stderr}")
    report: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return report


# -- the yardstick --------------------------------------------------------------------


async def _turn(conn: Any, team: str, now: Any) -> None:
    """One workspace's turn as plain statements (see the module docstring)."""
    prices = {"users": 590, "storage": 590}
    await conn.fetchrow(
        "SELECT team_id, anchor, timezone, locale, last_closed FROM subscriptions "
        "WHERE team_id = $1 FOR UPDATE",
        team,
    )
    live = await conn.fetch(
        "SELECT id, option, quantity, booked_on, billed_until, status, effective_on, ended_on "
        "FROM addons WHERE team_id = $1 AND status IN ('active', 'cancellation_pending') "
        "ORDER BY id",
        team,
    )
    drafts = await conn.fetch(
        "SELECT id, kind, addon_id, option, quantity, from_day, to_day, amount_cents, due_on, "
        "invoice_number, credits_line_id FROM invoice_lines "
        "WHERE team_id = $1 AND invoice_number IS NULL ORDER BY id",
        team,
    )
    number = (
        await conn.fetchval("SELECT value FROM counters WHERE name = 'invoice_number' FOR UPDATE")
        or 0
    ) + 1
    await conn.executemany(
        "UPDATE addons SET billed_until = $1, status = $2, effective_on = $3, ended_on = $4 "
        "WHERE team_id = $5 AND id = $6",
        [(END, "active", None, None, team, a[0]) for a in live],
    )
    total = sum(prices[a[1]] * a[2] for a in live) + sum(d[7] for d in drafts)
    await conn.execute(
        "INSERT INTO counters (name, value) VALUES ('invoice_number', $1) "
        "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
        number,
    )
    await conn.execute(
        "INSERT INTO invoices (number, team_id, period_index, period_start, period_end, "
        "total_cents, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        number,
        team,
        2,
        START,
        END,
        total,
        now,
    )
    await conn.executemany(
        "UPDATE invoice_lines SET invoice_number = $1 WHERE team_id = $2 AND id = $3 "
        "AND invoice_number IS NULL",
        [(number, team, d[0]) for d in drafts],
    )
    await conn.executemany(
        "INSERT INTO invoice_lines (team_id, addon_id, kind, option, quantity, from_day, "
        "to_day, amount_cents, due_on, invoice_number, credits_line_id) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        [
            (
                team,
                a[0],
                "renewal",
                a[1],
                a[2],
                START,
                END,
                prices[a[1]] * a[2],
                START,
                number,
                None,
            )
            for a in live
        ],
    )
    actors = await conn.fetch(
        "SELECT DISTINCT actor FROM audit_log WHERE team_id = $1 AND actor LIKE 'U%' "
        "ORDER BY actor",
        team,
    )
    for (actor,) in actors:
        await conn.execute(
            "INSERT INTO outbox (team_id, event_key, kind, payload, created_at, next_try_at) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_key) DO NOTHING",
            team,
            f"invoice:{number}:{actor}",
            "invoice_issued",
            json.dumps({"number": number, "user": actor}),
            now,
            now,
        )
    await conn.execute(
        "INSERT INTO audit_log (team_id, at, actor, action, addon_id, before_status, "
        "after_status, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        team,
        now,
        "billing-run",
        "invoice_issued",
        None,
        None,
        None,
        json.dumps({"number": number, "total": total}),
    )
    await conn.execute(
        "UPDATE subscriptions SET anchor = $1, timezone = $2, locale = $3, last_closed = $4 "
        "WHERE team_id = $5",
        ANCHOR,
        TIMEZONE,
        "de",
        START,
        team,
    )


async def yardstick(url: str, workspaces: int) -> float:
    """Seconds for plain asyncpg to send every workspace's turn, one transaction each."""
    conn = await asyncpg.connect(plain(url))
    try:
        started = time.perf_counter()
        for i in range(workspaces):
            async with conn.transaction():
                await _turn(conn, team_id(i), NOW)
        seconds = time.perf_counter() - started
        invoiced = await conn.fetchval("SELECT COUNT(*) FROM invoices")
    finally:
        await conn.close()
    assert invoiced == workspaces, "the yardstick missed workspaces"
    return seconds


# -- the whole benchmark --------------------------------------------------------------


async def measure(
    server: str, workspaces: int, small: int, addons: int, drafts: int
) -> dict[str, Any]:
    """Build both sizes, run the yardstick and the app's run, judge them."""
    async with scratch(server) as made:
        sources: dict[str, tuple[str, dict[str, int], float]] = {}
        for label, count in (("small", small), ("large", workspaces)):
            started = time.perf_counter()
            source = await migrated_database(server)
            made.append(source)
            expected = await build(source, count, addons, drafts)
            sources[label] = (source, expected, time.perf_counter() - started)
        copy = await new_database(server, template=sources["large"][0])
        made.append(copy)
        yard_seconds = await yardstick(copy, workspaces)
        yard_found = await outcome(copy)
        runs: dict[str, dict[str, Any]] = {}
        for label, (source, expected, setup) in sources.items():
            copy = await new_database(server, template=source)
            made.append(copy)
            run = await asyncio.to_thread(run_child, copy)
            run["expected"] = expected
            run["problems"] = check(expected, run["found"])
            run["setup_seconds"] = setup
            run["rss_growth_kib"] = run["rss_peak_kib"] - run["rss_before_kib"]
            runs[label] = run
        version = await server_version(server)
    expected = runs["large"]["expected"]
    lines = expected["lines"]
    rate, yard_rate = lines / runs["large"]["seconds"], lines / yard_seconds
    growth_small, growth_large = runs["small"]["rss_growth_kib"], runs["large"]["rss_growth_kib"]
    allowed = max(FLAT_SLACK_KIB, FLAT_SLACK_SHARE * growth_small)
    problems = {label: run["problems"] for label, run in runs.items() if run["problems"]}
    yard_problems = check({k: v for k, v in expected.items() if k != "messages"}, yard_found)
    if yard_problems:
        problems["yardstick"] = yard_problems
    return {
        "benchmark": "pg_billing_run",
        "machine": machine(),
        "server": version,
        "sizes": {
            "workspaces": workspaces,
            "small": small,
            "addons": addons,
            "drafts": drafts,
            "lines": lines,
        },
        "runs": runs,
        "billing_run": {"lines": lines, "seconds": runs["large"]["seconds"], "rate": rate},
        "yardstick": {"lines": lines, "seconds": yard_seconds, "rate": yard_rate},
        "ratio": rate / yard_rate,
        "target": RATE_TARGET,
        "rate_verdict": verdict(rate / yard_rate >= RATE_TARGET),
        "memory": {
            "growth_small_kib": growth_small,
            "growth_large_kib": growth_large,
            "allowed_extra_kib": allowed,
        },
        "memory_verdict": verdict(growth_large - growth_small <= allowed),
        "problems": problems,
    }


def render(r: dict[str, Any]) -> str:
    """The report as text."""
    s, m = r["sizes"], r["memory"]
    out = [
        "Billing run on PostgreSQL (issue 11)",
        *machine_lines(r["machine"]),
        f"PostgreSQL {r['server']}",
        f"{n(s['workspaces'])} workspaces x {s['addons']} add-ons ({s['drafts']} with a draft):"
        f" {n(s['lines'])} lines",
        f"  app (iter_billing_run)        {n(r['billing_run']['seconds'], 2)} s  "
        f"{n(r['billing_run']['rate'])} lines/s",
        f"  plain asyncpg, 1 tx/workspace {n(r['yardstick']['seconds'], 2)} s  "
        f"{n(r['yardstick']['rate'])} lines/s",
        f"  ratio {r['ratio']:.2f} (target >= {r['target']}): {r['rate_verdict']}",
        f"Memory: RSS growth during the run {n(m['growth_small_kib'] / 1024, 1)} MiB at "
        f"{n(s['small'])} workspaces, {n(m['growth_large_kib'] / 1024, 1)} MiB at "
        f"{n(s['workspaces'])} (allowed extra {n(m['allowed_extra_kib'] / 1024, 1)} MiB): "
        f"{r['memory_verdict']}",
    ]
    if r["problems"]:
        out.append(f"WRONG RESULTS: {r['problems']}")
    else:
        out.append("Checked: invoices, lines, totals, no draft left, numbers 1..N (both sizes)")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 only when the timed work came out wrong."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.pg_billing_run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database", metavar="URL", help="the PostgreSQL server to use")
    parser.add_argument("--workspaces", type=int, help=f"default {FULL['workspaces']:,}")
    parser.add_argument("--small", type=int, help=f"second size (default {FULL['small']:,})")
    parser.add_argument("--addons", type=int, help=f"per workspace (default {FULL['addons']})")
    parser.add_argument("--drafts", type=int, help=f"with a draft (default {FULL['drafts']})")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--worker", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(asyncio.run(_billing_run(args.worker))))
        return 0
    sizes = dict(QUICK if args.quick else FULL)
    for key in sizes:
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    result = asyncio.run(
        measure(
            server_url(args.database),
            sizes["workspaces"],
            sizes["small"],
            sizes["addons"],
            sizes["drafts"],
        )
    )
    print(json.dumps(result, indent=2, default=str) if args.json else render(result))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
