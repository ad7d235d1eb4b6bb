"""The yardstick: plain sqlite3 issuing the turn's own statements for every workspace."""

from __future__ import annotations

import json
import time

from bench.billing.data import ANCHOR, NOW, TIMEZONE, team_id
from bench.common import plain_connect


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
