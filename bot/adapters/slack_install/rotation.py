"""`addons-bot keys rotate`: every stored token encrypted again under the first key.

Superseded rows (a workspace's earlier installs) are re-encrypted too rather than purged:
slack_sdk reads the newest row only, but an operator may still want the history, and a
superseded row under the old key is exactly what kept the old key alive before.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from bot.adapters.slack_install.crypto import TokenCipher, TokenKeyError
from bot.adapters.slack_install.store import SECRETS
from storage import Database
from storage.tables import slack_bots, slack_installations


@dataclass(frozen=True)
class Rotated:
    """What a rotation did: tokens re-encrypted, already current, and left unreadable."""

    rotated: int
    current: int
    unreadable: int


async def rotate_tokens(db: Database, cipher: TokenCipher) -> Rotated:
    """Re-encrypt every token of every installation and bot row under the first key."""
    rotated = current = unreadable = 0
    async with db.writing_engine.begin() as conn:
        for table in (slack_bots, slack_installations):
            names = [name for name in SECRETS if name in table.c]
            rows = await conn.execute(select(table.c.id, *(table.c[n] for n in names)))
            for row in rows.all():
                changed: dict[str, str] = {}
                for name in names:
                    stored = row._mapping[name]
                    if stored is None:
                        continue
                    if cipher.is_current(stored):
                        current += 1
                        continue
                    try:
                        changed[name] = cipher.rotate(stored)
                    except TokenKeyError:
                        unreadable += 1
                        continue
                    rotated += 1
                if changed:
                    await conn.execute(update(table).where(table.c.id == row.id).values(**changed))
    return Rotated(rotated, current, unreadable)


async def count_old(db: Database, cipher: TokenCipher) -> int:
    """How many stored tokens the first key alone cannot open."""
    old = 0
    async with db.engine.connect() as conn:
        for table in (slack_bots, slack_installations):
            names = [name for name in SECRETS if name in table.c]
            for row in await conn.execute(select(*(table.c[n] for n in names))):
                old += sum(1 for v in row if v is not None and not cipher.is_current(v))
    return old
