"""How a billing run over every workspace walks the due ones: in order, and from the
other end of the page once another process is found billing it too."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.services.context import Context

# the module (the package's name ``billing_run`` is the use case of that name)
billing_run = importlib.import_module("bot.services.billing_run")
NOW = datetime(2026, 4, 18, 6, tzinfo=UTC)
PAGE = [f"T{i}" for i in range(1, 7)]


async def _walk(monkeypatch: pytest.MonkeyPatch, held: set[str]) -> list[str]:
    """The workspaces a run tries, in order, when ``held`` are another process's."""
    tried: list[str] = []

    async def pages(ctx: Any, now: Any, team_ids: Sequence[str] | None) -> AsyncIterator[list[str]]:
        yield list(PAGE)

    async def run_workspace(ctx: Any, team_id: str, *args: Any, **kwargs: Any) -> list[Any]:
        tried.append(team_id)
        return [] if team_id in held else [object()]

    monkeypatch.setattr(billing_run, "_due_pages", pages)
    monkeypatch.setattr(billing_run, "run_workspace", run_workspace)

    async for _ in billing_run.iter_billing_run(Context(db=None), NOW):  # type: ignore[arg-type]
        pass
    return tried


async def test_alone_a_run_walks_the_page_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    assert await _walk(monkeypatch, held=set()) == PAGE


async def test_a_workspace_found_held_turns_the_walk_to_the_pages_other_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert await _walk(monkeypatch, held={"T2"}) == ["T1", "T2", "T6", "T5", "T4", "T3"]
