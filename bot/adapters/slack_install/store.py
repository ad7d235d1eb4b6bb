"""Installations in the app's database: slack_sdk's SQLAlchemy stores, tokens encrypted."""

from __future__ import annotations

import copy
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import (
    AsyncSQLAlchemyInstallationStore,
    SQLAlchemyInstallationStore,
)
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from sqlalchemy import desc, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.adapters.slack_install.crypto import TokenCipher, TokenKeyError
from storage import Database
from storage.errors import StorageBusy
from storage.postgres import hold_token_rotation
from storage.tables import slack_bots

logger = logging.getLogger("addons.install")

SECRETS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
# What a database that cannot be reached (stopped, restarting, refusing connections)
# raises through SQLAlchemy: it is "busy, nothing changed, try again", never "not installed".
UNREACHABLE = (SQLAlchemyError, OSError, TimeoutError)


def _with(value: Installation | Bot, change: TokenCipher | None, *, encrypt: bool) -> None:
    for name in SECRETS:
        if change is not None and hasattr(value, name):
            token = getattr(value, name)
            setattr(value, name, change.encrypt(token) if encrypt else change.decrypt(token))


class EncryptedInstallationStore(AsyncInstallationStore):
    """slack_sdk's SQLAlchemy store with every token Fernet-encrypted before it is saved.

    Reads go through a store on the plain engine; saves and deletes through one whose
    transactions take SQLite's write lock at their start, like every unit of work.
    """

    def __init__(
        self, client_id: str, reader: AsyncEngine, writer: AsyncEngine, cipher: TokenCipher
    ) -> None:
        self._read = AsyncSQLAlchemyInstallationStore(client_id, reader, logger=logger)
        self._write = AsyncSQLAlchemyInstallationStore(client_id, writer, logger=logger)
        self._cipher = cipher

    @property
    def logger(self) -> logging.Logger:
        """The store's logger."""
        return logger

    async def async_save(self, installation: Installation) -> None:
        """Save an installation (and its bot) with encrypted tokens."""
        sealed = copy.copy(installation)
        _with(sealed, self._cipher, encrypt=True)
        await self._write.async_save(sealed)

    async def async_save_bot(self, bot: Bot) -> None:
        """Save a bot (a rotated token, say) with encrypted tokens."""
        sealed = copy.copy(bot)
        _with(sealed, self._cipher, encrypt=True)
        await self._write.async_save_bot(sealed)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The workspace's newest bot, tokens decrypted; None if not installed."""
        bot = await self._read.async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        if bot is not None:
            _with(bot, self._cipher, encrypt=False)
        return bot

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The workspace's newest installation, tokens decrypted; None if not installed."""
        found = await self._read.async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )
        if found is not None:
            _with(found, self._cipher, encrypt=False)
        return found

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget the workspace's bot tokens."""
        await self._write.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget the workspace's installation (every installer's, without ``user_id``)."""
        await self._write.async_delete_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )

    async def find_team_bot(self, team_id: str) -> Bot | None:
        """The workspace's bot, whether or not its workspace belongs to an Enterprise Grid.

        StorageBusy if the database cannot be reached: the caller says "try again".
        """
        try:
            async with self._read.engine.connect() as conn:
                return await self._newest_bot(conn, team_id)
        except UNREACHABLE as error:
            raise StorageBusy("the installations cannot be read now") from error

    async def _newest_bot(self, conn: AsyncConnection, team_id: str) -> Bot | None:
        """The workspace's newest bot with a token, read on ``conn``, tokens decrypted."""
        bots = self._read.bots
        query = (
            bots.select()
            .where(
                bots.c.client_id == self._read.client_id,
                bots.c.team_id == team_id,
                bots.c.bot_token.is_not(None),
            )
            .order_by(desc(bots.c.installed_at))
            .limit(1)
        )
        row = (await conn.execute(query)).mappings().first()
        if row is None:
            return None
        bot: Bot = SQLAlchemyInstallationStore.build_bot_entity(row)
        _with(bot, self._cipher, encrypt=False)
        return bot

    @asynccontextmanager
    async def rotating(self, team_id: str) -> AsyncIterator[HeldBot]:
        """Hold the workspace's token rotation across processes until the block ends.

        One transaction on the writing engine: SQLite's writer lock from its start, on
        PostgreSQL the workspace's rotation advisory lock. Whoever waited reads the bot
        again inside (``HeldBot.read``) and finds the token the other rotation stored.
        """
        try:
            async with self._write.engine.begin() as conn:
                await hold_token_rotation(conn, team_id)
                yield HeldBot(self, conn, team_id)
        except UNREACHABLE as error:
            raise StorageBusy("the token rotation could not be held now") from error

    async def _save_bot_on(self, conn: AsyncConnection, bot: Bot) -> None:
        """slack_sdk's save_bot, on ``conn`` (inside the held rotation), tokens encrypted."""
        sealed = copy.copy(bot)
        _with(sealed, self._cipher, encrypt=True)
        bots = self._write.bots
        row = sealed.to_dict()
        row["client_id"] = self._write.client_id
        row["installed_at"] = normalize_datetime_for_db(row.get("installed_at"))
        row["bot_token_expires_at"] = normalize_datetime_for_db(row.get("bot_token_expires_at"))
        found = await conn.execute(
            select(bots.c.id)
            .where(
                bots.c.client_id == self._write.client_id,
                bots.c.enterprise_id == bot.enterprise_id,
                bots.c.team_id == bot.team_id,
                bots.c.installed_at == row["installed_at"],
            )
            .limit(1)
        )
        row_id = found.scalar_one_or_none()
        if row_id is None:
            await conn.execute(bots.insert(), row)
        else:
            await conn.execute(bots.update().where(bots.c.id == row_id).values(**row))

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget everything of the workspace: its bots and installations."""
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        await self.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)


class HeldBot:
    """A workspace's bot while its token rotation is held (``rotating``)."""

    def __init__(self, store: EncryptedInstallationStore, conn: AsyncConnection, team: str) -> None:
        self._store = store
        self._conn = conn
        self._team = team

    async def read(self) -> Bot | None:
        """The bot as stored now, after any rotation that held the lock before."""
        return await self._store._newest_bot(self._conn, self._team)

    async def save(self, bot: Bot) -> None:
        """Store the rotated bot in the held transaction (committed when the hold ends)."""
        await self._store._save_bot_on(self._conn, bot)


def installation_store(
    db: Database, client_id: str, cipher: TokenCipher
) -> EncryptedInstallationStore:
    """The installation store on the app's (open) database."""
    return EncryptedInstallationStore(client_id, db.engine, db.writing_engine, cipher)


async def installed_since(db: Database, team_id: str) -> datetime | None:
    """When the workspace's current installation was made; None if it has none."""
    query = (
        select(slack_bots.c.installed_at)
        .where(slack_bots.c.team_id == team_id, slack_bots.c.bot_token.is_not(None))
        .order_by(desc(slack_bots.c.installed_at))
        .limit(1)
    )
    async with db.engine.connect() as conn:
        return (await conn.execute(query)).scalar_one_or_none()


async def installations(db: Database) -> dict[str, tuple[str | None, datetime]]:
    """Each installed workspace's Slack name and when its current installation was made."""
    query = (
        select(slack_bots.c.team_id, slack_bots.c.team_name, slack_bots.c.installed_at)
        .where(slack_bots.c.bot_token.is_not(None))
        .order_by(slack_bots.c.installed_at)
    )
    async with db.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    # ordered by installation time: the newest installation of a team wins
    return {str(r[0]): (r[1], r[2]) for r in rows if r[0] is not None}


async def check_key(db: Database, cipher: TokenCipher) -> None:
    """TokenKeyError unless the key opens the token of every installed workspace (its
    newest bot row), naming how many it cannot open."""
    newest = (
        select(slack_bots.c.team_id, func.max(slack_bots.c.id).label("id"))
        .where(slack_bots.c.bot_token.is_not(None))
        .group_by(slack_bots.c.team_id)
        .subquery()
    )
    query = select(slack_bots.c.bot_token).join(newest, slack_bots.c.id == newest.c.id)
    async with db.engine.connect() as conn:
        stored = [row[0] for row in await conn.execute(query)]
    unopened = 0
    for token in stored:
        try:
            cipher.decrypt(token)
        except TokenKeyError:
            unopened += 1
    if unopened:
        raise TokenKeyError(
            f"ADDONS_TOKEN_KEY does not decrypt the Slack tokens of {unopened} of "
            f"{len(stored)} installed workspace(s) (was the key changed? put the old key "
            "after the new one, then run `addons-bot keys rotate`)"
        )
