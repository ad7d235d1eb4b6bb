"""The figures of the latency benchmark: percentiles per kind, ratios, verdicts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bench.common import percentile, verdict
from bench.latency.plans import COMMAND, CONFIRMATION, KINDS
from bench.latency.rounds import Round

ACK_TARGET = 1.5  # app's ack p99 at most 1.5 x the bare app's
SLACK_LIMIT_MS = 3000.0  # Slack's ack timeout and a trigger_id's lifetime
# Issue 15's targets, for the steady phase (2,000 requests at c20) and the c200 burst:
CPU_TARGET_MS = 2.5  # CPU per click of the app
ACK_RATIO_TARGET = 3.0  # ack p99 of the mixed flow against bare Bolt's
SHOWN_RATIO_TARGET = 2.0  # filled overview shown p99 against bare Bolt opening a modal
ISSUE15_PHASES = ("steady", "burst")


def stats(values_ms: Sequence[float]) -> dict[str, Any]:
    """Count, p50, p99, max and mean of latencies in ms (None each when there are none)."""
    if not values_ms:
        return {"count": 0, "p50_ms": None, "p99_ms": None, "max_ms": None, "mean_ms": None}
    return {
        "count": len(values_ms),
        "p50_ms": percentile(values_ms, 50),
        "p99_ms": percentile(values_ms, 99),
        "max_ms": max(values_ms),
        "mean_ms": sum(values_ms) / len(values_ms),
    }


def summarize(rounds: Sequence[Round]) -> dict[str, Any]:
    """Pooled figures of one server over the rounds of a phase."""
    acks: dict[str, list[float]] = {"all": [], COMMAND: [], CONFIRMATION: []}
    views: dict[str, list[float]] = {}
    notices: dict[str, list[float]] = {}
    for r in rounds:
        for kind, answer in zip(r.kinds, r.sent, strict=False):
            ms = 1000 * (answer.answered - answer.sent)
            acks["all"].append(ms)
            acks[kind].append(ms)
        for label, values in r.views.items():
            views.setdefault(label, []).extend(values)
        for label, values in r.notices.items():
            notices.setdefault(label, []).extend(values)
    requests = sum(len(r.sent) for r in rounds)
    wall = sum(r.wall for r in rounds)
    settled = sum(r.settled for r in rounds)
    cpu = sum(r.server_cpu for r in rounds)
    slack = sum(r.slack_cpu for r in rounds)
    return {
        "requests": requests,
        "seconds": wall,  # sending and answering
        "settled_seconds": settled,  # until the last views call arrived
        "rate": requests / wall if wall else 0.0,  # answered per second
        "cpu_seconds": cpu,
        "cpu_ms_per_request": 1000 * cpu / requests if requests else 0.0,
        "cpu_share": cpu / settled if settled else 0.0,  # of one core
        "slack_cpu_share": slack / settled if settled else 0.0,
        "ack": {kind: stats(values) for kind, values in acks.items()},
        "views": {label: stats(values) for label, values in views.items()},
        "notices": {label: stats(values) for label, values in notices.items()},
        "busy_refusals": sum(r.busy_refusals for r in rounds),
        "booked": sum(len(r.booked) for r in rounds),
    }


def phase(
    name: str,
    count: int,
    concurrency: int,
    ours: Sequence[Round],
    theirs: Sequence[Round],
    modal: Sequence[Round] = (),
) -> dict[str, Any]:
    """One phase: the servers' figures, the ack p99 ratios and their verdicts."""
    app, bare = summarize(ours), summarize(theirs)
    ratios: dict[str, float | None] = {}
    verdicts: dict[str, str] = {}
    for kind in ("all", *KINDS):
        mine, base = app["ack"][kind]["p99_ms"], bare["ack"][kind]["p99_ms"]
        ratio = mine / base if mine is not None and base else None
        ratios[kind] = ratio
        verdicts[kind] = verdict(ratio is not None and ratio <= ACK_TARGET)
    return {
        "name": name,
        "requests": count,
        "concurrency": concurrency,
        "rounds": len(ours),
        "app": app,
        "baseline": bare,
        "modal_baseline": summarize(modal) if modal else None,
        "ratios": ratios,
        "verdicts": verdicts,
    }


def _worst(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def slowest(phases: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The slowest ack and views call of the app (and the bare app's ack), any phase;
    a notice shown in place of the overview counts as that views call."""

    def views(p: Mapping[str, Any], labels: Sequence[str]) -> list[float | None]:
        return [
            p["app"][kind].get(label, {}).get("max_ms")
            for kind in ("views", "notices")
            for label in labels
        ]

    rows = {
        "app_ack": _worst([p["app"]["ack"]["all"]["max_ms"] for p in phases]),
        "views_open": _worst([v for p in phases for v in views(p, ["modal_opened"])]),
        "views_update": _worst(
            [v for p in phases for v in views(p, ["overview_filled", "overview_redrawn"])]
        ),
        "bare_ack": _worst([p["baseline"]["ack"]["all"]["max_ms"] for p in phases]),
    }
    return {
        key: {"max_ms": value, "verdict": verdict(value is not None and value <= SLACK_LIMIT_MS)}
        for key, value in rows.items()
    }


def degraded(phases: Sequence[Mapping[str, Any]], busy_logged: int) -> dict[str, Any]:
    """The app's polite failures under load: a notice instead of the overview, a
    confirmation refused as busy (nothing booked), the store's busy error in the log."""
    per_phase = {
        p["name"]: {
            "notices": sum(s["count"] for s in p["app"]["notices"].values()),
            "busy_refusals": p["app"]["busy_refusals"],
        }
        for p in phases
    }
    total = sum(v["notices"] + v["busy_refusals"] for v in per_phase.values()) + busy_logged
    return {"phases": per_phase, "busy_logged": busy_logged, "verdict": verdict(total == 0)}


def _ratio(mine: float | None, base: float | None) -> float | None:
    return mine / base if mine is not None and base else None


def issue15(phases: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Issue 15's figures, each next to its baseline from the same run, with verdicts:
    CPU per click, ack p99 against bare Bolt, the filled overview shown against bare Bolt
    opening a one-line modal, and bookings refused as busy."""
    rows: list[dict[str, Any]] = []
    for p in phases:
        if p["name"] not in ISSUE15_PHASES:
            continue
        app, bare, modal = p["app"], p["baseline"], p.get("modal_baseline") or {}
        where = f"{p['name']} c{p['concurrency']}"
        cpu = app["cpu_ms_per_request"]
        rows.append(
            {
                "figure": f"{where}: CPU per click, ms",
                "app": cpu,
                "baseline": bare["cpu_ms_per_request"],
                "ratio": _ratio(cpu, bare["cpu_ms_per_request"]),
                "target": f"<= {CPU_TARGET_MS:g} ms",
                "verdict": verdict(cpu <= CPU_TARGET_MS),
            }
        )
        mine, base = app["ack"]["all"]["p99_ms"], bare["ack"]["all"]["p99_ms"]
        ratio = _ratio(mine, base)
        rows.append(
            {
                "figure": f"{where}: ack p99 of the mixed flow, ms",
                "app": mine,
                "baseline": base,
                "ratio": ratio,
                "target": f"<= {ACK_RATIO_TARGET:g}x bare",
                "verdict": verdict(ratio is not None and ratio <= ACK_RATIO_TARGET),
            }
        )
        shown = app["views"].get("overview_filled", {}).get("p99_ms")
        opened = modal.get("views", {}).get("modal_opened", {}).get("p99_ms")
        ratio = _ratio(shown, opened)
        rows.append(
            {
                "figure": f"{where}: filled overview shown p99, ms (bare: one-line modal)",
                "app": shown,
                "baseline": opened,
                "ratio": ratio,
                "target": f"<= {SHOWN_RATIO_TARGET:g}x bare",
                "verdict": verdict(ratio is not None and ratio <= SHOWN_RATIO_TARGET),
            }
        )
        if p["name"] == "burst":
            refused = app["busy_refusals"]
            rows.append(
                {
                    "figure": f"{where}: bookings refused as busy",
                    "app": float(refused),
                    "baseline": None,
                    "ratio": None,
                    "target": "0",
                    "verdict": verdict(refused == 0),
                }
            )
    return rows
