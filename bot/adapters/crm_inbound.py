"""CloudCRM's signed way in: POST /crm/v1/workspaces/{team_id} sets what it owns.

Signed with the Standard Webhooks scheme (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``; a timestamp more than five minutes off is refused) under
ADDONS_CRM_SECRET, and applied once per ``webhook-id``. Answers are JSON: 200 with the
workspace as ``workspace show --json`` prints it, 400 naming the field, 401 for a bad
signature, 404 for a team the app has never seen, 503 when the store is busy.

The body sets any of: ``customer``; ``plan`` (``{"name", "price"}``, or null to remove
the Tarif); ``billing_details`` (the Rechnungsdaten fields of ``workspace set``, only
those named change, "" or null clears one; ``sepa_mandate`` as
``{"reference", "iban", "signed_on"}``, or null to revoke it).
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
from bot.services import (
    DETAIL_FIELDS,
    KEEP,
    BillingChange,
    Context,
    CrmChanges,
    MandateInput,
    PlanInput,
    apply_crm_changes,
    workspace_to_json,
)
from domain.errors import DomainError, UnknownWorkspace
from domain.parties import InvalidBillingDetail
from domain.workspace import InvalidCustomer

logger = logging.getLogger("addons.crm")

PATH = "/crm/v1/workspaces/{team_id}"
MAX_BODY = 16 * 1024
FIELDS = frozenset({"customer", "plan", "billing_details"})
PLAN_FIELDS = ("name", "price")
MANDATE_FIELDS = ("reference", "iban", "signed_on")
# Where a field the domain names (InvalidBillingDetail.field) sits in the request's body.
BODY_FIELD = {
    **{name: f"billing_details.{name}" for name in DETAIL_FIELDS},
    "sepa_mandate": "billing_details.sepa_mandate.reference",
    "sepa_iban": "billing_details.sepa_mandate.iban",
    "sepa_signed": "billing_details.sepa_mandate.signed_on",
    "plan": "plan.name",
    "plan_price": "plan.price",
}

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
        except InvalidBillingDetail as error:
            field = BODY_FIELD.get(error.field, error.field)
            return _error(400, f"not a valid {field}: {error.value!r}", field)
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
    plan: PlanInput | None = None
    if body.get("plan") is not None:
        name, price = _strings(body["plan"], "plan", PLAN_FIELDS)
        plan = PlanInput(name, price)
    billing = _billing(body.get("billing_details"))
    return CrmChanges(
        customer=customer,
        billing=BillingChange(
            details=billing.details,
            mandate=billing.mandate,
            plan=plan if "plan" in body else KEEP,
        ),
    )


def _billing(value: Any) -> BillingChange:
    """``billing_details``: the Rechnungsdaten fields named (partial), and the mandate."""
    if value is None:
        return BillingChange()
    if not isinstance(value, dict):
        raise _FieldError("billing_details must be an object", "billing_details")
    known = (*DETAIL_FIELDS, "sepa_mandate")
    unknown = sorted(set(value) - set(known))
    if unknown:
        field = f"billing_details.{unknown[0]}"
        raise _FieldError(f"unknown field {field!r}", field)
    details: dict[str, str | None] = {}
    for name in DETAIL_FIELDS:
        if name in value:
            text = value[name]
            if text is not None and not isinstance(text, str):
                raise _FieldError(
                    f"billing_details.{name} must be a string or null", f"billing_details.{name}"
                )
            details[name] = text
    if "sepa_mandate" not in value:
        return BillingChange(details=details)
    if value["sepa_mandate"] is None:
        return BillingChange(details=details, mandate=None)
    where = "billing_details.sepa_mandate"
    reference, iban, signed = _strings(value["sepa_mandate"], where, MANDATE_FIELDS)
    return BillingChange(details=details, mandate=MandateInput(reference, iban, signed))


def _strings(value: Any, where: str, names: tuple[str, ...]) -> list[str]:
    """The string members ``names`` of the object ``value``, each required."""
    if not isinstance(value, dict):
        raise _FieldError(f"{where} must be an object", where)
    unknown = sorted(set(value) - set(names))
    if unknown:
        field = f"{where}.{unknown[0]}"
        raise _FieldError(f"unknown field {field!r}", field)
    out = []
    for name in names:
        text = value.get(name)
        if not isinstance(text, str):
            raise _FieldError(f"{where}.{name} must be a string", f"{where}.{name}")
        out.append(text)
    return out


def _error(status: int, message: str, field: str | None = None) -> web.Response:
    body: dict[str, Any] = {"error": message}
    if field is not None:
        body["field"] = field
    return web.json_response(body, status=status)
