"""What the retention job purges: delivered messages and events past their days, and
invoices with their corrections 8 years after the end of their year of issue.

Every function is idempotent: a second run the same day finds nothing more to purge.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.database import Database
from storage.tables import (
    audit_log,
    correction_lines,
    corrections,
    documents,
    events,
    invoice_lines,
    invoices,
    outbox,
    slack_bots,
    slack_installations,
)

# §14b UStG, §147 Abs. 3 AO (as amended in 2025): 8 years from the end of the year of issue.
KEEP_YEARS = 8
INSTALLS = ("slack_installed", "slack_uninstalled", "slack_tokens_revoked")


def last_kept_year(today: date) -> int:
    """The oldest year of issue still kept today: 2017's invoices go on 1 January 2026."""
    return today.year - KEEP_YEARS


async def purge_delivered(db: Database, before: datetime) -> tuple[int, int]:
    """Delete the direct messages and events delivered before ``before``; keep each
    workspace's newest event (its sequence number goes on from it). (DMs, events) purged."""
    async with db.writing_engine.begin() as conn:
        dms = await conn.execute(
            delete(outbox).where(outbox.c.sent_at.is_not(None), outbox.c.sent_at < before)
        )
        e2 = events.alias("newer")
        has_newer = (
            select(e2.c.id)
            .where(e2.c.team_id == events.c.team_id, e2.c.sequence > events.c.sequence)
            .exists()
        )
        sent = await conn.execute(
            delete(events).where(
                events.c.sent_at.is_not(None), events.c.sent_at < before, has_newer
            )
        )
        return dms.rowcount or 0, sent.rowcount or 0


async def uninstalled_before(db: Database, cutoff: datetime) -> list[str]:
    """Workspaces whose app was uninstalled (or its token revoked) before ``cutoff`` and
    not installed again since."""
    latest = (
        select(audit_log.c.team_id, func.max(audit_log.c.id).label("last"))
        .where(audit_log.c.action.in_(INSTALLS))
        .group_by(audit_log.c.team_id)
        .subquery()
    )
    query = (
        select(audit_log.c.team_id)
        .join(latest, audit_log.c.id == latest.c.last)
        .where(audit_log.c.action != "slack_installed", audit_log.c.at < cutoff)
        .order_by(audit_log.c.team_id)
    )
    async with db.engine.connect() as conn:
        teams = [row[0] for row in await conn.execute(query)]
        return [t for t in teams if not await _installed(conn, t)]


async def _installed(conn: AsyncConnection, team_id: str) -> bool:
    for table in (slack_bots, slack_installations):
        found = select(func.count()).where(table.c.team_id == team_id)
        if (await conn.execute(found)).scalar_one():
            return True
    return False


async def purge_expired_invoices(db: Database, today: date) -> tuple[int, int]:
    """Delete invoices (with their lines and corrections) whose retention has ended: issued,
    and every correction of them issued, before ``last_kept_year(today)``, and no line of a
    kept invoice or correction crediting theirs. (invoices, corrections) purged."""
    first_kept = datetime(last_kept_year(today), 1, 1, tzinfo=UTC)
    async with db.writing_engine.begin() as conn:
        numbered: Iterable[Any] = await conn.scalars(
            select(invoices.c.number).where(invoices.c.created_at < first_kept)
        )
        old: set[int] = set(numbered)
        if not old:
            return 0, 0
        corrected_at: Iterable[Any] = await conn.execute(
            select(corrections.c.corrects, corrections.c.issued_on)
        )
        for corrected, issued in corrected_at:
            if corrected in old and issued >= first_kept.date():
                old.discard(corrected)
        lines = {
            line: number
            for line, number in await conn.execute(
                select(invoice_lines.c.id, invoice_lines.c.invoice_number).where(
                    invoice_lines.c.invoice_number.in_(old)
                )
            )
        }
        for (credited,) in await conn.execute(
            select(invoice_lines.c.credits_line_id).where(
                invoice_lines.c.credits_line_id.in_(lines),
                (invoice_lines.c.invoice_number.is_(None))
                | invoice_lines.c.invoice_number.not_in(old),
            )
        ):
            old.discard(lines[credited])
        for credited, correcting in await conn.execute(
            select(correction_lines.c.credits_line_id, corrections.c.corrects)
            .join(corrections, corrections.c.number == correction_lines.c.correction_number)
            .where(correction_lines.c.credits_line_id.in_(lines))
        ):
            if correcting not in old:
                old.discard(lines[credited])
        numbers = sorted(old)
        if not numbers:
            return 0, 0
        fixes = select(corrections.c.number).where(corrections.c.corrects.in_(numbers))
        fixed = [n for (n,) in await conn.execute(fixes)]
        # their documents (PDF, XML) go with them: kept exactly as long as they
        await conn.execute(
            delete(documents).where(
                ((documents.c.owner == "invoice") & documents.c.number.in_(numbers))
                | ((documents.c.owner == "correction") & documents.c.number.in_(fixed))
            )
        )
        await conn.execute(
            delete(correction_lines).where(correction_lines.c.correction_number.in_(fixed))
        )
        await conn.execute(delete(corrections).where(corrections.c.number.in_(fixed)))
        await conn.execute(delete(invoice_lines).where(invoice_lines.c.invoice_number.in_(numbers)))
        await conn.execute(delete(invoices).where(invoices.c.number.in_(numbers)))
        return len(numbers), len(fixed)
