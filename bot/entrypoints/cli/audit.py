"""`addons-bot audit`: the workspace's audit log."""

from __future__ import annotations

from bot import services
from bot.entrypoints.cli.invocation import Run
from bot.entrypoints.cli.output import audit_line, audit_to_json


async def audit(run: Run) -> int:
    """The workspace's audit log, newest first."""
    entries = await services.audit_log(run.ctx, run.args.team_id)
    if run.args.json:
        return run.json([audit_to_json(entry) for entry in entries])
    if not entries:
        return run.say(f"{run.args.team_id} has no audit entries.")
    return run.say(
        f"Audit log of {run.args.team_id}, newest first:", *(audit_line(e) for e in entries)
    )
