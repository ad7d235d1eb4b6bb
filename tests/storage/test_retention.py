"""The retention job's purges on each engine: invoices 8 years after the end of their year
of issue (not a day before), delivered messages and events after their days (each
workspace's newest event kept, so its sequence goes on), and nothing twice."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from bot import services
from bot.adapters.observability import metrics
from bot.adapters.retention import Daily, run_retention
from bot.ports import StoredDocument
from bot.settings import Settings
from domain.addons import Outcome
from storage import Database
from storage.retention import last_kept_year, purge_delivered
from storage.tables import (
    correction_lines,
    corrections,
    documents,
    events,
    invoice_lines,
    invoices,
    outbox,
)

TEAM = "T0RETAIN01"
ADMIN = "U0RETAIN01"


def noon(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


async def count(db: Database, table: object) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def invoiced_in_2017(ctx: services.Context) -> None:
    """An invoice issued in January 2017 with a correction issued the same month."""
    await services.set_workspace(ctx, TEAM, date(2016, 12, 1), noon("2016-12-01"))
    booked = await services.book(
        ctx, TEAM, "users", 1, noon("2016-12-28"), key=str(uuid.uuid4()), actor=ADMIN
    )
    await services.billing_run(ctx, noon("2017-01-01"))
    await services.cancel(
        ctx, TEAM, booked.addon.id, Outcome.WITHDRAWAL, noon("2017-01-02"), actor=ADMIN
    )


async def stored_documents(db: Database) -> None:
    """The PDFs of invoice 1 and correction K-1, as the document job stores them."""
    async with db.unit_of_work() as uow:
        for owner in ("invoice", "correction"):
            content = f"%PDF {owner} 1".encode()
            await uow.documents.add(
                StoredDocument(
                    owner,
                    1,
                    TEAM,
                    "pdf",
                    f"{owner}-1.pdf",
                    content,
                    hashlib.sha256(content).hexdigest(),
                    noon("2017-01-02"),
                )
            )
        await uow.commit()


def test_the_last_kept_year_is_eight_years_after_the_year_of_issue() -> None:
    assert last_kept_year(date(2025, 12, 31)) == 2017
    assert last_kept_year(date(2026, 1, 1)) == 2018


async def test_invoices_go_eight_years_after_their_year_and_not_a_day_before(
    db: Database,
) -> None:
    ctx = services.Context(db)
    await invoiced_in_2017(ctx)
    await stored_documents(db)
    assert await count(db, invoices) == 1
    assert await count(db, corrections) == 1
    assert await count(db, documents) == 2
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    kept = await run_retention(db, settings, noon("2025-12-31"))
    assert kept.counts["invoices"] == 0
    assert await count(db, invoices) == 1
    assert await count(db, documents) == 2  # kept with their invoice, not a day less
    before = metrics.RETENTION_PURGED.labels("invoices")._value.get()
    purged = await run_retention(db, settings, noon("2026-01-01"))
    assert purged.counts["invoices"] == 1
    assert purged.counts["corrections"] == 1
    assert metrics.RETENTION_PURGED.labels("invoices")._value.get() == before + 1
    assert await count(db, documents) == 0  # gone with their invoice and correction
    for table in (invoices, invoice_lines, corrections, correction_lines):
        issued = await count(db, table)
        if table is invoice_lines:  # drafts (not yet invoiced lines) are not invoices
            async with db.engine.connect() as conn:
                query = select(func.count()).where(invoice_lines.c.invoice_number.is_not(None))
                issued = int((await conn.execute(query)).scalar_one())
        assert issued == 0, table
    again = await run_retention(db, settings, noon("2026-01-02"))
    assert again.counts["invoices"] == again.counts["corrections"] == 0


async def test_delivered_messages_go_after_their_days_and_the_newest_event_stays(
    db: Database,
) -> None:
    ctx = services.Context(db)
    await services.set_workspace(ctx, TEAM, date(2026, 3, 18), noon("2026-03-18"))
    await services.set_billing_admins(ctx, TEAM, (ADMIN,), noon("2026-03-18"))
    await services.book(ctx, TEAM, "users", 1, noon("2026-03-20"), key="k1", actor=ADMIN)
    await services.billing_run(ctx, noon("2026-04-18"))
    async with db.writing_engine.begin() as conn:
        await conn.execute(outbox.update().values(sent_at=noon("2026-04-18")))
        await conn.execute(events.update().values(sent_at=noon("2026-04-18")))
    messages, sent = await count(db, outbox), await count(db, events)
    assert messages >= 1
    assert sent >= 2
    assert await purge_delivered(db, noon("2026-04-18")) == (0, 0)  # not yet
    assert await purge_delivered(db, noon("2026-04-19")) == (messages, sent - 1)
    assert await count(db, events) == 1
    assert await purge_delivered(db, noon("2026-04-19")) == (0, 0)


async def test_the_schedule_runs_the_job_once_a_day(db: Database) -> None:
    daily = Daily(db, Settings(_env_file=None))  # type: ignore[call-arg]
    assert await daily(noon("2026-05-01")) is not None
    assert await daily(noon("2026-05-01") + timedelta(hours=5)) is None
    assert await daily(noon("2026-05-02")) is not None
