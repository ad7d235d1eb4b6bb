"""The billing run benchmark's report as text."""

from __future__ import annotations

from typing import Any

from bench.billing.data import ANCHOR, NOW, TIMEZONE
from bench.common import before_lines, machine_lines, n, pragma_line, table


def render(r: dict[str, Any]) -> str:
    """The report: sizes, the run against the baseline and yardsticks, memory, result."""
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
