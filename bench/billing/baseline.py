"""The baseline: plain sqlite3 inserting as many invoice lines with one executemany."""

from __future__ import annotations

import time

from bench.billing.data import option_of, team_id
from bench.common import plain_connect


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
            option_of(k),
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
