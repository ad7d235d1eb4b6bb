"""Re-running a whole use case when the store ended its transaction as a conflict.

A unit of work's ``async with`` block cannot be re-run from inside the store, so the
retry sits around the use case: every write use case is decorated with ``retrying``.
A ``Conflict`` (a deadlock or serialization failure) changed nothing, so the use case
simply runs again from its first read; after the last try the ``Conflict`` goes on as
what it also is, ``Busy``: the polite "nothing changed, try again" answer.
"""

from __future__ import annotations

import asyncio
import functools
import random
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from bot.ports import Conflict

P = ParamSpec("P")
T = TypeVar("T")

ATTEMPTS = 5
# The first pause; each next try waits up to twice as long, jittered so two writers that
# met once do not meet again at the same instant.
BASE_PAUSE_S = 0.005


def pause(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait before try ``attempt + 2``: full jitter up to 5 ms, 10 ms, 20 ms…"""
    return (rng or random).uniform(0, BASE_PAUSE_S * 2**attempt)


def retrying(use_case: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """``use_case``, run again (at most ``ATTEMPTS`` times in all) while it ends in Conflict."""

    @functools.wraps(use_case)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(ATTEMPTS - 1):
            try:
                return await use_case(*args, **kwargs)
            except Conflict:
                await asyncio.sleep(pause(attempt))
        return await use_case(*args, **kwargs)

    return run
