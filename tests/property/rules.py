"""Rules both property tests predict independently of the code under test."""

from __future__ import annotations

from datetime import date

from domain.addons import AddOn, Status
from domain.errors import AlreadyEnded, CancellationTookEffect, DomainError, NothingToUndo


def expected_undo_refusal(addon: AddOn, today: date) -> type[DomainError] | None:
    """The error "Kündigung zurücknehmen" must raise today, or None if it must succeed."""
    if addon.status is Status.ACTIVE:
        return NothingToUndo
    if addon.status is Status.WITHDRAWN:
        return AlreadyEnded
    if addon.status is Status.ENDED:
        return CancellationTookEffect
    assert addon.effective_on is not None
    return CancellationTookEffect if today > addon.effective_on else None
