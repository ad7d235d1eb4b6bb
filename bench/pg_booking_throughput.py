"""Sequential bookings through the use case on PostgreSQL, next to plain asyncpg.

    python -m bench.pg_booking_throughput [--database URL] [--bookings 2000]
                                          [--workspaces 20] [--quick] [--json]

Timed: K bookings one after the other through ``bot.services.book`` (as in
``bench.booking_throughput``: each its own confirmation key, each one transaction with
the add-on, its draft line, the idempotency key and the audit entry), round-robin over W
workspaces created untimed with ``services.set_workspace``, in a database migrated by
the app.

Yardstick: plain asyncpg on a database of the same schema sending the booking's own
statements, one transaction per booking (read the subscription and the key; insert the
add-on, its draft line, the key and the audit entry). Both sides first do WARMUP untimed
bookings. Target (issue 11): at least half the yardstick's rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import date
from typing import Any

import asyncpg  # type: ignore[import-untyped,unused-ignore]

from bench.booking_throughput import (
    ANCHOR,
    FULL,
    NOW,
    QUICK,
    WARMUP,
    _bookings,
    _option,
    _quantity,
    team_id,
)
from bench.common import machine, machine_lines, n, verdict
from bench.pg_common import migrated_database, plain, scratch, server_url, server_version

RATE_TARGET = 0.5
BOOKED_ON, BILLED_UNTIL, DUE_ON = date(2026, 3, 10), date(2026, 3, 31), date(2026, 4, 1)


async def outcome(url: str) -> dict[str, int]:
    """What the bookings left in the database."""
    conn = await asyncpg.connect(plain(url))
    try:
        return {
            "addons": int(await conn.fetchval("SELECT COUNT(*) FROM addons")),
            "drafts": int(
                await conn.fetchval(
                    "SELECT COUNT(*) FROM invoice_lines WHERE invoice_number IS NULL "
                    "AND kind = 'proration' AND amount_cents > 0"
                )
            ),
            "keys": int(await conn.fetchval("SELECT COUNT(*) FROM idempotency_keys")),
            "audit": int(
                await conn.fetchval("SELECT COUNT(*) FROM audit_log WHERE action = 'book'")
            ),
        }
    finally:
        await conn.close()


async def _book(conn: Any, i: int, workspaces: int) -> None:
    """One booking's statements in one transaction."""
    team, option, quantity = team_id(i % workspaces), _option(i), _quantity(i)
    async with conn.transaction():
        await conn.fetchrow(
            "SELECT team_id, anchor, timezone, locale, last_closed FROM subscriptions "
            "WHERE team_id = $1",
            team,
        )
        await conn.fetchval(
            "SELECT addon_id FROM idempotency_keys WHERE team_id = $1 AND key = $2", team, f"k{i}"
        )
        addon_id = await conn.fetchval(
            "INSERT INTO addons (team_id, option, quantity, booked_on, billed_until, status, "
            "effective_on, ended_on, created_at) VALUES ($1, $2, $3, $4, $5, 'active', NULL, "
            "NULL, $6) RETURNING id",
            team,
            option,
            quantity,
            BOOKED_ON,
            BILLED_UNTIL,
            NOW,
        )
        await conn.execute(
            "INSERT INTO invoice_lines (team_id, addon_id, kind, option, quantity, from_day, "
            "to_day, amount_cents, due_on, invoice_number, credits_line_id) "
            "VALUES ($1, $2, 'proration', $3, $4, $5, $6, $7, $8, NULL, NULL)",
            team,
            addon_id,
            option,
            quantity,
            BOOKED_ON,
            BILLED_UNTIL,
            419 * quantity,
            DUE_ON,
        )
        await conn.execute(
            "INSERT INTO idempotency_keys (team_id, key, addon_id, created_at) "
            "VALUES ($1, $2, $3, $4)",
            team,
            f"k{i}",
            addon_id,
            NOW,
        )
        detail = {"option": option, "prorated": "4.19", "quantity": quantity}
        await conn.execute(
            "INSERT INTO audit_log (team_id, at, actor, action, addon_id, before_status, "
            "after_status, detail) VALUES ($1, $2, $3, 'book', $4, NULL, 'active', $5)",
            team,
            NOW,
            f"U{i % workspaces:07d}",
            addon_id,
            json.dumps(detail, sort_keys=True),
        )


async def yardstick(url: str, bookings: int, workspaces: int) -> float:
    """Seconds for plain asyncpg to send ``bookings`` bookings' statements."""
    conn = await asyncpg.connect(plain(url))
    try:
        await conn.executemany(
            "INSERT INTO subscriptions (team_id, anchor, timezone, locale, last_closed, "
            "created_at) VALUES ($1, $2, 'Europe/Berlin', 'de', $3, $4)",
            [(team_id(w), ANCHOR, date(2026, 3, 1), NOW) for w in range(workspaces)],
        )
        for i in range(bookings, bookings + WARMUP):
            await _book(conn, i, workspaces)
        started = time.perf_counter()
        for i in range(bookings):
            await _book(conn, i, workspaces)
        seconds = time.perf_counter() - started
        written = await conn.fetchval("SELECT COUNT(*) FROM idempotency_keys")
    finally:
        await conn.close()
    assert written == bookings + WARMUP, "the yardstick lost bookings"
    return seconds


async def measure(server: str, bookings: int, workspaces: int) -> dict[str, Any]:
    """Both sides on fresh databases of the app's schema; the figures."""
    if bookings < 1 or workspaces < 1:
        raise ValueError("--bookings and --workspaces must be at least 1")
    async with scratch(server) as made:
        made.append(yard_db := await migrated_database(server))
        yard_seconds = await yardstick(yard_db, bookings, workspaces)
        made.append(app_db := await migrated_database(server))
        run = await _bookings(app_db, bookings, workspaces)
        found = await outcome(app_db)
        version = await server_version(server)
    problems = []
    want = bookings + WARMUP
    if found != {"addons": want, "drafts": want, "keys": want, "audit": want}:
        problems.append(f"expected {want} of each, found {found}")
    if run["created"] != bookings or run["repeat_created"]:
        problems.append("a booking was lost, or a repeated key booked again")
    rate, yard_rate = bookings / run["seconds"], bookings / yard_seconds
    return {
        "benchmark": "pg_booking_throughput",
        "machine": machine(),
        "server": version,
        "sizes": {"bookings": bookings, "workspaces": workspaces},
        "bookings": {**run, "rate": rate},
        "yardstick": {"seconds": yard_seconds, "rate": yard_rate},
        "ratio": rate / yard_rate,
        "target": RATE_TARGET,
        "verdict": verdict(rate / yard_rate >= RATE_TARGET),
        "problems": problems,
    }


def render(r: dict[str, Any]) -> str:
    """The report as text."""
    b, y = r["bookings"], r["yardstick"]
    out = [
        "Bookings on PostgreSQL (issue 11)",
        *machine_lines(r["machine"]),
        f"PostgreSQL {r['server']}",
        f"{n(r['sizes']['bookings'])} bookings over {r['sizes']['workspaces']} workspaces",
        f"  app (services.book)               {n(b['seconds'], 2)} s  {n(b['rate'])}/s  "
        f"p50 {b['p50_ms']:.1f} ms  p99 {b['p99_ms']:.1f} ms",
        f"  plain asyncpg, 1 tx per booking   {n(y['seconds'], 2)} s  {n(y['rate'])}/s",
        f"  ratio {r['ratio']:.2f} (target >= {r['target']}): {r['verdict']}",
    ]
    out.append(
        f"WRONG RESULTS: {r['problems']}"
        if r["problems"]
        else "Checked: every booking "
        "stored once (add-on, draft, key, audit); a repeated key books nothing"
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 only when the timed work came out wrong."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.pg_booking_throughput",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database", metavar="URL", help="the PostgreSQL server to use")
    parser.add_argument("--bookings", type=int, help=f"default {FULL['bookings']:,}")
    parser.add_argument("--workspaces", type=int, help=f"default {FULL['workspaces']}")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    for key in sizes:
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    result = asyncio.run(measure(server_url(args.database), sizes["bookings"], sizes["workspaces"]))
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
