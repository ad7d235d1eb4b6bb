"""What the run left in the database, and every way it differs from what it must be."""

from __future__ import annotations

import sqlite3
from datetime import date

from bench.common import scalar


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
