"""The corrections repository on every store: its own gapless counter, scoped reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.corrections import Correction
from domain.invoices import Invoice
from tests.services.test_units_of_work import PERIOD, addon, draft, workspace
from tests.services.workspace import TEAM, at
from tests.stores import Store

OTHER = "T0002"
ISSUED = date(2026, 4, 20)


async def _invoiced(store: Store) -> int:
    """A workspace with one invoiced line; the line's id."""
    async with store.db.unit_of_work() as uow:
        await uow.subscriptions.add(workspace(), at(ISSUED))
        await uow.subscriptions.add(workspace(OTHER), at(ISSUED))
        addon_id = await uow.addons.add(TEAM, addon(), at(ISSUED))
        line_id = await uow.lines.add(TEAM, draft(addon_id))
        await uow.invoices.add(Invoice(1, TEAM, PERIOD, ()), at(PERIOD.start))
        await uow.lines.mark_invoiced(TEAM, [line_id], 1)
        await uow.commit()
    return line_id


def _correction(line_id: int, number: int, charged_amount: int = 552) -> Correction:
    charged = replace(draft(1), id=line_id, invoice_number=1)
    assert charged.amount.cents == charged_amount
    return Correction(number, TEAM, 1, ISSUED, (charged.credit(ISSUED),))


async def test_the_correction_counter_advances_only_in_the_committing_transaction(
    store: Store,
) -> None:
    line_id = await _invoiced(store)
    async with store.db.unit_of_work() as uow:
        assert await uow.corrections.next_number() == 1
        await uow.corrections.add(_correction(line_id, 1), at(ISSUED))
        assert await uow.corrections.next_number() == 2
    async with store.db.unit_of_work() as uow:  # rolled back: the number is free again
        assert await uow.corrections.next_number() == 1
        assert await uow.corrections.newest_first(TEAM) == []
        await uow.corrections.add(_correction(line_id, 1), at(ISSUED))
        await uow.commit()
    async with store.db.unit_of_work(write=False) as uow:
        [stored] = await uow.corrections.newest_first(TEAM)
        assert await uow.corrections.next_number() == 2
        assert await uow.invoices.next_number() == 2  # the invoices' sequence is its own
    assert (stored.number, stored.corrects, stored.issued_on) == (1, 1, ISSUED)
    assert [(line.credits_line_id, line.amount.cents) for line in stored.lines] == [(line_id, -552)]
    assert stored.total.cents == -552
    rows = await store.rows()
    assert ("correction_number", 1) in rows["counters"]
    assert rows["corrections"][0][:5] == (1, TEAM, 1, "2026-04-20", -552)


async def test_a_number_that_is_not_the_next_one_is_refused(store: Store) -> None:
    line_id = await _invoiced(store)
    with pytest.raises(Exception, match="next number"):  # at the latest when committing
        await _add_and_commit(store, _correction(line_id, 2))


async def _add_and_commit(store: Store, correction: Correction) -> None:
    async with store.db.unit_of_work() as uow:
        await uow.corrections.add(correction, at(ISSUED))
        await uow.commit()


async def test_a_correction_is_read_only_by_its_own_workspace(store: Store) -> None:
    line_id = await _invoiced(store)
    async with store.db.unit_of_work() as uow:
        await uow.corrections.add(_correction(line_id, 1), at(ISSUED))
        await uow.commit()
    async with store.db.unit_of_work(write=False) as uow:
        assert (await uow.corrections.get(1, TEAM)) is not None
        assert await uow.corrections.get(1, OTHER) is None
        assert await uow.corrections.get(2) is None
        assert await uow.corrections.newest_first(OTHER) == []
