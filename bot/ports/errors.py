"""The errors a store ends a unit of work with: busy, a conflict, or a one-line reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Slack's client is imported where it is used: the CLI never needs it
    pass


class StorageError(Exception):
    """The store cannot serve the request as it is; ``str()`` is one line saying why.

    The store maps its driver's errors to this (or to ``Busy``/``Conflict``; the store's
    own busy errors are both) before they leave it: no caller needs to know which
    database is behind the ports.
    """


class Busy(Exception):
    """The store could not serve the request in time (locks held elsewhere); nothing
    changed, and the same request may simply be tried again."""


class Conflict(Busy):
    """The store ended the transaction to keep concurrent writers apart (a deadlock or
    serialization failure); nothing changed, and re-running the whole use case will do."""
