"""A tiny run of the benchmarks (``--quick``): they run, check their result, and report.

Each benchmark runs as its own command, as a user would start it, and prints JSON. The
figures themselves are not judged here (PASS or MISS depends on the machine); what is
judged is that the work was really done and counted, and that the verdict follows from
the figures.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bench import billing_run, booking_throughput, interaction_latency
from bench.interaction_latency import COMMAND, CONFIRMATION, Planned, Sent, Stamp
from bench.latency.load import expected_views
from bench.latency.servers import busy_names
from bot.slack_fake import SignedRequest
from handlers import blocks

ROOT = Path(__file__).resolve().parents[2]
# One worker runs this module (make test: --dist loadgroup), so its module-scoped
# fixture is set up once, not once per worker.
pytestmark = pytest.mark.xdist_group("bench-smoke")
BOUND_SECONDS = 240  # --quick takes seconds (more on a busy machine); this only stops a hang


def _run(module: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    }
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", module, "--quick", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=BOUND_SECONDS,
        check=False,
    )
    try:
        result: dict[str, Any] = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"{module} printed no report (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    result["_exit"] = proc.returncode  # 1 when the benchmark found its result wrong
    result["_wall"] = time.monotonic() - started
    return result


@pytest.fixture(scope="module")
def billing() -> dict[str, Any]:
    return _run("bench.billing_run")


@pytest.fixture(scope="module")
def booking() -> dict[str, Any]:
    return _run("bench.booking_throughput")


@pytest.fixture(scope="module")
def latency() -> dict[str, Any]:
    return _run("bench.interaction_latency")


def _same_pragmas(result: dict[str, Any]) -> None:
    app, plain = result["pragmas"]["app"], result["pragmas"]["baseline"]
    assert app == plain
    assert str(app["journal_mode"]).lower() == "wal"
    assert app["synchronous"] == 1  # NORMAL
    assert app["foreign_keys"] == 1


def _rate_and_verdict(
    ours: dict[str, Any], base: dict[str, Any], ratio: float, target: float, verdict: str
) -> None:
    for side in (ours, base):
        assert side["seconds"] > 0
        done = side["lines"] if "lines" in side else side["count"]
        assert math.isclose(side["rate"], done / side["seconds"], rel_tol=1e-9)
    assert math.isclose(ratio, ours["rate"] / base["rate"], rel_tol=1e-9)
    assert verdict == ("PASS" if ratio >= target else "MISS")


def _machine(result: dict[str, Any]) -> None:
    info = result["machine"]
    assert info["nproc"] >= 1
    assert info["python"].count(".") == 2
    assert info["date"]


def test_the_billing_run_benchmark_issues_every_invoice_and_judges_its_figures(
    billing: dict[str, Any],
) -> None:
    sizes = billing_run.QUICK
    assert billing["problems"] == {}
    assert billing["_exit"] == 0
    for label, workspaces in (("small", sizes["small"]), ("large", sizes["workspaces"])):
        found = billing["runs"][label]["found"]
        assert found["invoices"] == found["workspaces"] == workspaces
        assert found["renewals"] == workspaces * sizes["addons"]
        assert found["carried"] == workspaces * sizes["drafts"]
        assert found["lines"] == workspaces * (sizes["addons"] + sizes["drafts"])
        assert found["drafts_left"] == 0
        assert found["gapless"] == 1
        assert found["messages"] == workspaces * billing_run.ADMINS
        assert billing["runs"][label]["turns"] == workspaces
        run = billing["runs"][label]
        assert 0 < run["rss_before_kib"] <= run["rss_peak_kib"]
    lines = sizes["workspaces"] * (sizes["addons"] + sizes["drafts"])
    assert billing["billing_run"]["lines"] == billing["baseline"]["lines"] == lines
    _rate_and_verdict(
        billing["billing_run"],
        billing["baseline"],
        billing["ratio"],
        billing_run.RATE_TARGET,
        billing["rate_verdict"],
    )
    assert len(billing["floors"]) == len(billing_run.FLOOR_BATCHES)
    memory = billing["memory"]
    assert billing["memory_verdict"] == (
        "PASS"
        if memory["growth_large_kib"] - memory["growth_small_kib"] <= memory["allowed_extra_kib"]
        else "MISS"
    )
    _same_pragmas(billing)
    _machine(billing)
    assert billing["_wall"] < BOUND_SECONDS


def test_the_booking_benchmark_books_each_key_once_and_judges_its_figures(
    booking: dict[str, Any],
) -> None:
    sizes = booking_throughput.QUICK
    assert booking["problems"] == []
    assert booking["_exit"] == 0
    stored = sizes["bookings"] + booking_throughput.WARMUP
    assert booking["found"] == {"addons": stored, "drafts": stored, "keys": stored, "audit": stored}
    assert booking["book"]["count"] == booking["baseline"]["count"] == sizes["bookings"]
    assert 0 < booking["book"]["p50_ms"] <= booking["book"]["p99_ms"]
    _rate_and_verdict(
        booking["book"],
        booking["baseline"],
        booking["ratio"],
        booking_throughput.RATE_TARGET,
        booking["verdict"],
    )
    _same_pragmas(booking)
    _machine(booking)
    assert booking["_wall"] < BOUND_SECONDS


def test_both_reports_print_the_comparison(
    billing: dict[str, Any], booking: dict[str, Any]
) -> None:
    text = billing_run.render(billing)
    assert f"target >= {billing_run.RATE_TARGET:.2f} -> {billing['rate_verdict']}" in text
    assert f"-> {billing['memory_verdict']}" in text
    assert f"nproc {billing['machine']['nproc']}" in text
    assert "RESULT WRONG" not in text
    text = booking_throughput.render(booking)
    assert f"target >= {booking_throughput.RATE_TARGET:.2f} -> {booking['verdict']}" in text
    assert f"Python {booking['machine']['python']}" in text
    assert "RESULT WRONG" not in text


def test_a_wrong_result_is_reported_as_wrong() -> None:
    expected = {"invoices": 3, "lines": 9, "total_cents": 100}
    found = {"invoices": 3, "lines": 8, "total_cents": 100, "drafts_left": 1, "gapless": 0}
    problems = billing_run.check(expected, found)
    assert any(p.startswith("lines:") for p in problems)
    assert any("drafts" in p for p in problems)
    assert any("numbers" in p for p in problems)


# -- benchmark 1: interaction latency -------------------------------------------------


def _ordered(figures: dict[str, Any]) -> None:
    assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]


def test_the_latency_benchmark_answers_every_request_and_books_each_confirmation(
    latency: dict[str, Any],
) -> None:
    sizes = interaction_latency.QUICK
    assert latency["problems"] == []
    assert latency["_exit"] == 0
    wanted = {
        "single": (sizes["single"], 1),
        "steady": (sizes["requests"], sizes["concurrency"]),
        "burst": (sizes["burst"], sizes["burst_concurrency"]),
    }
    assert [p["name"] for p in latency["phases"]] == list(wanted)
    booked = 0
    for phase in latency["phases"]:
        count, concurrency = wanted[phase["name"]]
        assert (phase["requests"], phase["concurrency"]) == (count, concurrency)
        app, bare, modal = phase["app"], phase["baseline"], phase["modal_baseline"]
        for side in (app, bare, modal):  # every request was sent and answered, half each
            assert side["requests"] == side["ack"]["all"]["count"] == count
            assert side["ack"][COMMAND]["count"] == (count + 1) // 2
            assert side["ack"][CONFIRMATION]["count"] == count // 2
            for kind in ("all", COMMAND, CONFIRMATION):
                _ordered(side["ack"][kind])
            assert side["cpu_seconds"] > 0
            assert side["rate"] > 0
        # Each /addons opened a modal and filled it; each confirmation showed its result,
        # and each booking redrew the overview below (a notice in place of the overview,
        # or "busy" as the result, is the app failing politely: counted, not hidden).
        seen = {
            label: app["views"].get(label, {}).get("count", 0)
            + app["notices"].get(label, {}).get("count", 0)
            for label in interaction_latency.VIEWS_LABELS
        }
        commands = (count + 1) // 2
        assert seen["modal_opened"] == seen["overview_filled"] == commands
        assert seen["result_shown"] == count // 2
        assert seen["overview_redrawn"] == app["booked"] == count // 2 - app["busy_refusals"]
        # The modal baseline opened its one-line modal for every /addons.
        assert modal["views"]["modal_opened"]["count"] == commands
        for figures in app["views"].values():
            _ordered(figures)
        booked += app["booked"]
        for kind, ratio in phase["ratios"].items():
            mine, base = app["ack"][kind]["p99_ms"], bare["ack"][kind]["p99_ms"]
            assert math.isclose(ratio, mine / base, rel_tol=1e-9)
            assert phase["verdicts"][kind] == (
                "PASS" if ratio <= interaction_latency.ACK_TARGET else "MISS"
            )
    rows = {row["figure"].split(": ", 1)[1].split(",")[0]: row for row in latency["issue15"]}
    assert set(rows) == {
        "CPU per click",
        "ack p99 of the mixed flow",
        "filled overview shown p99",
        "bookings refused as busy",
    }
    for row in latency["issue15"]:
        if row["ratio"] is not None:
            assert math.isclose(row["ratio"], row["app"] / row["baseline"], rel_tol=1e-9)
    found = latency["found"]
    assert found["expected"] == booked > 0
    assert found["addons"] == found["keys"] == found["drafts"] == found["audit"] == booked
    for row in latency["slowest"].values():
        assert row["verdict"] == ("PASS" if row["max_ms"] <= 3000 else "MISS")
    degraded = latency["degraded"]
    polite = degraded["busy_logged"] + sum(
        v["notices"] + v["busy_refusals"] for v in degraded["phases"].values()
    )
    assert degraded["verdict"] == ("PASS" if polite == 0 else "MISS")
    _machine(latency)
    assert latency["_wall"] < BOUND_SECONDS


def test_the_latency_report_prints_the_comparison(latency: dict[str, Any]) -> None:
    text = interaction_latency.render(latency)
    for phase in latency["phases"]:
        assert f"{phase['name']} c{phase['concurrency']}: all requests" in text
    assert f"<= {interaction_latency.ACK_TARGET:g}" in text
    assert "issue 15 (every click answered at once)" in text
    for row in latency["issue15"]:
        assert row["figure"] in text
    assert f"StorageBusy in the app's log: {latency['degraded']['busy_logged']} -> " in text
    assert f"nproc {latency['machine']['nproc']}" in text
    assert f"Python {latency['machine']['python']}" in text
    assert "RESULT WRONG" not in text


def _request(kind: str, i: int) -> Planned:
    signed = SignedRequest("body", {})
    if kind == COMMAND:
        return Planned(COMMAND, signed, trigger_id=f"trigger-{i}")
    return Planned(CONFIRMATION, signed, below=f"V{i}", nonce=f"nonce-{i}", view_id=f"C{i}")


def test_a_wrong_latency_result_is_reported_as_wrong() -> None:
    plans = [
        _request(COMMAND, 0),
        _request(CONFIRMATION, 1),
        _request(COMMAND, 2),
        _request(CONFIRMATION, 3),
    ]
    working = json.dumps(
        {"response_action": "update", "view": {"callback_id": blocks.CALLBACK_WORKING}}
    )
    sent = [
        Sent(0.0, 0.01, 200, ""),
        Sent(0.0, 0.01, 200, '{"response_action": "errors"}'),
        Sent(0.0, 0.01, 500, "boom"),
        Sent(0.0, 0.01, 200, working),
    ]
    loading = Stamp(0.005, True, "V9", "loading")
    shown = Stamp(0.01, True, "C3", "notice")  # "Gebucht": the overview below is due
    views: list[dict[str, Stamp | None]] = [
        {"modal_opened": loading, "overview_filled": None},  # never filled
        {"result_shown": None, "overview_redrawn": None},  # not "Wird gebucht": none due
        {"modal_opened": None, "overview_filled": None},  # a 500: nothing is due
        {"result_shown": shown, "overview_redrawn": Stamp(0.02, False, None, "overview")},
    ]
    problems = interaction_latency.check(plans, sent, views)
    assert any("status 500" in p for p in problems)
    assert any('not answered with "Wird gebucht …"' in p for p in problems)
    assert any(p.startswith("1 views calls missing") and "overview shown" in p for p in problems)
    assert any("refused by the mock" in p for p in problems)
    # The baseline is judged on its answers only; a lost answer is wrong too.
    assert interaction_latency.check(plans, sent[:3], None) == [
        "1 of 4 requests got no answer",
        "1 answers with status 500 (e.g. 'boom')",
    ]
    # A booking lost, or booked under a key nobody confirmed, is wrong.
    counts = {"addons": 2, "keys": 2, "drafts": 1, "audit": 2}
    wrong = interaction_latency.check_bookings(["a", "b"], counts, {"a", "x"})
    assert any(p.startswith("stored drafts") for p in wrong)
    assert any("1 acked confirmations booked nothing" in p for p in wrong)
    assert interaction_latency.check_bookings(["a"], dict.fromkeys(counts, 1), {"a"}) == []


def test_a_busy_result_needs_no_redraw_and_a_booked_one_does() -> None:
    plan = _request(CONFIRMATION, 1)
    working = json.dumps(
        {"response_action": "update", "view": {"callback_id": blocks.CALLBACK_WORKING}}
    )
    answer = Sent(0.0, 0.01, 200, working)
    busy = Stamp(0.02, True, "C1", "notice", busy=True)
    booked = Stamp(0.02, True, "C1", "notice")
    assert expected_views(plan, answer, {"result_shown": None}) == ("result_shown",)
    assert expected_views(plan, answer, {"result_shown": busy}) == ("result_shown",)
    assert expected_views(plan, answer, {"result_shown": booked}) == (
        "result_shown",
        "overview_redrawn",
    )
    # The bare baseline causes nothing; the modal one only its views.open.
    assert expected_views(plan, answer, None, "bare") == ()
    assert expected_views(_request(COMMAND, 0), answer, None, "modal") == ("modal_opened",)


def test_a_busy_answer_is_a_polite_failure_and_anything_else_logged_is_wrong() -> None:
    from handlers.i18n import t

    busy = json.dumps(
        {
            "response_action": "update",
            "view": {
                "type": "modal",
                "callback_id": "addons_notice",
                "blocks": [
                    {"type": "section", "text": {"type": "mrkdwn", "text": t("de", "error.busy")}}
                ],
            },
        }
    )
    assert interaction_latency.busy_notice(busy)
    assert not interaction_latency.busy_notice(busy.replace("addons_notice", "other"))
    assert not interaction_latency.busy_notice("")
    # The store's busy error is whatever subclass of bot.ports.Busy it raises (named from
    # the class, so a move of the storage module does not silently break the count).
    stores = [name for name in busy_names() if name.startswith("storage.")]
    assert stores, "the storage package defines no subclass of bot.ports.Busy"
    log = (
        "ERROR addons.handlers: could not redraw the overview after a change\n"
        'Traceback (most recent call last):\n  File "x.py", line 1, in f\n'
        f"{stores[0]}: every database connection is busy\n"
        "ERROR addons.handlers: unexpected error in a Slack listener\n"
        "Traceback (most recent call last):\nKeyError: 'users'\n"
        "WARNING bare: something\n"
    )
    records = interaction_latency.log_records(log)
    assert len(records) == 3
    assert [interaction_latency.storage_busy(r) for r in records] == [True, False, False]
    assert not interaction_latency.storage_busy(f"ERROR x: y\n{stores[0]}Other: no")
