"""The process's Prometheus metrics, in a registry of their own.

Labels name kinds and outcomes only, never a team, a user or a token: a label value is
a small fixed set (request kinds Slack sends, outcomes, Slack API method names, Slack's
error codes), so no label can grow with the number of workspaces.
"""

from __future__ import annotations

import logging

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    gc_collector,
    generate_latest,
    platform_collector,
    process_collector,
)

REGISTRY = CollectorRegistry(auto_describe=True)
_process_collectors: list[object] = []

# Slack gives 3 s for an acknowledgement: the buckets are finest below that.
_ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
_VIEW_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)

REQUESTS = Counter(
    "addons_slack_requests",
    "Requests Slack posted to /slack/events, by kind and outcome.",
    ("kind", "outcome"),
    registry=REGISTRY,
)
ACK_SECONDS = Histogram(
    "addons_slack_ack_seconds",
    "From a request's arrival to the HTTP answer Slack waits for (its acknowledgement).",
    ("kind",),
    buckets=_ACK_BUCKETS,
    registry=REGISTRY,
)
VIEW_SECONDS = Histogram(
    "addons_slack_view_seconds",
    "From a request's arrival until Slack has drawn the view it asked for (views.*).",
    ("method",),
    buckets=_VIEW_BUCKETS,
    registry=REGISTRY,
)
SLACK_API_ERRORS = Counter(
    "addons_slack_api_errors",
    "Web API calls that failed, by method, HTTP status and Slack's error code.",
    ("method", "status", "error"),
    registry=REGISTRY,
)
BOOKINGS = Counter("addons_bookings", "Add-ons booked (committed).", registry=REGISTRY)
CANCELLATIONS = Counter(
    "addons_cancellations", "Add-ons cancelled to the period end (committed).", registry=REGISTRY
)
WITHDRAWALS = Counter(
    "addons_withdrawals", "Add-ons withdrawn the same day (committed).", registry=REGISTRY
)
BILLING_RUN_SECONDS = Histogram(
    "addons_billing_run_seconds",
    "How long one billing run of the schedule took (every due workspace).",
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0),
    registry=REGISTRY,
)
INVOICES_ISSUED = Counter(
    "addons_invoices_issued", "Consolidated invoices the billing runs issued.", registry=REGISTRY
)
BILLING_FAILURES = Counter(
    "addons_billing_failures",
    "Billing failures: a workspace whose turn was rolled back, or a whole run that failed.",
    ("scope",),
    registry=REGISTRY,
)
MESSAGES = Counter(
    "addons_outbox_deliveries",
    "Outbox messages the sender handled, by outcome (sent, retry, failed).",
    ("outcome",),
    registry=REGISTRY,
)
OUTBOX_BACKLOG = Gauge(
    "addons_outbox_backlog",
    "Messages neither sent nor given up, read from the store at scrape time.",
    registry=REGISTRY,
)
OUTBOX_OLDEST_SECONDS = Gauge(
    "addons_outbox_oldest_pending_age_seconds",
    "Age of the oldest message neither sent nor given up (0 when none).",
    registry=REGISTRY,
)
STORE_SCRAPE_ERRORS = Counter(
    "addons_metrics_store_errors",
    "Scrapes whose store query failed or took over its time budget.",
    registry=REGISTRY,
)

# What each committed audit action counts as.
ACTIONS = {"book": BOOKINGS, "cancellation": CANCELLATIONS, "withdrawal": WITHDRAWALS}

for _outcome in ("sent", "retry", "failed"):  # present from the start, at 0
    MESSAGES.labels(_outcome)
for _scope in ("workspace", "run"):
    BILLING_FAILURES.labels(_scope)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def install_process_collectors() -> None:
    """Add the process's CPU, memory, file and GC figures (once; they read /proc)."""
    if _process_collectors:
        return
    disable_created_metrics()  # type: ignore[no-untyped-call]  # *_created: noise
    _process_collectors.extend(
        [
            process_collector.ProcessCollector(registry=REGISTRY),
            platform_collector.PlatformCollector(registry=REGISTRY),
            gc_collector.GCCollector(registry=REGISTRY),
        ]
    )


def exposition() -> bytes:
    """Every metric in Prometheus's text format."""
    return generate_latest(REGISTRY)


def count_action(action: str) -> None:
    """Count one committed audit action, if it is one the metrics follow."""
    counter = ACTIONS.get(action)
    if counter is not None:
        counter.inc()


class _BillingFailures(logging.Handler):
    """Counts the billing run's error records: each is one workspace's rolled-back turn."""

    def emit(self, record: logging.LogRecord) -> None:
        """Count the record if it reports an error."""
        if record.levelno >= logging.ERROR:
            BILLING_FAILURES.labels("workspace").inc()


def count_billing_failures(logger_name: str = "addons.billing") -> None:
    """Count workspaces whose billing turn failed, from the log of the billing run (once).

    The use case logs each such workspace and goes on with the others; counting its
    error records keeps it free of metrics.
    """
    target = logging.getLogger(logger_name)
    if not any(isinstance(h, _BillingFailures) for h in target.handlers):
        target.addHandler(_BillingFailures(logging.ERROR))
