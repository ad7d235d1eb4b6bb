"""What ``ADDONS_DATABASE`` names: a SQLite file path or a PostgreSQL URL.

A path (anything without ``scheme://``) is a SQLite file. ``postgresql://`` and
``postgres://`` URLs (and ``postgresql+asyncpg://``) are PostgreSQL, always through the
async driver asyncpg. Any other scheme is refused with one line; nothing is opened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from storage.errors import StorageError

SETTING = "ADDONS_DATABASE"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_POSTGRES = ("postgresql", "postgres", "postgresql+asyncpg")


class UnsupportedDatabase(StorageError):
    """The setting names a database this app cannot use."""


@dataclass(frozen=True)
class Target:
    """Where the data lives: a SQLite file (``path``) or a PostgreSQL ``url``."""

    path: str | None
    url: URL | None

    @property
    def is_postgres(self) -> bool:
        """Whether this is a PostgreSQL database."""
        return self.url is not None


def is_url(database: str) -> bool:
    """Whether the setting is a URL (``scheme://...``) rather than a file path."""
    return _SCHEME.match(database.strip()) is not None


def parse(database: str) -> Target:
    """The target the setting names; UnsupportedDatabase for a scheme we do not speak."""
    found = _SCHEME.match(database.strip())
    if found is None:
        return Target(database, None)
    scheme = found.group(1).lower()
    if scheme not in _POSTGRES:
        raise UnsupportedDatabase(
            f"{SETTING} names a {scheme}:// database, which this app cannot use: "
            f"give a SQLite file path or a postgresql:// URL"
        )
    try:
        url = make_url(database.strip())
    except ArgumentError:
        raise UnsupportedDatabase(f"{SETTING} is not a valid PostgreSQL URL") from None
    if not url.database:
        raise UnsupportedDatabase(
            f"{SETTING} names no database: postgresql://user:password@host:5432/DATABASE"
        )
    return Target(None, url.set(drivername="postgresql+asyncpg"))


def redacted(database: str) -> str:
    """The setting as it may be shown: a URL's password replaced by ***."""
    if not is_url(database):
        return database
    try:
        url = make_url(database.strip())
    except ArgumentError:
        return re.sub(r"//[^@/]*@", "//***@", database)
    return url.render_as_string(hide_password=True)


def shown(database: str) -> str:
    """How to name the database in a message: a path as given, a URL without its
    password and with the setting it came from."""
    return f"{redacted(database)} ({SETTING})" if is_url(database) else database
