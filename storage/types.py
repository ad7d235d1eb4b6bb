"""Column types of our own: instants that compare correctly as stored text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, Text
from sqlalchemy.types import TypeDecorator, TypeEngine


def utc_text(value: datetime) -> str:
    """An instant as fixed-width UTC ISO-8601 text: text order is time order.

    A naive datetime is taken to be UTC already.
    """
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "+00:00"


class Instant(TypeDecorator[datetime]):
    """A point in time: UTC ISO text on SQLite, ``timestamptz`` elsewhere.

    Rows written before this type existed hold ``datetime.isoformat()`` with the
    caller's offset; they read back as the same instants (the upgrade of such a file
    rewrites them as UTC text, so comparisons in SQL stay right).
    """

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """Text on SQLite; a time zone aware timestamp on every other database."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """UTC text on SQLite; the datetime itself elsewhere (a naive one taken as UTC)."""
        if value is None:
            return value
        if dialect.name != "sqlite":
            return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return utc_text(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """The stored instant as an aware datetime (naive only if stored naive)."""
        if value is None or isinstance(value, datetime):
            return value
        return datetime.fromisoformat(value)
