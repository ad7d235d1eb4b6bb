"""Core statements compiled once per dialect, run by an engine's fast executor.

SQLAlchemy's execution path (execution context, result objects, and on asyncio a
greenlet switch per statement) costs about as much per statement as the database itself
on this app's small statements. A fast executor (``storage.sqlite_fast``,
``storage.postgres_fast``) compiles each statement once per statement object and
parameter keys, with SQLAlchemy's own compiler and its bind and result processors, and
sends the SQL and values to the driver itself.

It uses SQLAlchemy internals (compiled statements' ``_result_columns`` and
``positiontup``, types' cached processors), fenced by ``storage.sqlite_fast``'s
``missing_internals`` check at start-up. A statement it cannot run as SQLAlchemy would
is refused with ``ValueError``, never run differently: an IN list (expanded at
execution), and an INSERT or UPDATE that leaves a column with a Python-side default
(``Column(default=...)``, ``onupdate=``) to SQLAlchemy, which only its own path fills
in. Scalar Python-side defaults of an INSERT are filled in here.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Dialect, Integer, MetaData, Table, select
from sqlalchemy.sql import Executable
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.selectable import TableClause
from sqlalchemy.sql.util import find_tables

Params = dict[str, Any]
CACHE_LIMIT = 1000  # statements are module constants: this is a safeguard


@dataclass(frozen=True)
class Prepared:
    """One statement as the driver takes it."""

    sql: str
    names: tuple[str, ...]  # the parameters, in the order the SQL takes them
    fixed: dict[str, Any]  # values compiled into the statement (literals, defaults)
    bind: tuple[Any, ...]  # a processor (or None) per name
    result: tuple[Any, ...] | None  # a processor (or None) per column; None: no rows
    reads: frozenset[str] = frozenset()  # the tables whose rows it reads (by name)
    writes: frozenset[str] = frozenset()  # the table it changes, if any
    converted: tuple[tuple[int, Any], ...] = ()  # (column, processor) where one converts

    def values(self, params: Params | None) -> tuple[Any, ...]:
        """The driver's values for ``params``, in the SQL's order, processed."""
        given = self.fixed if not params else {**self.fixed, **params}
        return tuple(
            given[n] if proc is None else proc(given[n])
            for n, proc in zip(self.names, self.bind, strict=True)
        )

    def processed(self, rows: Any) -> list[tuple[Any, ...]]:
        """The driver's rows as tuples of Python values (only the columns a processor
        converts are touched)."""
        converted = self.converted
        if not converted:
            plain: list[tuple[Any, ...]] = [tuple(r) for r in rows]
            return plain
        found = []
        for r in rows:
            row = list(r)
            for column, convert in converted:
                row[column] = convert(row[column])
            found.append(tuple(row))
        return found


def python_defaults(statement: Executable, keys: tuple[str, ...]) -> dict[str, Any]:
    """The scalar Python-side defaults an INSERT leaves to SQLAlchemy, to send ourselves;
    ValueError if it leaves one this path cannot fill in as SQLAlchemy would."""
    table = getattr(statement, "table", None)
    if not isinstance(statement, Insert | Update) or not isinstance(table, Table):
        return {}
    filled: dict[str, Any] = {}
    for column in table.columns:
        if column.key in keys:
            continue
        if isinstance(statement, Update):
            if column.onupdate is not None:
                raise ValueError(f"{table.name}.{column.key} has an onupdate: not on the fast path")
            continue
        default = column.default
        if default is None:
            continue
        if not getattr(default, "is_scalar", False):
            raise ValueError(
                f"{table.name}.{column.key} has a Python-side default that is not a "
                "constant: not on the fast path"
            )
        filled[column.key] = default.arg
    return filled


def footprint(statement: Executable) -> tuple[frozenset[str], frozenset[str]]:
    """The tables ``statement`` reads and the table it writes, by name.

    An UPDATE or DELETE reads the table it changes (its WHERE). An INSERT of values reads
    only what a subquery in it names, and its own table when it updates on a conflict
    (``ON CONFLICT DO NOTHING`` only checks the unique index, as a plain INSERT does).
    """
    named = frozenset(
        t.name
        for t in find_tables(statement, check_columns=True, include_crud=True)  # type: ignore[arg-type]
        if isinstance(t, TableClause)
    )
    target = getattr(statement, "table", None)
    if not isinstance(statement, Insert | Update | Delete) or not isinstance(target, Table):
        return named, frozenset()
    writes = frozenset({target.name})
    if isinstance(statement, Insert) and _reads_nothing(statement):
        return named - writes, writes
    return named, writes


def _reads_nothing(statement: Insert) -> bool:
    """An INSERT of bound values only, not updating on a conflict."""
    values = getattr(statement, "_values", None) or {}
    return (
        statement.select is None
        and not getattr(statement, "_multi_values", ())
        and all(isinstance(v, BindParameter) for v in values.values())
        and type(getattr(statement, "_post_values_clause", None)).__name__ != "OnConflictDoUpdate"
    )


class Compiler:
    """Compiles statements for one dialect, each once per statement and parameter keys."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._cache: dict[tuple[int, tuple[str, ...]], tuple[Executable, Prepared]] = {}

    def prepare(self, statement: Executable, keys: tuple[str, ...]) -> Prepared:
        """``statement`` compiled for parameters named ``keys`` (remembered)."""
        cache_key = (id(statement), keys)
        found = self._cache.get(cache_key)
        if found is not None and found[0] is statement:
            return found[1]
        prepared = self._compile(statement, keys)
        if len(self._cache) > CACHE_LIMIT:
            self._cache.clear()
        self._cache[cache_key] = (statement, prepared)
        return prepared

    def _compile(self, statement: Executable, keys: tuple[str, ...]) -> Prepared:
        dialect = self._dialect
        defaults = python_defaults(statement, keys)
        compiled = statement.compile(  # type: ignore[attr-defined]
            dialect=dialect,
            column_keys=[*keys, *defaults] if isinstance(statement, Insert) else None,
        )
        if any(b.expanding for b in compiled.binds.values()):
            raise ValueError("an IN list cannot be compiled once: write it with or_()")
        names = tuple(compiled.positiontup or ())
        fixed = {
            n: b.effective_value for n, b in compiled.binds.items() if n not in keys and n in names
        }
        fixed.update((k, v) for k, v in defaults.items() if k in names)
        bind = tuple(compiled.binds[n].type._cached_bind_processor(dialect) for n in names)
        result = None
        if compiled._result_columns:
            result = tuple(
                c.type._cached_result_processor(dialect, None) for c in compiled._result_columns
            )
        reads, writes = footprint(statement)
        converted = tuple((i, p) for i, p in enumerate(result or ()) if p is not None)
        return Prepared(compiled.string, names, fixed, bind, result, reads, writes, converted)


def compiler_internals(dialect: Dialect) -> dict[str, bool]:
    """Whether each SQLAlchemy internal the compiler uses is there, by name."""
    probe = Table("probe", MetaData(), Column("x", Integer)).c
    compiled = select(probe.x).compile(dialect=dialect)
    return {
        "Compiled._result_columns": hasattr(compiled, "_result_columns"),
        "Compiled.positiontup": hasattr(compiled, "positiontup"),
        "TypeEngine._cached_bind_processor": hasattr(probe.x.type, "_cached_bind_processor"),
        "TypeEngine._cached_result_processor": hasattr(probe.x.type, "_cached_result_processor"),
    }


_COMPILERS: weakref.WeakKeyDictionary[Dialect, Compiler] = weakref.WeakKeyDictionary()


def compiler_for(dialect: Dialect) -> Compiler:
    """The one compiler of ``dialect`` (an engine's): its connections share what it
    compiled."""
    found = _COMPILERS.get(dialect)
    if found is None:
        found = _COMPILERS[dialect] = Compiler(dialect)
    return found
