"""The customer number under the invoice DM, in the recipient's language."""

from __future__ import annotations

from datetime import date

import pytest

from bot import services
from bot.ports import OutboxMessage
from handlers.notifications import render_message
from tests.fakes.memory import MemoryStore
from tests.webhooks.support import ADMIN, TEAM, at


async def _invoiced(customer: str | None) -> services.Context:
    ctx = services.Context(MemoryStore())
    await services.set_workspace(
        ctx, TEAM, date(2026, 3, 18), at(date(2026, 4, 3)), customer=customer
    )
    await services.book(ctx, TEAM, "users", 1, at(date(2026, 4, 3)), key="k", actor=ADMIN)
    await services.billing_run(ctx, at(date(2026, 4, 18)))
    return ctx


def _message() -> OutboxMessage:
    return OutboxMessage(1, TEAM, "invoice:1:U1", "invoice_issued", {"number": 1, "user": "U1"}, 0)


@pytest.mark.parametrize(("lang", "label"), [("de", "Kundennummer"), ("en", "Customer number")])
async def test_the_invoice_message_names_the_customer_number(lang: str, label: str) -> None:
    ctx = await _invoiced("C-4711")
    rendered = await render_message(ctx, _message(), lang)
    assert rendered["blocks"][-1]["elements"][0]["text"] == f"{label}: C-4711"


async def test_without_a_customer_number_the_message_has_no_such_line() -> None:
    ctx = await _invoiced(None)
    rendered = await render_message(ctx, _message(), "de")
    assert "Kundennummer" not in str(rendered["blocks"])
