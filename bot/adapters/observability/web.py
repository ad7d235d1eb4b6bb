"""The operator's HTTP side: /healthz, /readyz, /metrics, and the measuring of /slack/events.

``/healthz`` says the process answers. ``/readyz`` says it can do its work: the database
answers within a second at the current schema, and the process is not shutting down;
otherwise 503 with the reason on one line. ``/metrics`` is Prometheus's text format; the
outbox figures are read from the store when scraped, within a time budget.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.adapters.observability import metrics
from bot.adapters.observability.context import CURRENT, RequestInfo
from storage import Database
from storage.health import outbox_backlog, ready

logger = logging.getLogger("addons.requests")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Lifecycle:
    """What the probes report beyond the database: whether the process is stopping."""

    draining: bool = False


def outcome_of(status: int, failed: bool) -> str:
    """A request's outcome as a metric label."""
    if failed:
        return "error"
    return {
        200: "ok",
        400: "bad_request",
        401: "unauthorized",
        404: "unhandled",
        503: "refused",
    }.get(status, f"http_{status}")


def measure_slack(path: str, lifecycle: Lifecycle) -> Middleware:
    """aiohttp middleware: each request to ``path`` counted, timed and logged once."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != path:
            return await handler(request)
        info = RequestInfo()
        token = CURRENT.set(info)
        status = 500
        try:
            if lifecycle.draining:  # Slack retries a 503: another instance answers it
                status = 503
                return web.json_response({"error": "shutting down"}, status=503)
            response = await handler(request)
            status = response.status
            return response
        finally:
            elapsed = info.elapsed()
            outcome = outcome_of(status, info.failed)
            metrics.REQUESTS.labels(info.kind, outcome).inc()
            metrics.ACK_SECONDS.labels(info.kind).observe(elapsed)
            logger.info(
                "%s answered %s (%s) in %.3f s",
                info.kind,
                status,
                outcome,
                elapsed,
                extra={"duration": elapsed, "kind": info.kind, "team_id": info.team_id},
            )
            CURRENT.reset(token)

    return middleware


def add_operator_routes(
    web_app: web.Application, db: Database | None, lifecycle: Lifecycle
) -> None:
    """GET /healthz, /readyz (when a database is given) and /metrics."""

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def readyz(_: web.Request) -> web.Response:
        assert db is not None
        problem = "shutting down" if lifecycle.draining else await ready(db)
        if problem is not None:
            return web.Response(status=503, text=problem + "\n")
        return web.Response(text="ok")

    async def scrape(_: web.Request) -> web.Response:
        if db is not None:
            await refresh_store_figures(db)
        return web.Response(
            body=metrics.exposition(), headers={"Content-Type": metrics.CONTENT_TYPE}
        )

    routes = [web.get("/healthz", healthz), web.get("/metrics", scrape)]
    if db is not None:
        routes.append(web.get("/readyz", readyz))
    web_app.add_routes(routes)


async def refresh_store_figures(db: Database) -> None:
    """Read the outbox's backlog into its gauges; on failure keep the last figures."""
    try:
        backlog = await outbox_backlog(db)
    except Exception as error:  # a scrape must answer even when the store does not
        metrics.STORE_SCRAPE_ERRORS.inc()
        logger.warning("metrics: could not read the outbox backlog: %s", type(error).__name__)
        return
    metrics.OUTBOX_BACKLOG.set(backlog.pending)
    age = 0.0
    if backlog.oldest is not None:
        oldest = backlog.oldest if backlog.oldest.tzinfo else backlog.oldest.replace(tzinfo=UTC)
        age = max(0.0, (datetime.now(UTC) - oldest).total_seconds())
    metrics.OUTBOX_OLDEST_SECONDS.set(age)


def metrics_application(db: Database | None, lifecycle: Lifecycle) -> web.Application:
    """The scheduler's own HTTP server: /healthz, /readyz and /metrics only."""
    web_app = web.Application()
    add_operator_routes(web_app, db, lifecycle)
    return web_app
