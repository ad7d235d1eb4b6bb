"""Writes sent together: PostgreSQL's fast path holds the writes whose results nobody
reads (``Executor.write_later``) and sends them in one round trip, as one statement of
data-modifying CTEs, before anything that could see what they wrote and before COMMIT.

Sent together they do what they would have done one after another, because a write
joins the held ones only if it reads no table they write (an UPDATE or DELETE reads
its own table; an INSERT of values reads nothing, see ``storage.compiled.footprint``);
what else waits sends them first. The statement's SELECT counts each one's rows, and
each count is checked where the caller asked for exactly one row. PostgreSQL does not
promise in which order a statement's CTEs run; it runs them as the SELECT reads them,
left to right (new rows' serial ids come out in the writes' order, which
``tests/storage/test_postgres_batch.py`` checks on the server). Foreign keys are
checked at the end of the whole statement, so a child written before its parent would
pass here where it fails alone (and on SQLite): the repositories write parents first.
A write's error comes when they are sent, at the latest with the commit, and fails the
unit of work (a duplicate key may then be told instead of a row count asked for).

Each new mix of writes is a new statement, which asyncpg prepares once per connection
(one round trip more the first time; it keeps up to 100 statements of up to 15 KiB).

Only SQL compiled from bound parameters is renumbered: a statement with a quote (a
literal) or any other ``$`` is never merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from storage.compiled import Prepared
from storage.errors import StorageError

MAX_STATEMENTS = 64  # held at most; more are sent first
MAX_VALUES = 30_000  # PostgreSQL takes 65,535 parameters per statement

_PARAM = re.compile(r"(?<![\w$])\$(\d+)(?![\w$])")


@dataclass(frozen=True)
class Held:
    """One write waiting to be sent."""

    prepared: Prepared
    values: tuple[Any, ...]
    one: str | None  # the error if it does not touch exactly one row


@dataclass
class Batch:
    """The writes held in one transaction, in their order."""

    held: list[Held] = field(default_factory=list)
    writes: set[str] = field(default_factory=set)
    values: int = 0

    def sees(self, prepared: Prepared) -> bool:
        """Whether ``prepared`` reads a table a held write changes (send them first)."""
        return bool(self.held) and not self.writes.isdisjoint(prepared.reads)

    def takes(self, prepared: Prepared, values: tuple[Any, ...]) -> bool:
        """Whether ``prepared`` may join the held writes (else send them first)."""
        return (
            not self.sees(prepared)
            and len(self.held) < MAX_STATEMENTS
            and self.values + len(values) <= MAX_VALUES
        )

    def add(self, prepared: Prepared, values: tuple[Any, ...], one: str | None) -> None:
        """Hold one more write."""
        self.held.append(Held(prepared, values, one))
        self.writes |= prepared.writes
        self.values += len(values)

    def take(self) -> list[Held]:
        """The held writes, in order; none held after."""
        held, self.held = self.held, []
        self.writes = set()
        self.values = 0
        return held


def mergeable(prepared: Prepared) -> bool:
    """Whether the statement can be renumbered into a merged one."""
    return prepared.writes != frozenset() and _pieces(prepared.sql, len(prepared.names)) is not None


@lru_cache(maxsize=512)
def _pieces(sql: str, count: int) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    """The SQL split around its parameters ``$1``…``$count`` (text, number, text, …);
    None if it holds a literal or other parameters than those."""
    if "'" in sql:
        return None
    parts = _PARAM.split(sql)
    texts = tuple(parts[0::2])
    numbers = tuple(int(p) for p in parts[1::2])
    if sql.count("$") != len(numbers) or set(numbers) != set(range(1, count + 1)):
        return None
    return texts, numbers


def merged(held: list[Held]) -> tuple[str, tuple[Any, ...]]:
    """One statement running every held write in order, and its values; its one row
    is each write's row count."""
    ctes = []
    values: list[Any] = []
    for i, item in enumerate(held):
        pieces = _pieces(item.prepared.sql, len(item.prepared.names))
        assert pieces is not None  # only mergeable statements are held
        texts, numbers = pieces
        offset = len(values)
        sql = texts[0] + "".join(
            f"${n + offset}{text}" for n, text in zip(numbers, texts[1:], strict=True)
        )
        if item.prepared.result is None:
            sql += " RETURNING 1"
        ctes.append(f"w{i} AS ({sql})")
        values.extend(item.values)
    counts = ", ".join(f"(SELECT count(*) FROM w{i})" for i in range(len(held)))
    return f"WITH {', '.join(ctes)} SELECT {counts}", tuple(values)


def check_counts(held: list[Held], counts: list[int]) -> None:
    """Raise the first held write's error whose row count is not one, as asked."""
    for item, count in zip(held, counts, strict=True):
        if item.one is not None and count != 1:
            raise StorageError(item.one)
