"""`addons-bot webhooks list|retry`: CloudCRM's events and their delivery."""

from __future__ import annotations

from typing import Any

from bot import services
from bot.entrypoints.cli.invocation import Run, fail
from bot.ports import WebhookEvent


def _stamp(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def event_to_json(event: WebhookEvent) -> dict[str, Any]:
    """One event and its delivery, in the documented JSON shape."""
    return {
        "id": event.id,
        "webhook_id": event.webhook_id,
        "team_id": event.team_id,
        "sequence": event.sequence,
        "type": event.type,
        "status": services.event_status(event),
        "attempts": event.attempts,
        "created_at": _stamp(event.created_at),
        "next_try_at": _stamp(event.next_try_at),
        "sent_at": _stamp(event.sent_at),
        "failed_at": _stamp(event.failed_at),
        "last_error": event.last_error,
    }


def _line(event: WebhookEvent) -> str:
    error = f"  {event.last_error}" if event.last_error else ""
    return (
        f"{event.id:>6}  {event.team_id:<12} #{event.sequence:<5} {event.type:<27} "
        f"{services.event_status(event):<8} {event.attempts:>3} tries{error}"
    )


async def webhooks_list(run: Run) -> int:
    """Events newest first; with --failed only those given up."""
    events = await services.list_webhook_events(
        run.ctx, failed_only=run.args.failed, limit=run.args.limit
    )
    if run.args.json:
        return run.json([event_to_json(event) for event in events])
    if not events:
        return run.say("No failed events." if run.args.failed else "No events yet.")
    heading = "Failed events, newest first:" if run.args.failed else "Events, newest first:"
    return run.say(heading, *(_line(event) for event in events))


async def webhooks_retry(run: Run) -> int:
    """Send failed events again: one by id, or every failed one."""
    ids = None if run.args.all_failed else [run.args.event_id]
    revived = await services.retry_webhook_events(run.ctx, ids, run.now)
    if ids is not None and not revived:
        return fail(
            f"event {run.args.event_id} has not failed (or does not exist): nothing to retry"
        )
    if run.args.json:
        return run.json({"retried": revived})
    return run.say(f"{revived} event(s) queued again; the sender delivers them in order.")
