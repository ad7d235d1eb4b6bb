"""What ``ADDONS_DATABASE`` names: a SQLite file path or a PostgreSQL URL.

A path (anything without ``scheme://``) is a SQLite file. ``postgresql://`` and
``postgres://`` URLs (and ``postgresql+asyncpg://``) are PostgreSQL, always through the
async driver asyncpg. Any other scheme is refused with one line; nothing is opened.

A PostgreSQL URL may carry the libpq parameters managed providers hand out:
``sslmode`` (disable, allow, prefer, require, verify-ca, verify-full; ``ssl`` is taken as
its other name, as SQLAlchemy's asyncpg dialect spells it), ``sslrootcert``,
``connect_timeout`` (whole seconds), ``application_name`` and ``options`` (``-c
name=value`` settings). They mean what libpq says: the TLS ones go to asyncpg as a
libpq DSN (asyncpg implements libpq's modes), the others become asyncpg's ``timeout``
and server settings. Any other parameter is refused with one line naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from storage.errors import StorageError

SETTING = "ADDONS_DATABASE"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_POSTGRES = ("postgresql", "postgres", "postgresql+asyncpg")
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
PARAMETERS = ("sslmode", "sslrootcert", "connect_timeout", "application_name", "options")
_ALIASES = {"ssl": "sslmode"}
_OPTION = re.compile(r"^(?:-c\s*|--)([A-Za-z_][A-Za-z0-9_.]*)=(.*)$", re.DOTALL)


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


def parse(database: str, setting: str = SETTING) -> Target:
    """The target the setting names; UnsupportedDatabase (naming ``setting``, where the
    value came from) for a scheme, port or URL parameter we do not speak."""
    found = _SCHEME.match(database.strip())
    if found is None:
        return Target(database, None)
    scheme = found.group(1).lower()
    if scheme not in _POSTGRES:
        raise UnsupportedDatabase(
            f"{setting} names a {scheme}:// database, which this app cannot use: "
            f"give a SQLite file path or a postgresql:// URL"
        )
    try:
        url = make_url(database.strip())
        port = url.port
    except (ArgumentError, ValueError):
        raise UnsupportedDatabase(
            f"{setting} is not a valid PostgreSQL URL "
            "(postgresql://user:password@host:5432/database, one host)"
        ) from None
    if port is not None and not 1 <= port <= 65535:
        raise UnsupportedDatabase(f"{setting} names the port {port}: a port is 1 to 65535")
    if not url.database:
        raise UnsupportedDatabase(
            f"{setting} names no database: postgresql://user:password@host:5432/DATABASE"
        )
    _libpq(url, setting)  # refused now, before anything is opened
    return Target(None, url.set(drivername="postgresql+asyncpg"))


def _libpq(url: URL, setting: str) -> dict[str, str]:
    """The URL's parameters by their libpq names, each checked; UnsupportedDatabase else."""
    params: dict[str, str] = {}
    for given, value in url.query.items():
        name = _ALIASES.get(given, given)
        if name not in PARAMETERS:
            raise UnsupportedDatabase(
                f"{setting} has the URL parameter {given!r}, which this app does not "
                f"understand (it takes {', '.join(PARAMETERS)})"
            )
        if not isinstance(value, str) or name in params:
            raise UnsupportedDatabase(f"{setting} gives the URL parameter {name!r} twice")
        params[name] = value
    mode = params.get("sslmode")
    if mode is not None and mode not in SSL_MODES:
        raise UnsupportedDatabase(
            f"{setting} has sslmode={mode!r}: it is one of {', '.join(SSL_MODES)}"
        )
    timeout = params.get("connect_timeout")
    if timeout is not None and not (timeout.isdigit() and 1 <= int(timeout) <= 3600):
        raise UnsupportedDatabase(
            f"{setting} has connect_timeout={timeout!r}: whole seconds from 1 to 3600"
        )
    if "options" in params:
        _server_options(params["options"], setting)
    return params


def _server_options(options: str, setting: str) -> dict[str, str]:
    """libpq's ``options`` (``-c name=value`` words, ``\\ `` a space) as server settings."""
    words = re.split(r"(?<!\\)\s+(?=-)", options.strip()) if options.strip() else []
    found: dict[str, str] = {}
    for word in words:
        match = _OPTION.match(word)
        if match is None:
            raise UnsupportedDatabase(
                f"{setting} has options={word!r}: only -c name=value settings are understood"
            )
        found[match.group(1)] = match.group(2).strip().replace("\\ ", " ")
    return found


def asyncpg_args(
    url: URL, *, timeout: float, server_settings: dict[str, str]
) -> tuple[URL, dict[str, Any]]:
    """The URL without its parameters and asyncpg's ``connect`` arguments for them.

    ``timeout`` and ``server_settings`` are the app's: the URL's ``connect_timeout``,
    ``application_name`` and ``options`` replace them, except for the settings the app
    keeps its promises with (lock and statement timeouts, read-only probes).
    """
    params = _libpq(url, SETTING)
    settings = {**_server_options(params.get("options", ""), SETTING)}
    if "application_name" in params:
        settings["application_name"] = params["application_name"]
    kept = {k: v for k, v in server_settings.items() if k != "application_name"}
    named = {"application_name": server_settings.get("application_name", "addons-bot")}
    args: dict[str, Any] = {
        "timeout": float(params.get("connect_timeout", timeout)),
        "server_settings": {**named, **settings, **kept},
    }
    tls = {k: params[k] for k in ("sslmode", "sslrootcert") if k in params}
    if tls:
        # asyncpg reads libpq's TLS parameters from a DSN; host and the rest come from
        # its own arguments, which take precedence over the DSN's empty ones.
        args["dsn"] = "postgresql://?" + urlencode(tls)
    return url.set(query={}), args


def redacted(database: str) -> str:
    """The setting as it may be shown: a URL's password replaced by ***."""
    if not is_url(database):
        return database
    try:
        url = make_url(database.strip())
    except (ArgumentError, ValueError):
        return re.sub(r"//[^@/]*@", "//***@", database)
    return url.render_as_string(hide_password=True)


def shown(database: str, setting: str = SETTING) -> str:
    """How to name the database in a message: a path as given, a URL without its
    password and with the setting it came from."""
    return f"{redacted(database)} ({setting})" if is_url(database) else database
