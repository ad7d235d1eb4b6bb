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
import json
import sys

from bench.billing.child import worker
from bench.billing.data import ADMINS, FULL, QUICK
from bench.billing.figures import FLOOR_BATCHES, RATE_TARGET, measure
from bench.billing.outcome import check
from bench.billing.report import render
from bench.common import BEFORE_COMMIT, checkout, compare_before, figures_before

__all__ = [
    "ADMINS",
    "FLOOR_BATCHES",
    "FULL",
    "QUICK",
    "RATE_TARGET",
    "check",
    "main",
    "measure",
    "render",
    "worker",
]


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
