"""CloudCRM's signed way in: POST /crm/v1/workspaces/{team_id}, as `serve` wires it.

Requests are signed with the standardwebhooks library, as CloudCRM would sign them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from standardwebhooks.webhooks import Webhook

from bot import services
from bot.adapters.clock import TestClock
from bot.adapters.slack_app import web_application
from bot.bootstrap import bootstrap, load_settings
from tests.postgres import fresh_database
from tests.webhooks.receiver import FORGED, SECRET

TEAM = "T0CRM0001"
NOW = datetime(2026, 4, 3, 10, tzinfo=UTC)
SIGNING = "8f742231b10e8888abcd99yyyzzz85a5"


@dataclass
class Crm:
    """The app as serve runs it, and a way to sign requests as CloudCRM does."""

    url: str
    ctx: services.Context
    http: aiohttp.ClientSession

    async def post(
        self,
        team: str,
        body: bytes | dict[str, Any],
        *,
        secret: str = SECRET,
        webhook_id: str | None = None,
        at: datetime | None = None,
    ) -> tuple[int, dict[str, Any]]:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        msg_id = webhook_id or f"msg_{uuid.uuid4().hex}"
        stamp = at or datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(stamp.timestamp())),
            "webhook-signature": Webhook(secret).sign(msg_id, stamp, raw.decode("latin-1")),
        }
        async with self.http.post(
            f"{self.url}/crm/v1/workspaces/{team}", data=raw, headers=headers
        ) as r:
            return r.status, await r.json()

    async def events(self) -> list[str]:
        return [e.type for e in reversed(await services.list_webhook_events(self.ctx))]


@asynccontextmanager
async def crm_app(
    monkeypatch: pytest.MonkeyPatch, database: str, secret: str | None = SECRET
) -> AsyncIterator[Crm]:
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-crm-test",
        "SLACK_SIGNING_SECRET": SIGNING,
        "ADDONS_CRM_SECRET": secret,
    }.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    settings = load_settings(database)
    clock = TestClock(NOW)
    async with bootstrap(settings, slack_session=False) as rt:
        await services.set_workspace(rt.ctx, TEAM, date(2026, 3, 18), NOW)
        served = web_application(
            rt.slack_app(clock), SIGNING, db=rt.db, routes=rt.crm_routes(clock)
        )
        runner = web.AppRunner(served, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            async with aiohttp.ClientSession() as http:
                yield Crm(f"http://127.0.0.1:{port}", rt.ctx, http)
        finally:
            await runner.cleanup()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str] | Any:
    if request.param == "sqlite":
        yield str(tmp_path / "addons.db")
        return
    with fresh_database() as url:
        yield url


async def test_cloudcrm_sets_the_customer_number_once_however_often_it_resends(
    monkeypatch: pytest.MonkeyPatch, database: str
) -> None:
    async with crm_app(monkeypatch, database) as crm:
        status, shown = await crm.post(TEAM, {"customer": "C-4711"}, webhook_id="msg_1")
        assert status == 200
        assert shown["customer"] == "C-4711"
        assert shown["team_id"] == TEAM
        assert shown["installed"] is False
        for _ in range(3):  # the same request again: applied once
            assert (await crm.post(TEAM, {"customer": "C-4711"}, webhook_id="msg_1"))[0] == 200
        # a resend of an old request after a newer one changes nothing back
        assert (await crm.post(TEAM, {"customer": "C-9"}, webhook_id="msg_2"))[0] == 200
        status, shown = await crm.post(TEAM, {"customer": "C-4711"}, webhook_id="msg_1")
        assert (status, shown["customer"]) == (200, "C-9")
        assert await crm.events() == ["workspace.updated", "workspace.updated"]
        sub = await services.get_workspace(crm.ctx, TEAM)
        assert sub.customer == "C-9"
        audit = await services.audit_log(crm.ctx, TEAM)
        assert [e.actor for e in audit if e.action == "workspace_set"][:2] == [
            "cloudcrm",
            "cloudcrm",
        ]


GOOD = {"customer": "C-1"}
STALE = datetime.now(UTC) - timedelta(minutes=10)


@pytest.mark.parametrize(
    ("team", "body", "options", "status", "field"),
    [
        pytest.param(TEAM, GOOD, {"secret": FORGED}, 401, None, id="forged"),
        pytest.param(TEAM, GOOD, {"at": STALE}, 401, None, id="stale"),
        pytest.param(TEAM, b"{customer", {}, 400, None, id="not json"),
        pytest.param(TEAM, b"[1, 2]", {}, 400, None, id="not an object"),
        pytest.param(TEAM, {**GOOD, "anchor": "2026-01-01"}, {}, 400, "anchor", id="unknown"),
        pytest.param(TEAM, {"customer": "x" * 65}, {}, 400, "customer", id="bad customer"),
        pytest.param(TEAM, {"customer": 4711}, {}, 400, "customer", id="not a string"),
        pytest.param("T0NEVERSEEN", GOOD, {}, 404, None, id="unknown team"),
    ],
)
async def test_a_bad_request_is_refused_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    team: str,
    body: bytes | dict[str, Any],
    options: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    async with crm_app(monkeypatch, str(tmp_path / "addons.db")) as crm:
        got, answer = await crm.post(team, body, webhook_id="msg_once", **options)
        assert got == status
        assert "error" in answer
        assert answer.get("field") == field
        assert (await services.get_workspace(crm.ctx, TEAM)).customer is None
        assert await crm.events() == []
        # the refused request's id is not burnt: the right request under it is applied
        fixed, shown = await crm.post(TEAM, GOOD, webhook_id="msg_once")
        assert (fixed, shown["customer"]) == (200, "C-1")


async def test_the_way_in_is_closed_without_its_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async with (
        crm_app(monkeypatch, str(tmp_path / "addons.db"), secret=None) as crm,
        crm.http.post(f"{crm.url}/crm/v1/workspaces/{TEAM}", json={}) as answer,
    ):
        assert answer.status == 404


TARIF = {"name": "CloudCRM Business", "price": "49.00"}
MANDATE = {"reference": "MR-77", "iban": "AT61 1904 3002 3457 3201", "signed_on": "2026-03-20"}
VIENNA: dict[str, Any] = {
    "company": "Beispiel GmbH",
    "street": "Ring 1",
    "postcode": "1010",
    "city": "Wien",
    "country": "AT",
    "vat_id": "ATU13585627",
    "invoice_email": "rechnung@beispiel.example",
    "buyer_reference": "PO-77",
    "sepa_mandate": MANDATE,
}


async def test_cloudcrm_sets_the_tarif_and_the_rechnungsdaten_as_workspace_set_does(
    monkeypatch: pytest.MonkeyPatch, database: str
) -> None:
    async with crm_app(monkeypatch, database) as crm:
        status, shown = await crm.post(TEAM, {"plan": TARIF, "billing_details": VIENNA})
        assert status == 200, shown
        assert shown["plan"] == TARIF
        masked = {**MANDATE, "iban": "AT61 **** 3201"}
        assert shown["billing_details"] == {**VIENNA, "sepa_mandate": masked}
        sub = await services.get_workspace(crm.ctx, TEAM)
        assert sub.details.mandate is not None
        assert sub.details.mandate.iban == "AT611904300234573201"  # kept whole, shown masked
        # what it set is what the next invoice carries: the Tarif first, reverse charge
        preview = await services.preview_invoice(crm.ctx, TEAM, NOW)
        assert preview.plan is not None
        assert preview.plan.name == "CloudCRM Business"
        assert preview.terms is not None
        assert preview.terms.treatment.category.value == "AE"
        # a partial update changes only what it names
        status, shown = await crm.post(
            TEAM, {"billing_details": {"city": "Graz", "buyer_reference": None}}
        )
        assert status == 200
        assert shown["billing_details"]["city"] == "Graz"
        assert shown["billing_details"]["buyer_reference"] is None
        assert shown["billing_details"]["vat_id"] == "ATU13585627"
        assert shown["plan"] == TARIF
        status, shown = await crm.post(
            TEAM, {"plan": None, "billing_details": {"sepa_mandate": None}}
        )
        assert (status, shown["plan"], shown["billing_details"]["sepa_mandate"]) == (
            200,
            None,
            None,
        )
        assert await crm.events() == ["workspace.updated"] * 3
        audit = [e for e in await services.audit_log(crm.ctx, TEAM) if e.actor == "cloudcrm"]
        assert [sorted(set(e.detail) - {"customer", "request"}) for e in audit] == [
            ["plan", "sepa_mandate"],
            ["buyer_reference", "city"],
            [
                "buyer_reference", "city", "company", "country", "invoice_email", "plan",
                "postcode", "sepa_mandate", "street", "vat_id",
            ],
        ]  # fmt: skip
        assert audit[-1].detail["sepa_mandate"]["iban"] == "AT61 **** 3201"


def details(**values: Any) -> dict[str, Any]:
    return {"billing_details": values}


def mandate(**values: str) -> dict[str, Any]:
    return details(sepa_mandate={**MANDATE, **values})


D = "billing_details."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(details(vat_id="ATU13585628"), D + "vat_id", id="vat id"),
        pytest.param(details(country="AT"), D + "vat_id", id="vat id of another country"),
        pytest.param(details(country="Austria"), D + "country", id="country"),
        pytest.param(details(invoice_email="nobody"), D + "invoice_email", id="e-mail"),
        pytest.param(details(city=7), D + "city", id="not a string"),
        pytest.param(details(colour="red"), D + "colour", id="unknown field"),
        pytest.param({"billing_details": ["AT"]}, "billing_details", id="not an object"),
        pytest.param(mandate(iban="AT61 1904 3002 3457 3202"), D + "sepa_mandate.iban", id="iban"),
        pytest.param(mandate(signed_on="20.03.2026"), D + "sepa_mandate.signed_on", id="signed"),
        pytest.param(
            details(sepa_mandate={"reference": "MR-1"}), D + "sepa_mandate.iban", id="incomplete"
        ),
        pytest.param({"plan": {"name": "Business", "price": "49.001"}}, "plan.price", id="price"),
        pytest.param({"plan": {"name": "Business", "price": 49}}, "plan.price", id="a number"),
        pytest.param({"plan": {"name": "", "price": "49.00"}}, "plan.name", id="plan name"),
        pytest.param({"plan": "Business"}, "plan", id="plan not an object"),
    ],
)
async def test_a_bad_tarif_or_rechnungsdaten_is_refused_naming_the_field_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, body: dict[str, Any], field: str
) -> None:
    async with crm_app(monkeypatch, str(tmp_path / "addons.db")) as crm:
        status, _ = await crm.post(
            TEAM, {"billing_details": {"country": "DE", "vat_id": "DE136695976"}}
        )
        assert status == 200
        before = await services.get_workspace(crm.ctx, TEAM)
        got, answer = await crm.post(TEAM, {"customer": "C-1", **body}, webhook_id="msg_bad")
        assert (got, answer.get("field")) == (400, field), answer
        assert field in answer["error"]
        assert await services.get_workspace(crm.ctx, TEAM) == before  # the customer neither
        assert await crm.events() == ["workspace.updated"]
        fixed, shown = await crm.post(TEAM, {"plan": TARIF}, webhook_id="msg_bad")
        assert (fixed, shown["plan"]) == (200, TARIF)  # the refused request's id is not burnt
