"""Benchmark 3 of issue 7: sequential bookings through the use case, against plain sqlite3.

    python -m bench.booking_throughput [--bookings 2000] [--workspaces 20] [--quick] [--json]

Timed: K bookings one after the other through ``bot.services.book`` (each its own
confirmation key, so each books; each one transaction: add-on, draft line, idempotency
key, audit entry), spread round-robin over W workspaces created beforehand with
``services.set_workspace`` (not timed), on a fresh file migrated by the app.

Baseline: plain ``sqlite3`` writing as many rows into ``addons`` (same schema, indexes,
foreign keys and pragmas), one ``BEGIN IMMEDIATE; INSERT; COMMIT`` per row, as the use
case opens its transactions; the median of three runs on fresh files.

Yardstick (not a target): plain ``sqlite3`` issuing the booking's own statements, one
transaction per booking (``sql_floor``): no code over this schema can beat it.

Every side first does WARMUP untimed writes. Target (issue 7): at least half the
baseline's rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from typing import Any

from bench.common import (
    BEFORE_COMMIT,
    app_pragmas,
    before_lines,
    checkout,
    compare_before,
    create_schema,
    figures_before,
    machine,
    machine_lines,
    median,
    n,
    percentile,
    plain_connect,
    pragma_line,
    pragmas_of,
    scalar,
    table,
    timed_steps,
    verdict,
)

ANCHOR = date(2026, 1, 1)
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
CREATED_AT = NOW.isoformat()
RATE_TARGET = 0.5
BASELINE_REPEATS = 3
WARMUP = 20

FULL = {"bookings": 2_000, "workspaces": 20}
QUICK = {"bookings": 150, "workspaces": 3}


def team_id(i: int) -> str:
    return f"T{i:07d}"


def _option(i: int) -> str:
    return "users" if i % 2 == 0 else "storage"


def _quantity(i: int) -> int:
    return 1 + i % 7


# -- the use case ---------------------------------------------------------------------


async def _bookings(path: str, bookings: int, workspaces: int) -> dict[str, Any]:
    from bot import services
    from storage import Database

    db = Database(path)
    await db.open()
    try:
        ctx = services.Context(db)
        for w in range(workspaces):
            await services.set_workspace(ctx, team_id(w), ANCHOR, NOW)
        for i in range(WARMUP):
            await services.book(
                ctx,
                team_id(i % workspaces),
                _option(i),
                1,
                NOW,
                key=f"warmup-{i}",
                actor="U0000001",
            )
        latencies = []
        created = 0
        started = time.perf_counter()
        for i in range(bookings):
            t0 = time.perf_counter()
            booked = await services.book(
                ctx,
                team_id(i % workspaces),
                _option(i),
                _quantity(i),
                NOW,
                key=f"bench-{i}",
                actor=f"U{i % workspaces:07d}",
            )
            latencies.append(time.perf_counter() - t0)
            created += booked.created
        seconds = time.perf_counter() - started
        again = await services.book(
            ctx, team_id(0), _option(0), _quantity(0), NOW, key="bench-0", actor="U0000000"
        )
    finally:
        await db.close()
    return {
        "seconds": seconds,
        "created": created,
        "repeat_created": again.created,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
    }


def outcome(path: str) -> dict[str, int]:
    """What the bookings left in the database."""
    conn = sqlite3.connect(path)
    try:

        def one(sql: str) -> int:
            return scalar(conn, sql)

        return {
            "addons": one("SELECT COUNT(*) FROM addons WHERE created_at IS NOT NULL"),
            "drafts": one(
                "SELECT COUNT(*) FROM invoice_lines WHERE invoice_number IS NULL "
                "AND kind = 'proration' AND amount_cents > 0"
            ),
            "keys": one("SELECT COUNT(*) FROM idempotency_keys"),
            "audit": one("SELECT COUNT(*) FROM audit_log WHERE action = 'book'"),
        }
    finally:
        conn.close()


# -- the baseline ---------------------------------------------------------------------


def _prepare(path: str, workspaces: int) -> None:
    """A migrated file with the workspaces' subscriptions, as the use case finds them."""
    create_schema(path)
    conn = plain_connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO subscriptions (team_id, anchor, timezone, locale, last_closed, "
            "created_at) VALUES (?, ?, 'Europe/Berlin', 'de', ?, ?)",
            [(team_id(w), ANCHOR.isoformat(), "2026-03-01", CREATED_AT) for w in range(workspaces)],
        )
        conn.execute("COMMIT")
    finally:
        conn.close()


def baseline(path: str, rows: int, workspaces: int) -> float:
    """Seconds for plain sqlite3 to write ``rows`` add-ons, one transaction each."""
    _prepare(path, workspaces)
    conn = plain_connect(path)
    try:
        insert = (
            "INSERT INTO addons (team_id, option, quantity, booked_on, billed_until, "
            "status, effective_on, ended_on, created_at) "
            "VALUES (?, ?, ?, ?, ?, 'active', NULL, NULL, ?)"
        )

        def write(i: int) -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                insert,
                (
                    team_id(i % workspaces),
                    _option(i),
                    _quantity(i),
                    "2026-03-10",
                    "2026-03-31",
                    CREATED_AT,
                ),
            )
            conn.execute("COMMIT")

        seconds = timed_steps(write, rows, warmup=range(WARMUP))
        written = conn.execute("SELECT COUNT(*) FROM addons").fetchone()[0]
    finally:
        conn.close()
    assert written == WARMUP + rows, "the baseline lost rows"
    return seconds


def sql_floor(path: str, rows: int, workspaces: int) -> float:
    """Seconds for plain sqlite3 to issue the booking's own statements, one tx per booking.

    Not a target, a yardstick: what ``services.book`` sends (read the subscription and
    the key; insert the add-on, its draft line, the key and the audit entry; commit),
    with no domain objects and no asyncio. Its distance to the baseline is what writing
    four rows instead of one costs; the use case's distance to it is the stack's cost.
    """
    _prepare(path, workspaces)
    conn = plain_connect(path)
    try:

        def book(i: int) -> None:
            team = team_id(i % workspaces)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "SELECT team_id, anchor, timezone, locale, last_closed "
                "FROM subscriptions WHERE team_id = ?",
                (team,),
            ).fetchall()
            conn.execute(
                "SELECT addon_id FROM idempotency_keys WHERE team_id = ? AND key = ?",
                (team, f"k{i}"),
            ).fetchall()
            addon_id = conn.execute(
                "INSERT INTO addons (team_id, option, quantity, booked_on, billed_until, "
                "status, effective_on, ended_on, created_at) "
                "VALUES (?, ?, ?, ?, ?, 'active', NULL, NULL, ?)",
                (team, _option(i), _quantity(i), "2026-03-10", "2026-03-31", CREATED_AT),
            ).lastrowid
            conn.execute(
                "INSERT INTO invoice_lines (team_id, addon_id, kind, option, quantity, "
                "from_day, to_day, amount_cents, due_on, invoice_number, credits_line_id) "
                "VALUES (?, ?, 'proration', ?, ?, ?, ?, ?, ?, NULL, NULL)",
                (
                    team,
                    addon_id,
                    _option(i),
                    _quantity(i),
                    "2026-03-10",
                    "2026-03-31",
                    419 * _quantity(i),
                    "2026-04-01",
                ),
            )
            conn.execute(
                "INSERT INTO idempotency_keys (team_id, key, addon_id, created_at) "
                "VALUES (?, ?, ?, ?)",
                (team, f"k{i}", addon_id, CREATED_AT),
            )
            conn.execute(
                "INSERT INTO audit_log (team_id, at, actor, action, addon_id, before_status, "
                "after_status, detail) VALUES (?, ?, ?, 'book', ?, NULL, 'active', ?)",
                (
                    team,
                    CREATED_AT,
                    f"U{i % workspaces:07d}",
                    addon_id,
                    json.dumps(
                        {"option": _option(i), "prorated": "4.19", "quantity": _quantity(i)},
                        sort_keys=True,
                    ),
                ),
            )
            conn.execute("COMMIT")

        seconds = timed_steps(book, rows, warmup=range(rows, rows + WARMUP))
        written = conn.execute("SELECT COUNT(*) FROM idempotency_keys").fetchone()[0]
    finally:
        conn.close()
    assert written == WARMUP + rows, "the SQL yardstick lost rows"
    return seconds


# -- the whole benchmark --------------------------------------------------------------


def measure(bookings: int, workspaces: int) -> dict[str, Any]:
    if bookings < 1 or workspaces < 1:
        raise ValueError("--bookings and --workspaces must be at least 1")
    with tempfile.TemporaryDirectory(prefix="bench-booking-") as tmp:
        base = [
            baseline(os.path.join(tmp, f"baseline-{k}.db"), bookings, workspaces)
            for k in range(BASELINE_REPEATS)
        ]
        floor = [
            sql_floor(os.path.join(tmp, f"floor-{k}.db"), bookings, workspaces)
            for k in range(BASELINE_REPEATS)
        ]
        probe = plain_connect(os.path.join(tmp, "baseline-0.db"))
        plain = pragmas_of(probe)
        probe.close()
        path = os.path.join(tmp, "app.db")
        create_schema(path)
        app = app_pragmas(path)
        run = asyncio.run(_bookings(path, bookings, workspaces))
        found = outcome(path)

    expected = {key: bookings + WARMUP for key in ("addons", "drafts", "keys", "audit")}
    problems = [
        f"{key}: expected {value}, found {found.get(key)}"
        for key, value in expected.items()
        if found.get(key) != value
    ]
    if run["created"] != bookings:
        problems.append(f"{bookings - run['created']} bookings were not created")
    if run["repeat_created"]:
        problems.append("a repeated confirmation key booked a second time")
    rate = bookings / run["seconds"]
    base_seconds = median(base)
    base_rate = bookings / base_seconds
    ratio = rate / base_rate
    return {
        "benchmark": "booking_throughput",
        "machine": machine(),
        "sizes": {"bookings": bookings, "workspaces": workspaces, "warmup": WARMUP},
        "pragmas": {"app": app, "baseline": plain},
        "book": {
            "count": bookings,
            "seconds": run["seconds"],
            "rate": rate,
            "p50_ms": run["p50_ms"],
            "p99_ms": run["p99_ms"],
        },
        "baseline": {
            "count": bookings,
            "seconds": base_seconds,
            "rate": base_rate,
            "all_seconds": base,
        },
        "floor": {
            "count": bookings,
            "seconds": median(floor),
            "rate": bookings / median(floor),
            "ratio": base_seconds / median(floor),
            "all_seconds": floor,
        },
        "found": found,
        "ratio": ratio,
        "target": RATE_TARGET,
        "verdict": verdict(ratio >= RATE_TARGET),
        "problems": problems,
    }


def render(r: dict[str, Any]) -> str:
    s, b, p = r["sizes"], r["book"], r["baseline"]
    out = [
        "== bench.booking_throughput: sequential bookings (issue 7, benchmark 3) ==",
        *machine_lines(r["machine"]),
        f"sizes    : {n(s['bookings'])} bookings over {n(s['workspaces'])} workspaces, "
        f"one at a time, distinct keys (after {s['warmup']} untimed warm-up writes each)",
        pragma_line("pragmas  : app      ", r["pragmas"]["app"]),
        pragma_line("           baseline ", r["pragmas"]["baseline"]),
        "",
    ]
    f = r["floor"]
    out += table(
        ["", "rows", "seconds", "per second", "mean ms", "x baseline"],
        [
            [
                "services.book (one tx: add-on, draft, key, audit)",
                n(b["count"]),
                f"{b['seconds']:.3f}",
                n(b["rate"]),
                f"{1000 / b['rate']:.3f}",
                f"{r['ratio']:.3f}",
            ],
            [
                f"baseline: sqlite3 INSERT + COMMIT per row (median of {len(p['all_seconds'])})",
                n(p["count"]),
                f"{p['seconds']:.3f}",
                n(p["rate"]),
                f"{1000 / p['rate']:.3f}",
                "1",
            ],
            [
                f"yardstick: sqlite3, the booking's statements per tx (median of "
                f"{len(f['all_seconds'])})",
                n(f["count"]),
                f"{f['seconds']:.3f}",
                n(f["rate"]),
                f"{1000 / f['rate']:.3f}",
                f"{f['ratio']:.3f}",
            ],
        ],
    )
    out += [
        "",
        f"latency  : services.book p50 {b['p50_ms']:.2f} ms, p99 {b['p99_ms']:.2f} ms",
        f"ratio    : {r['ratio']:.3f} of the baseline's rate (1/{1 / r['ratio']:.1f}); "
        f"target >= {r['target']:.2f} -> {r['verdict']}",
        *before_lines(r.get("before")),
    ]
    if r["problems"]:
        out += ["", "RESULT WRONG:", *(f"  {p}" for p in r["problems"])]
    else:
        out.append(
            "result   : every booking stored once with its draft, key and audit entry; "
            "a repeated key booked nothing"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.booking_throughput",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--bookings", type=int, help=f"default {FULL['bookings']:,}")
    parser.add_argument("--workspaces", type=int, help=f"default {FULL['workspaces']}")
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
        "--rounds", type=int, default=3, help="A/B rounds, before and now alternately (default 3)"
    )
    args = parser.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    for key in sizes:
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    if args.before == "none":
        result = measure(sizes["bookings"], sizes["workspaces"])
    else:
        with checkout(args.before) as tree:
            now, before = [], []
            for _ in range(args.rounds):  # alternately, so both sides meet the same load
                before.append(
                    figures_before(
                        tree,
                        "bench.booking_throughput",
                        [
                            "--bookings",
                            str(sizes["bookings"]),
                            "--workspaces",
                            str(sizes["workspaces"]),
                        ],
                    )
                )
                result = measure(sizes["bookings"], sizes["workspaces"])
                now.append(result["book"]["seconds"])
        result["before"] = compare_before(
            now, before, args.before, lambda r: float(r["book"]["seconds"])
        )
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
