"""The latency benchmark's report as text."""

from __future__ import annotations

from typing import Any

from bench.common import machine_lines, n, table
from bench.latency.figures import stats
from bench.latency.plans import KIND_LABELS, KINDS, VIEWS_LABELS


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def render(r: dict[str, Any]) -> str:
    """The report: sizes, both servers' acks, the views calls, Slack's 3 s, the verdicts."""
    s = r["sizes"]
    out = [
        "== bench.interaction_latency: /addons and Bestätigen over HTTP (issue 7, benchmark 1) ==",
        *machine_lines(r["machine"]),
        f"sizes    : single {n(s['single'])} requests at concurrency 1, steady "
        f"{n(s['requests'])} at concurrency {s['concurrency']} ({s['rounds']} rounds), "
        f"burst {n(s['burst'])} at concurrency {s['burst_concurrency']};",
        f"           half /addons, half Bestätigen (each books); {s['workspaces']} "
        f"workspaces x {s['admins']} admins",
        "layout   : app (real, SQLite file) and two baselines (bare Bolt: ack only; and ack "
        "then views.open of a one-line modal on /addons), each in its own process;",
        "           load generator + mock Slack Web API in this process "
        f"(API delay {s['api_delay_ms']:g} ms); closed loop: a worker clicks again once "
        "its result is shown",
        "",
    ]
    out += _acks(r)
    out += _views(r)
    labels = {
        "app_ack": "slowest acknowledgement, app",
        "views_open": "slowest views.open after /addons (trigger lives 3 s)",
        "views_update": "slowest views.update (overview filled or redrawn)",
        "bare_ack": "slowest acknowledgement, bare app (for reference)",
    }
    out += ["", "Slack's 3 seconds, at any concurrency:"]
    out += table(
        ["", "ms", "limit", ""],
        [
            [labels[k], _ms(v["max_ms"]), f"{r['slack_limit_ms']:,.0f}", v["verdict"]]
            for k, v in r["slowest"].items()
        ],
    )
    d = r["degraded"]
    out += ["", "served in full (the app's polite failures under load, none expected):"]
    out += [
        f"  {name:<8}: {v['notices']} overviews replaced by a notice, "
        f"{v['busy_refusals']} confirmations refused as busy (nothing booked)"
        for name, v in d["phases"].items()
    ]
    out += [f"  StorageBusy in the app's log: {d['busy_logged']} -> {d['verdict']}", ""]
    out += _rates(r)
    out += _issue15(r)
    if r["problems"]:
        out += ["", "RESULT WRONG:", *(f"  {p}" for p in r["problems"])]
    else:
        f = r["found"]
        out.append(
            f"result   : every answer 200, every views call arrived, "
            f"{n(f['expected'])} confirmations acked booked {n(f['addons'])} add-ons "
            "(one each, with draft, key and audit entry)"
        )
    return "\n".join(out)


def _acks(r: dict[str, Any]) -> list[str]:
    rows = []
    for p in r["phases"]:
        for kind in ("all", *KINDS):
            a, b = p["app"]["ack"][kind], p["baseline"]["ack"][kind]
            ratio = p["ratios"][kind]
            rows.append(
                [
                    f"{p['name']} c{p['concurrency']}: {KIND_LABELS[kind]}",
                    n(a["count"]),
                    _ms(a["p50_ms"]),
                    _ms(a["p99_ms"]),
                    _ms(a["max_ms"]),
                    _ms(b["p50_ms"]),
                    _ms(b["p99_ms"]),
                    "-" if ratio is None else f"{ratio:.2f}",
                    f"<= {r['target']:g}",
                    p["verdicts"][kind],
                ]
            )
    headers = ["", "requests", "p50 ms", "p99 ms", "max ms", "bare p50", "bare p99"]
    return [
        "acknowledgement (sent -> HTTP answer read), app against the bare Bolt app:",
        *table([*headers, "x bare p99", "target", ""], rows),
    ]


def _views(r: dict[str, Any]) -> list[str]:
    rows = []
    for p in r["phases"]:
        for label in VIEWS_LABELS:
            figures = p["app"]["views"].get(label, stats([]))
            notices = p["app"]["notices"].get(label, stats([]))
            if figures["count"] or notices["count"]:
                rows.append(
                    [
                        f"{p['name']} c{p['concurrency']}: {VIEWS_LABELS[label]}",
                        n(figures["count"]),
                        _ms(figures["p50_ms"]),
                        _ms(figures["p99_ms"]),
                        _ms(figures["max_ms"]),
                        n(notices["count"]),
                    ]
                )
    headers = ["", "calls", "p50 ms", "p99 ms", "max ms", "busy notices instead"]
    title = "resulting views call (sent -> the call reaches the mock), app:"
    return ["", title, *table(headers, rows)]


def _issue15(r: dict[str, Any]) -> list[str]:
    rows = [
        [
            row["figure"],
            _ms(row["app"]),
            _ms(row["baseline"]),
            "-" if row["ratio"] is None else f"{row['ratio']:.2f}",
            row["target"],
            row["verdict"],
        ]
        for row in r.get("issue15", [])
    ]
    title = "issue 15 (every click answered at once), app against bare Bolt in the same run:"
    return ["", title, *table(["", "app", "bare", "x bare", "target", ""], rows)]


def _rates(r: dict[str, Any]) -> list[str]:
    return [
        f"{p['name']:<8} : app {n(a['rate'])} req/s, {a['cpu_ms_per_request']:.2f} "
        f"ms CPU per request ({a['cpu_share']:.0%} of a core); bare "
        f"{n(b['rate'])} req/s, {b['cpu_ms_per_request']:.2f} ms CPU "
        f"({b['cpu_share']:.0%}); Slack side {a['slack_cpu_share']:.0%} / "
        f"{b['slack_cpu_share']:.0%} of a core"
        for p in r["phases"]
        for a, b in [(p["app"], p["baseline"])]
    ]
