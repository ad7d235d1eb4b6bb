"""A migrated SQLite file, made once per test process and copied for each test.

Migrating a new file runs every Alembic revision (a tenth of a second and more on a busy
machine); copying the file that migrating made once takes a few milliseconds and gives
the same bytes. Each process (each pytest-xdist worker) makes its own template in a
folder of its own, removed when the process ends. Tests about migrating itself (a new
file, an old one, a legacy one) do not use it.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import sqlite3
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from storage import Database

_lock = threading.Lock()
_made: list[Path] = []


async def _migrate(path: Path) -> None:
    async with Database(str(path)):
        pass  # opening migrates to the newest revision


def _template() -> Path:
    """This process's migrated file, made on first use."""
    with _lock:
        if _made:
            return _made[0]
        folder = Path(tempfile.mkdtemp(prefix=f"addons-template-{os.getpid()}-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "template.db"
        # In a thread of its own: the caller may be inside an event loop already.
        with ThreadPoolExecutor(1) as runner:
            runner.submit(asyncio.run, _migrate(path)).result()
        conn = sqlite3.connect(path)
        try:  # everything in the main file, nothing left in a -wal beside it
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        _made.append(path)
        return path


def migrated_copy(path: str | os.PathLike[str]) -> Path:
    """Put a SQLite file migrated to the newest revision at ``path`` (which must not
    exist yet); return its path."""
    target = Path(path)
    if target.exists():
        raise FileExistsError(f"{target} exists: a migrated copy goes to a new path only")
    shutil.copyfile(_template(), target)
    return target


def migrated_unless_present(path: str | os.PathLike[str]) -> None:
    """A migrated copy at ``path`` if nothing is there yet; an existing file stays as it is."""
    if not Path(path).exists():
        migrated_copy(path)
