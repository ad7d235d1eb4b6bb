"""CloudCRM's signed way in: POST /crm/v1/workspaces/{team_id} sets what it owns.

Signed with the Standard Webhooks scheme (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``; a timestamp more than five minutes off is refused) under
ADDONS_CRM_SECRET, and applied once per ``webhook-id``. Answers are JSON: 200 with the
workspace as ``workspace show --json`` prints it, 400 naming the field, 401 for a bad
signature, 404 for a team the app has never seen, 503 when the store is busy.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from bot.ports import Busy, Clock
from bot.services import Context, CrmChanges, apply_crm_changes, workspace_to_json
from domain.errors import DomainError, UnknownWorkspace
from domain.workspace import InvalidCustomer

logger = logging.getLogger("addons.crm")

PATH = "/crm/v1/workspaces/{team_id}"
MAX_BODY = 16 * 1024
FIELDS = frozenset({"customer"})

# When the workspace's current installation was made (None: not installed).
InstalledSince = Callable[[str], Awaitable[datetime | None]]


def crm_routes(
    ctx: Context, clock: Clock, secrets: tuple[str, ...], installed_since: InstalledSince
) -> list[web.RouteDef]:
    """The route, verifying with any of ``secrets`` (two while CloudCRM rotates)."""
    verifiers = [Webhook(secret) for secret in secrets]

    async def update(request: web.Request) -> web.Response:
        raw = await request.content.read(MAX_BODY + 1)
        if len(raw) > MAX_BODY:
            return _error(413, "the body is larger than 16 KiB")
        if not _verified(verifiers, raw, request):
            return _error(401, "invalid signature")
        team_id = request.match_info["team_id"]
        try:
            changes = _changes(raw)
        except _FieldError as error:
            return _error(400, error.message, error.field)
        try:
            answer = await apply_crm_changes(
                ctx, team_id, request.headers["webhook-id"], changes, clock.now()
            )
        except UnknownWorkspace:
            return _error(404, f"no workspace {team_id}")
        except InvalidCustomer as error:
            return _error(400, str(error), "customer")
        except DomainError as error:
            return _error(400, str(error))
        except Busy:
            return _error(503, "busy, nothing changed: send it again")
        logger.info(
            "CloudCRM %s %s", "updated" if answer.applied else "resent", team_id,
            extra={"team_id": team_id},
        )  # fmt: skip
        since = await installed_since(team_id)
        shown = {
            **workspace_to_json(answer.subscription, clock.now()),
            "installed": since is not None,
            "installed_on": since.date().isoformat() if since is not None else None,
        }
        return web.json_response(shown)

    return [web.post(PATH, update)]


def _verified(verifiers: list[Webhook], raw: bytes, request: web.Request) -> bool:
    """Whether one of the secrets signed this body, with a fresh timestamp."""
    headers = {name.lower(): value for name, value in request.headers.items()}
    for verifier in verifiers:
        try:
            verifier.verify(raw, headers, json_parse=False)
        except (WebhookVerificationError, ValueError):  # ValueError: malformed headers/bytes
            continue
        return True
    return False


class _FieldError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _changes(raw: bytes) -> CrmChanges:
    """The fields of the request's JSON object; _FieldError names what is wrong."""
    try:
        body: Any = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _FieldError("the body is not JSON") from None
    if not isinstance(body, dict):
        raise _FieldError("the body is not a JSON object")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise _FieldError(f"unknown field {unknown[0]!r}", unknown[0])
    customer = body.get("customer")
    if customer is not None and not isinstance(customer, str):
        raise _FieldError("customer must be a string", "customer")
    return CrmChanges(customer=customer)


def _error(status: int, message: str, field: str | None = None) -> web.Response:
    body: dict[str, Any] = {"error": message}
    if field is not None:
        body["field"] = field
    return web.json_response(body, status=status)
