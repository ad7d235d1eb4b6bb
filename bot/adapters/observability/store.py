"""The store, watched: what each committed unit of work recorded is counted.

Bookings, cancellations and withdrawals are counted where they become true, at the
commit of the unit of work that recorded them in the audit log: a rolled-back attempt
or a repeated confirmation (which records nothing) is never counted, and the use cases
know nothing of metrics.
"""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Any

from bot.adapters.observability import metrics
from bot.ports import (
    AddOns,
    AuditEntry,
    AuditLog,
    Corrections,
    Documents,
    Events,
    IdempotencyKeys,
    InboundRequests,
    Invoices,
    Lines,
    Outbox,
    Subscriptions,
    UnitOfWork,
    UnitOfWorkSource,
)


class _RecordingAudit:
    """The audit log of one unit of work, remembering which actions it recorded."""

    def __init__(self, inner: AuditLog) -> None:
        self._inner = inner
        self.actions: list[str] = []

    async def record(
        self,
        team_id: str,
        now: datetime,
        actor: str,
        action: str,
        addon_id: int | None = None,
        before: str | None = None,
        after: str | None = None,
        **detail: Any,
    ) -> None:
        """Record as the store does, and remember the action."""
        await self._inner.record(team_id, now, actor, action, addon_id, before, after, **detail)
        self.actions.append(action)

    async def newest_first(self, team_id: str) -> list[AuditEntry]:
        """As the store answers."""
        return await self._inner.newest_first(team_id)

    async def slack_actors(self, team_id: str) -> list[str]:
        """As the store answers."""
        return await self._inner.slack_actors(team_id)


class _ObservedUnitOfWork:
    """A unit of work whose audit actions are counted once it commits."""

    def __init__(self, inner: UnitOfWork) -> None:
        self._inner = inner
        self._audit: _RecordingAudit | None = None

    @property
    def subscriptions(self) -> Subscriptions:
        return self._inner.subscriptions

    @property
    def addons(self) -> AddOns:
        return self._inner.addons

    @property
    def lines(self) -> Lines:
        return self._inner.lines

    @property
    def invoices(self) -> Invoices:
        return self._inner.invoices

    @property
    def corrections(self) -> Corrections:
        return self._inner.corrections

    @property
    def events(self) -> Events:
        return self._inner.events

    @property
    def idempotency(self) -> IdempotencyKeys:
        return self._inner.idempotency

    @property
    def documents(self) -> Documents:
        return self._inner.documents

    @property
    def outbox(self) -> Outbox:
        return self._inner.outbox

    @property
    def inbound(self) -> InboundRequests:
        return self._inner.inbound

    @property
    def audit(self) -> AuditLog:
        if self._audit is None:
            self._audit = _RecordingAudit(self._inner.audit)
        return self._audit

    async def __aenter__(self) -> UnitOfWork:
        await self._inner.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, tb)

    async def claim_workspace(self, team_id: str) -> bool:
        """As the store answers."""
        return await self._inner.claim_workspace(team_id)

    async def commit(self) -> None:
        """Commit, then count what became true."""
        await self._inner.commit()
        if self._audit is not None:
            for action in self._audit.actions:
                metrics.count_action(action)
            self._audit.actions.clear()


class ObservedStore:
    """A UnitOfWorkSource whose units of work count bookings, cancellations, withdrawals."""

    def __init__(self, inner: UnitOfWorkSource) -> None:
        self.inner = inner

    def unit_of_work(self, write: bool = True) -> UnitOfWork:
        """The inner store's unit of work, watched when it writes."""
        uow = self.inner.unit_of_work(write)
        return _ObservedUnitOfWork(uow) if write else uow
