"""The in-memory store's tables: immutable rows in dicts, so a snapshot is a shallow copy.

Rows mirror the SQLite schema (storage/schema/): instants are kept as the ISO text the
database keeps, and every constraint the use cases could break (primary keys, unique
keys, foreign keys, the gapless invoice counter) raises ``IntegrityError`` here too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.ports import StoredDocument
from domain.addons import AddOn
from domain.invoices import InvoiceLine, PlanLine
from domain.terms import Terms
from domain.workspace import Subscription


class IntegrityError(Exception):
    """A change the database would refuse: a duplicate key or a missing reference."""


@dataclass(frozen=True)
class SubscriptionRow:
    subscription: Subscription  # last_closed always set, as the NOT NULL column is
    created_at: str


@dataclass(frozen=True)
class AddOnRow:
    team_id: str
    addon: AddOn  # never handed out: callers get copies, so a row cannot change in place
    created_at: str


@dataclass(frozen=True)
class LineRow:
    team_id: str
    line: InvoiceLine  # with its id


@dataclass(frozen=True)
class InvoiceRow:
    number: int
    team_id: str
    period_index: int
    period_start: date
    period_end: date
    total_cents: int
    created_at: str
    issued_on: date | None = None  # 0008_law: NULL reads as period_start
    plan: PlanLine | None = None
    terms: Terms | None = None


@dataclass(frozen=True)
class CorrectionRow:
    number: int
    team_id: str
    corrects: int
    issued_on: date
    total_cents: int
    created_at: str
    lines: tuple[InvoiceLine, ...]  # with their ids, as the correction_lines rows hold them
    terms: Terms | None = None


@dataclass(frozen=True)
class KeyRow:
    addon_id: int
    created_at: str


@dataclass(frozen=True)
class AuditRow:
    id: int
    team_id: str
    at: str
    actor: str
    action: str
    addon_id: int | None
    before_status: str | None
    after_status: str | None
    detail: str  # JSON text, as stored


@dataclass(frozen=True)
class OutboxRow:
    id: int
    team_id: str
    event_key: str
    kind: str
    payload: str  # JSON text, as stored
    created_at: str
    attempts: int
    next_try_at: str
    sent_at: str | None = None
    failed_at: str | None = None
    last_error: str | None = None


@dataclass(frozen=True)
class EventRow:
    id: int
    team_id: str
    sequence: int
    webhook_id: str
    type: str
    body: str  # JSON text, as stored
    created_at: str
    attempts: int
    next_try_at: str
    sent_at: str | None = None
    failed_at: str | None = None
    last_error: str | None = None


@dataclass
class Tables:
    """Every table of one state of the store; ``copy`` is what a transaction starts from."""

    subscriptions: dict[str, SubscriptionRow] = field(default_factory=dict)
    addons: dict[int, AddOnRow] = field(default_factory=dict)
    lines: dict[int, LineRow] = field(default_factory=dict)
    invoices: dict[int, InvoiceRow] = field(default_factory=dict)
    invoice_counter: int = 0
    keys: dict[tuple[str, str], KeyRow] = field(default_factory=dict)
    audit: dict[int, AuditRow] = field(default_factory=dict)
    outbox: dict[int, OutboxRow] = field(default_factory=dict)
    corrections: dict[int, CorrectionRow] = field(default_factory=dict)
    correction_counter: int = 0
    events: dict[int, EventRow] = field(default_factory=dict)
    # (owner, number, format) -> the stored file (0007_doc); rows are frozen values
    documents: dict[tuple[str, int, str], StoredDocument] = field(default_factory=dict)
    inbound: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (team, at)

    def copy(self) -> Tables:
        """A snapshot: new dicts over the same immutable rows."""
        return Tables(
            dict(self.subscriptions),
            dict(self.addons),
            dict(self.lines),
            dict(self.invoices),
            self.invoice_counter,
            dict(self.keys),
            dict(self.audit),
            dict(self.outbox),
            dict(self.corrections),
            self.correction_counter,
            dict(self.events),
            dict(self.documents),
            dict(self.inbound),
        )


def next_id(ids: Iterable[int]) -> int:
    """The id SQLite gives a new row of an INTEGER PRIMARY KEY table: one above the largest."""
    return max(ids, default=0) + 1


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def as_rows(t: Tables) -> dict[str, list[tuple[Any, ...]]]:
    """Every row as the SQLite tables hold it (same columns, ISO text), in key order."""
    subs = [t.subscriptions[k] for k in sorted(t.subscriptions)]
    addons = [(i, t.addons[i]) for i in sorted(t.addons)]
    lines = [(t.lines[i].team_id, t.lines[i].line) for i in sorted(t.lines)]
    return {
        "subscriptions": [
            (s.subscription.team_id, _iso(s.subscription.anchor), s.subscription.timezone,
             s.subscription.locale, _iso(s.subscription.closed_through), s.created_at,
             s.subscription.customer)
            for s in subs
        ],
        "addons": [
            (i, r.team_id, r.addon.option, r.addon.quantity, _iso(r.addon.booked_on),
             _iso(r.addon.billed_until), r.addon.status.value, _iso(r.addon.effective_on),
             _iso(r.addon.ended_on), r.created_at)
            for i, r in addons
        ],
        "invoices": [
            (r.number, r.team_id, r.period_index, _iso(r.period_start), _iso(r.period_end),
             r.total_cents, r.created_at)
            for r in (t.invoices[n] for n in sorted(t.invoices))
        ],
        "invoice_lines": [
            (line.id, team_id, line.addon_id, line.kind.value, line.option, line.quantity,
             _iso(line.from_day), _iso(line.to_day), line.amount.cents, _iso(line.due_on),
             line.invoice_number, line.credits_line_id)
            for team_id, line in lines
        ],
        "corrections": [
            (r.number, r.team_id, r.corrects, _iso(r.issued_on), r.total_cents, r.created_at)
            for r in (t.corrections[n] for n in sorted(t.corrections))
        ],
        "correction_lines": sorted(
            (line.id, r.number, r.team_id, line.addon_id, line.option, line.quantity,
             _iso(line.from_day), _iso(line.to_day), line.amount.cents, line.credits_line_id)
            for r in t.corrections.values() for line in r.lines
        ),
        "counters": [
            ("correction_number", t.correction_counter), ("invoice_number", t.invoice_counter),
        ],
        "idempotency_keys": [
            (team_id, key, t.keys[team_id, key].addon_id, t.keys[team_id, key].created_at)
            for team_id, key in sorted(t.keys)
        ],
        "audit_log": [
            (r.id, r.team_id, r.at, r.actor, r.action, r.addon_id, r.before_status,
             r.after_status, r.detail)
            for r in (t.audit[i] for i in sorted(t.audit))
        ],
        "outbox": [
            (r.id, r.team_id, r.event_key, r.kind, r.payload, r.created_at, r.attempts,
             r.next_try_at, r.sent_at, r.failed_at, r.last_error)
            for r in (t.outbox[i] for i in sorted(t.outbox))
        ],
    }  # fmt: skip
